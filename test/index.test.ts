/**
 * The main entry is browser-safe: esbuild bundles `nabla` and `nabla/testing` for the browser
 * platform with no `node:` import (directly or through a dependency), and the bundle of `nabla`
 * runs under Deno (from its npm package, no Node compatibility layer asked for) and computes a
 * gradient correctly. The public surface: internal helpers stay out of the three entries.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import * as nabla from '../src/index.js'
import * as nablaNode from '../src/node.js'
import * as nablaTesting from '../src/testing/index.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const bundle = async (entry: string) =>
  build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })

describe('the browser-safe entries', () => {
  for (const entry of ['src/index.ts', 'src/testing/index.ts'])
    it(`${entry} bundles for the browser with no node: import`, async () => {
      const result = await bundle(entry)
      expect(result.errors).toEqual([])
      // no import of a Node built-in survives (the worker host names them only in strings: for
      // process.getBuiltinModule, and in the source a Node worker thread runs)
      const text = result.outputFiles[0]!.text
      expect(text.match(/(from|import\(|import)\s*["']node:[\w/]+["']/g) ?? []).toEqual([])
      const inputs = Object.keys(result.metafile.inputs)
      expect(inputs.filter((file) => /models\/fs|data\/(idx|mnist|iris|optional)|cli\//.test(file))).toEqual(
        [],
      )
      for (const output of Object.values(result.metafile.outputs))
        expect(output.imports.filter((i) => i.external)).toEqual([])
    })

  it('the bundle of nabla runs under Deno and takes a correct gradient', async () => {
    const result = await bundle('src/index.ts')
    const dir = mkdtempSync(path.join(tmpdir(), 'nabla-deno-'))
    writeFileSync(path.join(dir, 'nabla.mjs'), result.outputFiles[0]!.text)
    writeFileSync(
      path.join(dir, 'smoke.mjs'),
      `import { grad, key, matmul, normal, sum, tanh, toTypedArray, tensor } from './nabla.mjs'
const x = tensor([[0.5, -1], [2, 0.25]])
const w = normal(key(0), [2, 3])
const g = grad((w) => sum(tanh(matmul(x, w))))(w)
console.log(JSON.stringify({ w: Array.from(toTypedArray(w)), g: Array.from(toTypedArray(g)) }))
`,
    )
    const deno = path.join(root, 'node_modules/.bin/deno')
    const out = execFileSync(deno, ['run', '--no-prompt', '--no-config', path.join(dir, 'smoke.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, DENO_DIR: path.join(dir, '.deno'), NO_COLOR: '1' },
      timeout: 120_000,
    })
    const { w, g } = JSON.parse(out) as { w: number[]; g: number[] }
    // d/dw_kj Σ tanh((xw)_ij) = Σ_i x_ik (1 − tanh²((xw)_ij)), computed here in float64
    const x = [
      [0.5, -1],
      [2, 0.25],
    ]
    const expected = [0, 1].flatMap((k) =>
      [0, 1, 2].map((j) =>
        x.reduce((s, row) => {
          const z = row[0]! * w[j]! + row[1]! * w[3 + j]!
          return s + row[k]! * (1 - Math.tanh(z) ** 2)
        }, 0),
      ),
    )
    expect(g).toHaveLength(6)
    for (const [i, v] of g.entries()) expect(v).toBeCloseTo(expected[i]!, 5)
  }, 180_000)
})

// helpers that only nabla's own code calls: they live in their modules, not in an entry
const internals = {
  nabla: [
    'positiveNumber',
    'numberInRange',
    'learningRate',
    'paramsFileCodec',
    'paramsDecodeError',
    'parseJSON',
    'paramsFormat',
    'paramsVersion',
    'toDecodeError',
    'decodeWith',
    'threefry2x32',
    'readFileChecked',
    'writeFileAtomic',
    'loadMnist',
    'saveParams',
    'conv2dWithParams',
    'conv2dInputGrad',
    'conv2dFilterGrad',
    'maxPool2dGrad',
    'patches2d',
    'patches2dTranspose',
  ],
  'nabla/node': [
    'readFileChecked',
    'writeFileAtomic',
    'writeFileAtomicSync',
    'toFileError',
    'isGzip',
    'decodeErrorInFile',
    'checkpointKey',
  ],
  'nabla/testing': ['domainTools'],
} as const

describe('the public surface', () => {
  const entries = { nabla, 'nabla/node': nablaNode, 'nabla/testing': nablaTesting } as const
  for (const [entry, names] of Object.entries(internals))
    it(`${entry} does not export internal helpers`, () => {
      const exported = Object.keys(entries[entry as keyof typeof entries])
      expect(names.filter((name) => exported.includes(name))).toEqual([])
    })

  it('keeps what the README and the examples use', () => {
    for (const name of [
      'tensor',
      'grad',
      'vjp',
      'mlp',
      'adam',
      'fit',
      'key',
      'readSafetensors',
      'toTypedArray',
    ])
      expect(nabla).toHaveProperty(name)
    for (const name of ['loadMnist', 'loadIris', 'saveParams', 'loadParams', 'loadCheckpoint', 'FileError'])
      expect(nablaNode).toHaveProperty(name)
    for (const name of ['checkGrads', 'arbTensor', 'arbProgramCase'])
      expect(nablaTesting).toHaveProperty(name)
  })
})

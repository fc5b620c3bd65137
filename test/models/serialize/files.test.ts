/**
 * Tests of saveParams / loadParams: both formats round-trip bit for bit through files, the format
 * follows the extension, templates type and check the result, and file problems are typed errors.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { FileError } from '../../../src/models/fs.js'
import { loadParams, saveParams } from '../../../src/models/serialize/files.js'
import { ArgumentError, DecodeError, type Tensor, tensor, zeros } from '../../../src/tensor/index.js'
import { arbTree, expectSameTree, safeKey } from './support.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-params-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('saveParams / loadParams', () => {
  it('round-trip random trees bit for bit in both formats', () => {
    fc.assert(
      fc.property(arbTree(safeKey, 1), fc.constantFrom('p.json', 'p.safetensors'), (tree, name) => {
        const file = path.join(dir, name)
        saveParams(file, tree)
        expectSameTree(loadParams(file, tree), tree, 'params', name.endsWith('.safetensors'))
        expectSameTree(loadParams(file), tree, 'params', name.endsWith('.safetensors'))
      }),
      { seed: 901, numRuns: 60 },
    )
  })
  it('chooses the format from the extension unless told, and leaves no temporary files', () => {
    const params = { w: tensor([1, 2]) }
    saveParams(path.join(dir, 'a.safetensors'), params)
    saveParams(path.join(dir, 'b.bin'), params, { format: 'safetensors' })
    saveParams(path.join(dir, 'c.json'), params, { metadata: { epoch: '1' } })
    expect(fs.readFileSync(path.join(dir, 'a.safetensors'))[8]).toBe(0x7b)
    expect(
      fs.readFileSync(path.join(dir, 'b.bin')).equals(fs.readFileSync(path.join(dir, 'a.safetensors'))),
    ).toBe(true)
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'c.json'), 'utf8')).metadata).toEqual({ epoch: '1' })
    expect(() => loadParams(path.join(dir, 'b.bin'))).toThrow(/malformed JSON|not valid UTF-8/)
    expectSameTree(loadParams(path.join(dir, 'b.bin'), params, { format: 'safetensors' }), params)
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
  it('types the result by the template and checks it', () => {
    const params = { layers: [{ w: zeros([2, 3]) }] }
    const file = path.join(dir, 'typed.json')
    saveParams(file, params)
    const loaded = loadParams(file, params)
    const w: Tensor<[2, 3], 'float32'> = loaded.layers[0]!.w
    // @ts-expect-error the template fixes the shape type: [2, 3] is not [3, 2]
    const wrong: Tensor<[3, 2], 'float32'> = loaded.layers[0]!.w
    expect(wrong).toBe(w)
    expect(w.shape).toEqual([2, 3])
    expect(() => loadParams(file, { layers: [{ w: zeros([3, 2]) }] })).toThrow(DecodeError)
    try {
      loadParams(file, { layers: [{ w: zeros([2, 3]), b: zeros([3]) }] })
    } catch (error) {
      expect((error as DecodeError).path).toBe('params.layers[0].b')
    }
  })
  it('reports unreadable, missing and malformed files with typed errors', () => {
    expect(() => loadParams(path.join(dir, 'missing.json'))).toThrow(FileError)
    expect(() => loadParams(path.join(dir, 'missing.json'))).toThrow(
      /loadParams: cannot read .*missing.json: ENOENT/,
    )
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"format": "nabla-params", "version": 1, "params": {')
    expect(() => loadParams(path.join(dir, 'bad.json'))).toThrow(/malformed JSON at position 52/)
    fs.writeFileSync(path.join(dir, 'latin.json'), Buffer.from([0x22, 0xe9, 0x22]))
    expect(() => loadParams(path.join(dir, 'latin.json'))).toThrow(/not valid UTF-8/)
    expect(() => saveParams(path.join(dir, 'no-such-dir', 'p.json'), { w: zeros([1]) })).toThrow(FileError)
  })
  it('decode errors name the file, and missing/unknown keys name the expected set', () => {
    const json = path.join(dir, 'named.json')
    const st = path.join(dir, 'named.safetensors')
    saveParams(json, { w: zeros([1]), b: zeros([1]) })
    saveParams(st, { w: zeros([1]), b: zeros([1]) })
    expect(() => loadParams(json, { w: zeros([1]), c: zeros([1]) })).toThrow(
      `loadParams: ${json}: params.c: missing key "c" (expected keys: w, c)`,
    )
    expect(() => loadParams(st, { w: zeros([1]), c: zeros([1]) })).toThrow(
      `loadParams: ${st}: unknown tensor "b" (not in the template) (expected tensors: w, c)`,
    )
    expect(() => loadParams(st, { w: zeros([1]), b: zeros([1]), c: zeros([1]) })).toThrow(
      `loadParams: ${st}: missing tensor "c" (expected tensors: w, b, c)`,
    )
    fs.writeFileSync(path.join(dir, 'bad2.json'), '{"format": "nabla-params", "version": 1, "params": {')
    expect(() => loadParams(path.join(dir, 'bad2.json'))).toThrow(
      `loadParams: ${path.join(dir, 'bad2.json')}: malformed JSON at position 52`,
    )
    expect(() =>
      saveParams(path.join(dir, 'p.json'), { w: zeros([1]) }, { format: 'npz' as 'json' }),
    ).toThrow(ArgumentError)
  })
})

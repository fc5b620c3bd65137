/**
 * `nabla predict`: the classes and probabilities it prints for JSON and CSV rows equal a forward
 * pass written here with plain loops over the saved parameters; malformed input fails with one
 * line naming the row.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadRun } from '../../src/cli/model.js'
import { type DenseParams, toFlat } from '../../src/index.js'
import { runInProcess, tempDir } from './run.js'

let dir = ''
let file = ''
beforeAll(async () => {
  dir = tempDir()
  const args = [
    'train',
    '--dataset',
    'xor',
    '--epochs',
    '2',
    '--hidden',
    '6',
    '--train-size',
    '64',
    '--test-size',
    '16',
  ]
  expect((await runInProcess([...args, '--out', dir, '--plain'])).status).toBe(0)
  file = path.join(dir, 'params.json')
})

/** relu MLP forward pass and softmax with loops, from the saved parameters. */
const naivePredict = (row: readonly number[]) => {
  const params = loadRun(file).params as readonly DenseParams<number, number, 'float32'>[]
  let h = [...row]
  params.forEach((layer, i) => {
    const [inputs, outputs] = layer.w.shape
    const w = toFlat(layer.w)
    const b = toFlat(layer.b)
    h = Array.from({ length: outputs }, (_, o) => {
      let s = b[o]!
      for (let k = 0; k < inputs; k++) s += h[k]! * w[k * outputs + o]!
      return i < params.length - 1 ? Math.max(s, 0) : s
    })
  })
  const m = Math.max(...h)
  const e = h.map((v) => Math.exp(v - m))
  const total = e.reduce((a, b) => a + b, 0)
  const best = h.indexOf(m)
  return { class: best, probability: e[best]! / total }
}

const rows = [
  [0.5, 0.5],
  [-0.7, 0.2],
  [0.1, -0.9],
]

describe('nabla predict', () => {
  it('prints one JSON line per row with the class and its probability (JSON and CSV input)', async () => {
    const json = path.join(dir, 'rows.json')
    fs.writeFileSync(json, JSON.stringify(rows))
    const csv = path.join(dir, 'rows.csv')
    fs.writeFileSync(csv, `# x0, x1\n${rows.map((r) => r.join(', ')).join('\n')}\n`)
    for (const input of [json, csv]) {
      const r = await runInProcess(['predict', '--params', file, '--input', input])
      expect(r.status).toBe(0)
      const lines = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(lines).toHaveLength(3)
      lines.forEach((line, i) => {
        const expected = naivePredict(rows[i]!)
        expect(line.row).toBe(i)
        expect(line.class).toBe(expected.class)
        expect(line.label).toBe(String(expected.class))
        expect(Math.abs(line.probability - expected.probability)).toBeLessThan(1e-6)
      })
    }
    const single = path.join(dir, 'one.json')
    fs.writeFileSync(single, JSON.stringify(rows[0]))
    const one = await runInProcess(['predict', '--params', file, '--input', single])
    expect(one.stdout.trimEnd().split('\n')).toHaveLength(1)
  })

  it('rejects rows of the wrong width, non-numbers and broken JSON with one line', async () => {
    const cases: [string, string, RegExp][] = [
      ['wide.json', '[[1, 2, 3]]', /row 0 has 3 values; the model takes 2 features/],
      ['nan.json', '[[1, 2], [1, "x"]]', /row 1, value 1 is not a finite number/],
      ['broken.json', '[[1, 2]', /is not valid JSON/],
      ['empty.csv', '\n', /non-empty array of rows/],
    ]
    for (const [name, text, message] of cases) {
      const input = path.join(dir, name)
      fs.writeFileSync(input, text)
      const r = await runInProcess(['predict', '--params', file, '--input', input])
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    }
  })
})

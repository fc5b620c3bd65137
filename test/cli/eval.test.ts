/**
 * `nabla eval`: on a run trained here, the printed accuracy and confusion matrix match an
 * independent count over the rebuilt test set; `--json` prints the same numbers; a missing or
 * foreign params file fails with one line.
 */
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadRun } from '../../src/cli/model.js'
import { foldIn, key, predictedClasses, toFlat } from '../../src/index.js'
import { xor } from '../../src/models/data/synthetic.js'
import { runInProcess, tempDir } from './run.js'

let file = ''
beforeAll(async () => {
  const out = tempDir()
  const args = [
    'train',
    '--dataset',
    'xor',
    '--epochs',
    '3',
    '--train-size',
    '80',
    '--test-size',
    '40',
    '--seed',
    '2',
  ]
  const r = await runInProcess([...args, '--out', out, '--plain'])
  expect(r.status).toBe(0)
  file = path.join(out, 'params.json')
})

describe('nabla eval', () => {
  it('reports the accuracy and the confusion matrix of the rebuilt test set', async () => {
    const { net, params } = loadRun(file)
    const data = xor(foldIn(key(2), 2), 80, 0, { testSize: 40 })
    const predicted = predictedClasses(net.apply(params)(data.xTest))
    const truth = toFlat(data.yTest)
    const count = (t: number, p: number) => truth.filter((y, i) => y === t && predicted[i] === p).length
    const hits = count(0, 0) + count(1, 1)

    const json = await runInProcess(['eval', '--params', file, '--json'])
    expect(json.status).toBe(0)
    const result = JSON.parse(json.stdout)
    expect(result.testAccuracy).toBe(hits / 40)
    expect(result.confusionMatrix).toEqual([
      [count(0, 0), count(0, 1)],
      [count(1, 0), count(1, 1)],
    ])
    expect(result.testRows).toBe(40)

    const text = await runInProcess(['eval', '--params', file])
    expect(text.status).toBe(0)
    expect(text.stdout).toContain(`test accuracy ${((100 * hits) / 40).toFixed(2)}% (${hits}/40)`)
    expect(text.stdout).toMatch(
      new RegExp(
        `\\n\\s+0\\s+${count(0, 0)}\\s+${count(0, 1)}\\n\\s+1\\s+${count(1, 0)}\\s+${count(1, 1)}\\n$`,
      ),
    )
  })

  it('evaluates on another dataset of the same shape, and refuses one of another shape', async () => {
    const spirals = await runInProcess(['eval', '--params', file, '--dataset', 'spirals', '--json'])
    expect(spirals.status).toBe(0)
    expect(JSON.parse(spirals.stdout).dataset).toBe('spirals')
    const iris = await runInProcess(['eval', '--params', file, '--dataset', 'iris'])
    expect(iris.status).toBe(2)
    expect(iris.stderr).toMatch(
      /^nabla eval: the model takes 2 features and predicts 2 classes, but iris has 4 features and 3 classes/,
    )
  })

  it('fails with one line on a file that is not a run', async () => {
    const r = await runInProcess(['eval', '--params', path.join(tempDir(), 'nothing.json')])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^nabla eval: loadRun: cannot read .*nothing\.json: ENOENT\n$/)
  })
})

/**
 * `nabla eval`: on a run trained here, the printed accuracy and confusion matrix match an
 * independent count over the rebuilt test set; `--json` prints the same numbers; a missing or
 * foreign params file fails with one line.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { evalHelp } from '../../src/cli/eval.js'
import { loadRun } from '../../src/cli/model.js'
import { foldIn, key, predictedClasses, setMemoryBudget, toFlat } from '../../src/index.js'
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
    const predicted = predictedClasses(net.apply(params, data.xTest))
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

  it('rejects a crafted run file describing sizes [20000,20000,2] before building anything (eval and predict)', async () => {
    const crafted = craftRun(file, (info) => ({
      ...info,
      model: { ...info.model, sizes: [20000, 20000, 2] },
    }))
    expect(fs.statSync(crafted).size).toBeLessThan(4096)
    for (const argv of [
      ['eval', '--params', crafted],
      ['predict', '--params', crafted, '--input', '1,2'],
    ]) {
      const r = await runInProcess(argv)
      expect(r.status).toBe(1)
      expect(r.stderr).toBe(
        `nabla ${argv[0]}: loadRun: ${crafted}: the mlp the run describes has a parameter 0.w of shape [20000,20000] (float32, 1.5 GiB (1600000000 bytes)), but the file's tensor 0.w has shape [2,16] (float32)\n`,
      )
    }
    // under a budget smaller than the parameters it describes, the size itself is the error
    const previous = setMemoryBudget(2 ** 30)
    try {
      const r = await runInProcess(['eval', '--params', crafted])
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(
        /^nabla eval: loadRun: .*crafted\.json: the mlp the run describes \(4 parameter tensors, the largest 0\.w of shape \[20000,20000\]\) needs 1\.5 GiB \(1600240008 bytes\), more than the memory budget of 1 GiB/,
      )
    } finally {
      setMemoryBudget(previous)
    }
  })

  it('does not read the directory a run file names: mnist-idx needs --data-dir on the command line', async () => {
    const crafted = craftRun(file, (info) => ({ ...info, data: { name: 'mnist-idx', seed: 0, dir: '/etc' } }))
    const r = await runInProcess(['eval', '--params', crafted])
    expect(r.status).toBe(1)
    expect(r.stderr).toBe(
      'nabla eval: mnist-idx reads IDX files from a directory given on the command line (--data-dir DIR); a run file\'s data.dir ("/etc") is not read, since the file may come from anyone\n',
    )
    expect(evalHelp).toContain('--data-dir DIR')
  })
})

/** A copy of the run file `from` whose run description is changed by `change`. */
const craftRun = (
  from: string,
  change: (info: Record<string, unknown> & { model: object }) => object,
): string => {
  const json = JSON.parse(fs.readFileSync(from, 'utf8'))
  const info = JSON.parse(json.metadata['nabla-run'])
  json.metadata['nabla-run'] = JSON.stringify(change(info))
  const out = path.join(tempDir(), 'crafted.json')
  fs.writeFileSync(out, JSON.stringify(json))
  return out
}

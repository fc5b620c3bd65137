/**
 * The bad-input catalogue, continued with hostile files (issue 14): run files whose model is far
 * larger than the tensors they hold or that name a directory, and files whose tensors (or whose
 * size) are over the memory budget. Each is rejected by a typed error naming the file and the size
 * before the allocation it asks for. `bad-input.test.ts` runs these with the other cases; the
 * files are written to a temporary directory when a case runs.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { loadRun, type Params, saveRun } from '../../src/cli/model.js'
import { evalDataSource } from '../../src/cli/runCheck.js'
import {
  ArgumentError,
  DecodeError,
  key,
  mlp,
  ResourceError,
  setMemoryBudget,
  sgd,
  zeros,
} from '../../src/index.js'
import type { MlpConfig } from '../../src/models/layers.js'
import { loadCheckpoint, loadMnistIdx, loadParams, saveCheckpoint, saveParams } from '../../src/node.js'
import type { BadInputCase } from './bad-input.cases.js'

let dir: string | undefined
/** A path in this run's temporary directory. */
const temp = (name: string): string => {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-bad-files-'))
  return path.join(dir, name)
}

/** Runs `f` under a fixed memory budget. */
const withBudget = (bytes: number, f: () => unknown): unknown => {
  const previous = setMemoryBudget(bytes)
  try {
    return f()
  } finally {
    setMemoryBudget(previous)
  }
}

const small = mlp([2, 16, 2] as readonly number[])

/** A run file (about 2 KB) holding the parameters of a 2-16-2 mlp, describing another model. */
const craftedRun = (name: string, sizes: readonly number[], data: object = { name: 'xor', seed: 0 }) => {
  const file = temp(name)
  saveRun(file, small.init(key(0)) as Params, {
    model: { ...(small.config as MlpConfig), sizes },
    data: data as never,
    classes: ['0', '1'],
  })
  return file
}

/** A safetensors file of one F16 tensor `w` of `shape` (zeros): 2 bytes a value in the file, 4 decoded. */
const f16Safetensors = (name: string, shape: readonly number[]): string => {
  const size = shape.reduce((a, b) => a * b, 1)
  const header = new TextEncoder().encode(
    JSON.stringify({ w: { dtype: 'F16', shape, data_offsets: [0, 2 * size] } }),
  )
  const bytes = new Uint8Array(8 + header.length + 2 * size)
  new DataView(bytes.buffer).setUint32(0, header.length, true)
  bytes.set(header, 8)
  const file = temp(name)
  fs.writeFileSync(file, bytes)
  return file
}

/** An IDX header declaring uint8 values of `dims`, and no data. */
const idxHeader = (dims: readonly number[]): Buffer => {
  const out = Buffer.alloc(4 + 4 * dims.length)
  out[2] = 0x08
  out[3] = dims.length
  dims.forEach((d, i) => {
    out.writeUInt32BE(d, 4 + 4 * i)
  })
  return out
}

/** The file cases. */
export const badFileCases: readonly BadInputCase[] = [
  {
    name: 'a crafted 2 KB run file describing sizes [20000,20000,2] over the memory budget: loadRun (eval, predict) names the size before building',
    error: ResourceError,
    op: 'loadRun',
    mentions: [
      'big-run.json: the mlp the run describes (4 parameter tensors, the largest 0.w of shape [20000,20000])',
      'needs 1.5 GiB (1600240008 bytes), more than the memory budget of 1 GiB',
    ],
    run: () => {
      const file = craftedRun('big-run.json', [20000, 20000, 2])
      return withBudget(2 ** 30, () => loadRun(file))
    },
  },
  {
    name: 'a crafted 2 KB run file describing sizes [20000,20000,2] within the budget: loadRun compares them with its tensors before building',
    error: DecodeError,
    op: 'loadRun',
    mentions: [
      'big-run-2.json: the mlp the run describes has a parameter 0.w of shape [20000,20000] (float32, 1.5 GiB (1600000000 bytes))',
      "but the file's tensor 0.w has shape [2,16] (float32)",
    ],
    run: () => {
      const file = craftedRun('big-run-2.json', [20000, 20000, 2])
      return withBudget(2 ** 32, () => loadRun(file))
    },
  },
  {
    name: 'a run file whose data.dir names a directory: eval does not read it (only a --data-dir given on the command line)',
    error: ArgumentError,
    op: 'eval',
    mentions: [
      'mnist-idx reads IDX files from a directory given on the command line (--data-dir DIR)',
      '("/etc") is not read',
    ],
    run: () => {
      const file = craftedRun('dir-run.json', [2, 16, 2], { name: 'mnist-idx', seed: 0, dir: '/etc' })
      const { info, net } = loadRun(file)
      return evalDataSource('eval', info.data, { name: info.data.name }, net.features, true)
    },
  },
  {
    name: 'a parameter JSON file whose tensor is over the memory budget: loadParams names the file and the size',
    error: ResourceError,
    op: 'loadParams',
    mentions: [
      'over-budget.json: params.w: shape [128,256] of float32 needs 128 KiB (131072 bytes)',
      'memory budget of 100 KiB',
    ],
    run: () => {
      const file = temp('over-budget.json')
      saveParams(file, { w: zeros([128, 256]) })
      return withBudget(100 * 1024, () => loadParams(file))
    },
  },
  {
    name: 'a safetensors file whose F16 tensor (float32 once read) is over the memory budget: loadParams names the file and the size',
    error: ResourceError,
    op: 'loadParams',
    mentions: [
      'over-budget.safetensors: w: shape [128,256] of F16 needs 128 KiB (131072 bytes)',
      'memory budget of 100 KiB',
    ],
    run: () => {
      const file = f16Safetensors('over-budget.safetensors', [128, 256])
      return withBudget(100 * 1024, () => loadParams(file))
    },
  },
  {
    name: 'a checkpoint whose tensor is over the memory budget: loadCheckpoint names the file and the size',
    error: ResourceError,
    op: 'loadCheckpoint',
    mentions: [
      'checkpoint.json: params.params.w: shape [128,256] of float32 needs 128 KiB',
      'memory budget of 100 KiB',
    ],
    run: () => {
      const file = temp('checkpoint.json')
      const params = { w: zeros([128, 256]) }
      const state = sgd(0.1).init(params)
      saveCheckpoint(file, { params, state, step: 0, key: key(0) })
      return withBudget(100 * 1024, () => loadCheckpoint(file, { params, state }))
    },
  },
  {
    name: 'an IDX gzip whose header declares more than the memory budget: loadMnistIdx names the file and the size before inflating',
    error: ResourceError,
    op: 'loadMnistIdx',
    mentions: [
      'train-images-idx3-ubyte.gz: the header declares 784016 bytes, and inflating them needs 765.6 KiB (784016 bytes)',
      'memory budget of 100 KiB',
    ],
    run: () => {
      const idxDir = temp('idx')
      fs.mkdirSync(idxDir, { recursive: true })
      // a lying header: 1000 images of 28×28 declared, a few bytes of data behind it
      fs.writeFileSync(path.join(idxDir, 'train-images-idx3-ubyte.gz'), gzipSync(idxHeader([1000, 28, 28])))
      fs.writeFileSync(path.join(idxDir, 'train-labels-idx1-ubyte'), idxHeader([0]))
      return withBudget(100 * 1024, () => loadMnistIdx(idxDir))
    },
  },
  {
    name: 'a file larger than the memory budget: loadParams refuses to read it, naming the file and its size',
    error: ResourceError,
    op: 'loadParams',
    mentions: ['large.json: reading the file needs 2.1 KiB', 'memory budget of 1 KiB'],
    run: () => {
      const file = temp('large.json')
      saveParams(file, { w: zeros([1024]) })
      return withBudget(1024, () => loadParams(file))
    },
  },
]

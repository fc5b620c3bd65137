/**
 * Memory soak (issue 14), in child processes and never timed:
 * - a long eager training loop (`trainStep`) and a long jitted one (`fit` with `jit: true`), each
 *   2,000 steps under a fixed 64 MB heap (`node --max-old-space-size=64`), finish, and the memory
 *   they hold (JS heap plus array buffers, after a full collection) does not grow from the second
 *   quarter of the run to the last; a control run that keeps every step's parameters alive shows
 *   the same measurement does notice growth;
 * - an IDX gzip whose header declares 900 MB (and whose data really inflates to 900 MB) is refused
 *   with the typed ResourceError under `ulimit -v` (3 GB of address space). Without the budget
 *   (`NABLA_MEMORY_BUDGET=100GB`) the same child inflates it for 14 s and ends in the engine's
 *   `RangeError: Array buffer allocation failed` (checked by hand: too slow for the suite).
 * - importing nabla under that `ulimit -v` prints one warning line and computes with the reference
 *   kernels (the WebAssembly memory cannot be reserved there).
 * The scripts are bundled with esbuild first (tsx itself cannot start under a small `ulimit -v`).
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { bundledScript } from '../support/childScripts.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-soak-'))

const bundle = (script: string): string => bundledScript(path.join(here, 'soak', script))

let trainLoop = ''
let decodeIdx = ''
let importProbe = ''
beforeAll(() => {
  trainLoop = bundle('train-loop.ts')
  decodeIdx = bundle('decode-idx.ts')
  importProbe = bundle('import-probe.ts')
})

interface LoopReport {
  readonly samples: readonly (readonly [number, number])[]
  readonly loss: number
  readonly kept: number
}

const steps = 2000
const runLoop = (mode: 'eager' | 'jit', leak: boolean): { status: number | null; report: LoopReport } => {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=64', trainLoop, mode, String(steps), ...(leak ? ['leak'] : [])],
    { encoding: 'utf8', env: { ...process.env, NABLA_MEMORY_BUDGET: '' } },
  )
  expect(r.stderr).not.toMatch(/heap out of memory|Error/)
  return { status: r.status, report: JSON.parse(r.stdout) as LoopReport }
}

/**
 * How much the memory in use grew from the second quarter of the run to the last: the least of
 * each quarter's samples (a collection can leave a little garbage, never less than what is held).
 */
const growth = (report: LoopReport): number => {
  const least = (from: number, to: number) =>
    Math.min(...report.samples.filter(([step]) => step > from && step <= to).map(([, bytes]) => bytes))
  return least((3 * steps) / 4, steps) - least(steps / 4, steps / 2)
}

/** Growth above this over the last half of the run (≈ 2 KiB a step) is a leak. */
const allowedGrowth = 2 * 2 ** 20

describe('memory soak: long training loops under a fixed heap limit', () => {
  for (const mode of ['eager', 'jit'] as const)
    it(`${mode === 'eager' ? 'an eager' : 'a jitted'} loop of ${steps} steps finishes under a 64 MB heap and holds no more memory at the end`, () => {
      const { status, report } = runLoop(mode, false)
      expect(status).toBe(0)
      expect(report.samples).toHaveLength(16)
      expect(Number.isFinite(report.loss)).toBe(true)
      expect(growth(report)).toBeLessThan(allowedGrowth)
    })

  it('the measurement notices a leak: keeping every step’s parameters alive grows past the allowance', () => {
    const { status, report } = runLoop('eager', true)
    expect(status).toBe(0)
    expect(report.kept).toBe(steps)
    expect(growth(report)).toBeGreaterThan(allowedGrowth)
  })
})

/** A gzip IDX file whose header declares 900 uint8 images of 1000×1000, followed by that much data. */
const bombFile = (): string => {
  const header = Buffer.alloc(16)
  header[2] = 0x08
  header[3] = 3
  header.writeUInt32BE(900, 4)
  header.writeUInt32BE(1000, 8)
  header.writeUInt32BE(1000, 12)
  // concatenated gzip members are one gzip stream: 1 MiB of zeros compresses to about 1 KiB
  const mebibyte = gzipSync(Buffer.alloc(2 ** 20))
  const whole = Math.floor(900e6 / 2 ** 20)
  const parts = [gzipSync(header), ...new Array<Buffer>(whole).fill(mebibyte)]
  parts.push(gzipSync(Buffer.alloc(900e6 - whole * 2 ** 20)))
  const file = path.join(dir, 'bomb-idx3-ubyte.gz')
  fs.writeFileSync(file, Buffer.concat(parts))
  return file
}

const decodeUnderLimit = (file: string) =>
  spawnSync('sh', ['-c', `ulimit -v 3000000; exec "${process.execPath}" "${decodeIdx}" "${file}"`], {
    encoding: 'utf8',
    env: { ...process.env, NABLA_MEMORY_BUDGET: '' },
  })

describe('memory soak: a decoder fed a lying header under ulimit -v', () => {
  it('refuses a 900 MB IDX gzip with a ResourceError naming the size, not a crash', () => {
    const file = bombFile()
    expect(fs.statSync(file).size).toBeLessThan(2 ** 20)
    const r = decodeUnderLimit(file)
    expect(r.status).toBe(3)
    const result = JSON.parse(r.stdout) as { error: string; message: string; budget: number }
    expect(result.error).toBe('ResourceError')
    expect(result.message).toMatch(
      /^readIdx: the header declares 900000016 bytes, and inflating them needs 858\.3 MiB \(900000016 bytes\), more than the memory budget of .* \(a quarter of the memory available now\)/,
    )
    // the automatic budget saw the address-space limit: well under the 3 GB of `ulimit -v`
    expect(result.budget).toBeLessThan(3e9 / 4)
  })
})

describe('memory soak: importing nabla under ulimit -v', () => {
  it('warns once that WebAssembly memory could not be reserved, then computes with the reference kernels', () => {
    const r = spawnSync('sh', ['-c', `ulimit -v 3000000; exec "${process.execPath}" "${importProbe}"`], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([3, 3, 3, 3])
    expect(r.stderr).toMatch(
      /^nabla: WebAssembly kernel memory could not be reserved \(.*\); using the reference TypeScript kernels\n$/,
    )
  })
})

/**
 * Helpers of the CLI tests (not a test file): run `main` in process with its output captured, run
 * the real command in a child process, and make temporary directories.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { vi } from 'vitest'
import { main } from '../../src/cli/main.js'

/** The repository root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** What a command printed and returned. */
export interface Ran {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `main(argv)` in this process, capturing stdout and stderr. */
export const runInProcess = async (argv: readonly string[]): Promise<Ran> => {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
    stdout += String(chunk)
    return true
  }) as never)
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown) => {
    stderr += String(chunk)
    return true
  }) as never)
  try {
    const status = await main(argv)
    return { status, stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

/** Runs `tsx src/cli/main.ts …` (or another script) in a child process without a terminal. */
export const runChild = (argv: readonly string[], script = 'src/cli/main.ts'): Ran => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...argv], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: 60_000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A fresh temporary directory. */
export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-cli-'))

/**
 * `nabla train` of the shipped examples/lenet.json (convolutions, pools, dropout) for one epoch on
 * `trainSize` training and `testSize` test MNIST rows, into `out`, without the plot.
 */
export const trainLenet = (out: string, trainSize: number, testSize: number): Promise<Ran> =>
  runInProcess([
    'train',
    '--model-config',
    'examples/lenet.json',
    '--epochs',
    '1',
    '--train-size',
    String(trainSize),
    '--test-size',
    String(testSize),
    '--out',
    out,
    '--plain',
    '--no-plot',
  ])

/**
 * Examples run as scripts, the way the README tells people to run them (`npx tsx
 * examples/<file>.ts`): exit code 0, nothing on stderr, and the line that shows it worked. Each
 * spawn costs about 1.5 s of start-up, so three are spawned (MNIST on a small subset, which also
 * tests its argument parsing); every example's `main` is tested by import in its own test file, and
 * the guard that runs it as a script (`if (isMain(import.meta.url)) main()`) is checked in each
 * file's source here.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

const runScript = (file: string, args: readonly string[] = []) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'examples', file), ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
        })
      },
    )
  })

const cases: readonly { file: string; args?: readonly string[]; shows: RegExp }[] = [
  {
    file: 'chain-rule.ts',
    shows: /largest difference between the hand formulas and grad: (0|\d\.\de-1[6-9])/,
  },
  {
    file: 'mnist.ts',
    args: ['--train-size', '200', '--test-size', '100', '--epochs', '1'],
    shows: /epoch 1: /,
  },
  { file: 'tour.ts', shows: /agree with finite differences in 50 random weight settings/ },
  {
    file: 'per-example-gradients.ts',
    shows: /largest difference between vmap and the loop: (0\.00e\+0|\d\.\d\de-1[3-9])/,
  },
  { file: 'typed-model.ts', shows: /gradient check of every parameter .*: ok/ },
  {
    file: 'jit-step.ts',
    args: ['0.2'],
    shows: /agree bit for bit: yes\neager \d+ steps\/s, jitted \d+ steps\/s/,
  },
]

describe('examples as scripts', () => {
  it('every example has a test file and runs its main when executed as a script', () => {
    const files = fs
      .readdirSync(path.join(root, 'examples'))
      .filter((f) => f.endsWith('.ts') && f !== 'support.ts')
    expect(files.length).toBe(12)
    for (const file of files) {
      const test = path.join(root, 'test', 'examples', file.replace(/\.ts$/, '.test.ts'))
      expect(fs.existsSync(test), file).toBe(true)
      const source = fs.readFileSync(path.join(root, 'examples', file), 'utf8')
      expect(source, file).toMatch(/^if \(isMain\(import\.meta\.url\)\) main\(.*\)$/m)
      expect(source, file).toMatch(/^export const main = /m)
    }
  })

  it('each runs with exit code 0 and prints what shows it worked', async () => {
    const results: { file: string; code: number; stdout: string; stderr: string }[] = []
    for (let i = 0; i < cases.length; i += 2) {
      const pair = cases.slice(i, i + 2)
      results.push(
        ...(await Promise.all(
          pair.map(async (c) => ({ file: c.file, ...(await runScript(c.file, c.args)) })),
        )),
      )
    }
    results.forEach((r, i) => {
      expect({ file: r.file, code: r.code, stderr: r.stderr }).toEqual({ file: r.file, code: 0, stderr: '' })
      expect(r.stdout, r.file).toMatch(cases[i]!.shows)
    })
  })
})

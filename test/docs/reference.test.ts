/**
 * The API reference builds with no TypeDoc warning: `npm run docs`'s build (docs/typedoc.json,
 * treatWarningsAsErrors) into a temporary folder. Part of `npm test` so that an export whose
 * signature names an unexported type, a broken {@link}, or a new file missing from the category
 * table shows up before landing, not only in CI. docs/ has its own TypeScript 6 + TypeDoc (TypeDoc
 * needs the compiler API, which the root's TypeScript 7 lacks); it is installed here when missing.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const docs = path.join(root, 'docs')
const typedoc = path.join(docs, 'node_modules/typedoc/bin/typedoc')

describe('the API reference', () => {
  it('builds from the doc comments with no TypeDoc warning or error, grouped by topic', () => {
    if (!existsSync(typedoc))
      execFileSync('npm', ['ci', '--prefix', docs, '--no-audit', '--no-fund'], { cwd: root, stdio: 'ignore' })
    const out = mkdtempSync(path.join(tmpdir(), 'nabla-api-'))
    const r = spawnSync(process.execPath, [typedoc, '--options', 'typedoc.json', '--out', out], {
      cwd: docs,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 600_000,
    })
    const problems = `${r.stdout}\n${r.stderr}`.split('\n').filter((line) => /\[(warning|error)\]/.test(line))
    expect(
      problems,
      'TypeDoc found problems: export the type a public signature names (with an @example), or list a ' +
        'type-level helper users never name in docs/typedoc.json intentionallyNotExported; a new ' +
        'source file needs a row in docs/categories.mjs',
    ).toEqual([])
    expect(r.status).toBe(0)
    const main = readFileSync(path.join(out, 'modules/nabla.html'), 'utf8')
    for (const category of ['tensors', 'operations', 'transforms', 'layers', 'optimizers'])
      expect(main).toContain(`id="${category}"`)
    expect(existsSync(path.join(out, 'modules/nabla_node.html'))).toBe(true)
    expect(existsSync(path.join(out, 'modules/nabla_testing.html'))).toBe(true)
  }, 600_000)
})

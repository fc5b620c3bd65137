/**
 * Child processes of tests: a test's script (TypeScript importing src/) bundled by esbuild into
 * one ES module that plain Node runs, so that what a child measures (page faults, collections,
 * memory) is a fresh process's, without the test runner's loader or heap.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { buildSync } from 'esbuild'

const bundles = new Map<string, string>()
let dir: string | undefined

/** The path of `entry` (an absolute path to a .ts script) bundled for Node, built once per run. */
export const bundledScript = (entry: string): string => {
  const found = bundles.get(entry)
  if (found !== undefined) return found
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-child-'))
  const outfile = path.join(dir, `${bundles.size}-${path.basename(entry, '.ts')}.mjs`)
  buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'silent',
  })
  bundles.set(entry, outfile)
  return outfile
}

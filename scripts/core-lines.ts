/**
 * Counts the core's code lines: TypeScript under src/tensor (without src/tensor/kernels) and
 * src/grad, blank lines and comments excluded (cloc's rule: a line holding only a comment, or only
 * part of a block comment, is not code). Prints one line per folder and the total.
 *
 * Usage: `npx tsx scripts/core-lines.ts [folder ...]` (default: the core).
 *
 * @module scripts/core-lines
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'

/** Code lines of one TypeScript source: lines with something other than whitespace and comments. */
export const codeLines = (source: string): number => {
  let inBlock = false
  let count = 0
  for (const line of source.split('\n')) {
    let rest = line
    let code = false
    while (rest.length > 0) {
      if (inBlock) {
        const end = rest.indexOf('*/')
        if (end < 0) break
        inBlock = false
        rest = rest.slice(end + 2)
        continue
      }
      const trimmed = rest.trimStart()
      if (trimmed.startsWith('//') || trimmed === '') break
      if (trimmed.startsWith('/*')) {
        inBlock = true
        rest = trimmed.slice(2)
        continue
      }
      code = true
      break
    }
    if (code) count++
  }
  return count
}

const filesUnder = (folder: string, skip: readonly string[]): string[] =>
  readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name)
    if (skip.includes(full)) return []
    if (statSync(full).isDirectory()) return filesUnder(full, skip)
    return full.endsWith('.ts') ? [full] : []
  })

const core = [
  { folder: 'src/tensor', skip: ['src/tensor/kernels'] },
  { folder: 'src/grad', skip: [] },
]

const main = (): void => {
  const args = process.argv.slice(2)
  const targets = args.length > 0 ? args.map((folder) => ({ folder, skip: [] })) : core
  let total = 0
  for (const { folder, skip } of targets) {
    const lines = filesUnder(folder, skip).reduce((n, f) => n + codeLines(readFileSync(f, 'utf8')), 0)
    total += lines
    console.log(`${folder}${skip.length > 0 ? ` (without ${skip.join(', ')})` : ''}: ${lines}`)
  }
  console.log(`total: ${total}`)
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]))) main()

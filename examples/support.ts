/**
 * What the examples share: a `Log` sink (the console when run with tsx, an array in the tests),
 * `isMain` to run an example's `main` only when the file is executed directly, and number
 * formatting for side-by-side tables.
 *
 * @module examples/support
 */
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Where an example prints its lines.
 * @example
 * const lines: string[] = []
 * const log: Log = (line) => lines.push(line)
 */
export type Log = (line: string) => void

/**
 * Whether the module at `url` is the script node was started with (`npx tsx examples/x.ts`).
 * @example
 * if (isMain(import.meta.url)) main()
 */
export const isMain = (url: string): boolean => {
  const script = process.argv[1]
  return script !== undefined && url === pathToFileURL(path.resolve(script)).href
}

/**
 * A number in a fixed-width column: 15 significant digits, right-aligned.
 * @example
 * num(Math.PI) // '  3.14159265358979'
 */
export const num = (v: number, width = 22, digits = 15): string => v.toPrecision(digits).padStart(width)

/**
 * A small absolute difference in scientific notation.
 * @example
 * diff(1.5e-17) // '1.5e-17'
 */
export const diff = (v: number): string => (v === 0 ? '0' : v.toExponential(1))

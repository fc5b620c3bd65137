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

/**
 * Reads `--flag N` pairs of positive integers into options, by a table from flag to option name;
 * an unknown flag or a value that is not a positive integer throws `usage`.
 * @example
 * positiveIntegerFlags(['--epochs', '2'], new Map([['--epochs', 'epochs']]), 'usage: …') // { epochs: 2 }
 */
export const positiveIntegerFlags = (
  args: readonly string[],
  names: ReadonlyMap<string, string>,
  usage: string,
): Record<string, number> => {
  const options: Record<string, number> = {}
  for (let i = 0; i < args.length; i += 2) {
    const name = names.get(args[i] ?? '')
    const value = Number(args[i + 1])
    if (name === undefined || !Number.isInteger(value) || value <= 0) throw new Error(usage)
    options[name] = value
  }
  return options
}

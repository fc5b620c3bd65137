/**
 * Command-line parsing shared by the commands: `node:util` `parseArgs` in strict mode, with its
 * errors turned into one-line `UsageError`s, and checked conversions of flag values.
 *
 * @module cli/args
 */
import { type ParseArgsConfig, parseArgs } from 'node:util'

/**
 * A bad command line: unknown flag, missing or malformed value. The CLI prints
 * `nabla <command>: <message>` and exits with status 2.
 * @example
 * import { UsageError } from './args.js'
 * throw new UsageError('train', "--epochs must be a positive integer, got 'ten'")
 */
export class UsageError extends Error {
  readonly command: string
  constructor(command: string, message: string) {
    super(message)
    this.command = command
    this.name = 'UsageError'
  }
}

/**
 * The option table of a command.
 * @example
 * import type { Options } from './args.js'
 * const options: Options = { epochs: { type: 'string' } }
 */
export type Options = NonNullable<ParseArgsConfig['options']>

/**
 * Parsed flags: string flags as strings, boolean flags as booleans; and the positionals.
 * @example
 * import { parseFlags, type Options } from './args.js'
 * const options: Options = { epochs: { type: 'string' }, json: { type: 'boolean' } }
 * const { values, positionals } = parseFlags('train', ['--epochs', '3', '--json', 'run'], options, true)
 * // values { epochs: '3', json: true }, positionals ['run']
 */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | boolean | undefined>>
  readonly positionals: readonly string[]
}

/** The first sentence of a Node parseArgs message, lower-cased at the start (plus its hint for values starting with a dash). */
const oneLine = (message: string): string => {
  const first = message.split(/\.\s/)[0]!.replace(/\.$/, '').replace(/\s+/g, ' ')
  const dash = /use '(--[\w-]+)=-XYZ'/.exec(message)
  const hint = dash === null ? '' : `; for a value starting with '-' write ${dash[1]}=-VALUE`
  return first.charAt(0).toLowerCase() + first.slice(1) + hint
}

const isValueFlag = (arg: string, options: Options): boolean => {
  if (arg.startsWith('--')) return options[arg.slice(2)]?.type === 'string'
  if (/^-\w$/.test(arg)) return Object.values(options).some((o) => o.short === arg[1] && o.type === 'string')
  return false
}

/**
 * Parses `argv` against `options` strictly; any problem is a `UsageError` with one line.
 * @example
 * import { parseFlags } from './args.js'
 * const { values } = parseFlags('train', ['--epochs', '3'], { epochs: { type: 'string' } })
 */
export const parseFlags = (
  command: string,
  argv: readonly string[],
  options: Options,
  allowPositionals = false,
): ParsedFlags => {
  // `--epochs -3`: a value flag followed by a negative number takes it as its value, so the flag's
  // own check explains what is wrong (Node's parser would call the argument ambiguous)
  const args = argv.flatMap((arg, i) => {
    const previous = argv[i - 1]
    if (/^-\.?\d/.test(arg) && previous !== undefined && isValueFlag(previous, options)) return []
    const next = argv[i + 1]
    return isValueFlag(arg, options) && next !== undefined && /^-\.?\d/.test(next)
      ? [`${arg}=${next}`]
      : [arg]
  })
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals })
    return { values: values as ParsedFlags['values'], positionals }
  } catch (error) {
    throw new UsageError(command, oneLine(error instanceof Error ? error.message : String(error)))
  }
}

/**
 * A flag that must be a positive integer (`--epochs 10`).
 * @example
 * import { positiveInteger } from './args.js'
 * positiveInteger('train', 'epochs', '10') // 10
 */
export const positiveInteger = (command: string, flag: string, value: string): number => {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN
  if (!(Number.isSafeInteger(n) && n > 0))
    throw new UsageError(command, `--${flag} must be a positive integer, got '${value}'`)
  return n
}

/**
 * A flag that must be an integer (`--seed -3`).
 * @example
 * import { integer } from './args.js'
 * integer('train', 'seed', '7') // 7
 */
export const integer = (command: string, flag: string, value: string): number => {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n)) throw new UsageError(command, `--${flag} must be an integer, got '${value}'`)
  return n
}

/**
 * A flag that must be a finite number > 0 (`--lr 1e-3`).
 * @example
 * import { positiveNumber } from './args.js'
 * positiveNumber('train', 'lr', '1e-3') // 0.001
 */
export const positiveNumber = (command: string, flag: string, value: string): number => {
  const n = value.trim() === '' ? Number.NaN : Number(value)
  if (!(Number.isFinite(n) && n > 0))
    throw new UsageError(command, `--${flag} must be a finite number > 0, got '${value}'`)
  return n
}

/**
 * A flag that must be one of a few words (`--optimizer adam`).
 * @example
 * import { oneOf } from './args.js'
 * oneOf('train', 'optimizer', 'adam', ['adam', 'sgd']) // 'adam'
 */
export const oneOf = <T extends string>(
  command: string,
  flag: string,
  value: string,
  choices: readonly T[],
): T => {
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(command, `--${flag} must be one of ${choices.join(', ')}, got '${value}'`)
  return value as T
}

/**
 * A comma-separated list of positive integers (`--hidden 128` or `--hidden 64,32`).
 * @example
 * import { sizeList } from './args.js'
 * sizeList('train', 'hidden', '64,32') // [64, 32]
 */
export const sizeList = (command: string, flag: string, value: string): number[] => {
  const parts = value.split(',')
  try {
    return parts.map((p) => positiveInteger(command, flag, p))
  } catch {
    throw new UsageError(command, `--${flag} must be positive integers separated by commas, got '${value}'`)
  }
}

/**
 * The `--activation` of the mlp recipe (default relu), or a `UsageError` listing the names.
 * @example
 * import { activationFlag } from './args.js'
 * activationFlag('train', 'tanh') // 'tanh'
 */
export const activationFlag = (command: string, value: string | undefined) =>
  oneOf(command, 'activation', value ?? 'relu', ['relu', 'tanh', 'sigmoid', 'softplus', 'leakyRelu'] as const)

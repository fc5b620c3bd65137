/**
 * Flag parsing: strict `parseArgs` errors become one-line `UsageError`s, and the value converters
 * accept exactly what they promise (property-based) and reject the rest with the flag's name.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  activationFlag,
  integer,
  oneOf,
  parseFlags,
  positiveInteger,
  positiveNumber,
  sizeList,
  UsageError,
} from '../../src/cli/args.js'

const options = { epochs: { type: 'string' }, plain: { type: 'boolean' } } as const

const usage = (f: () => unknown): UsageError => {
  try {
    f()
  } catch (e) {
    if (e instanceof UsageError) return e
    throw e
  }
  throw new Error('expected a UsageError')
}

describe('parseFlags', () => {
  it('parses known flags and positionals when allowed', () => {
    const r = parseFlags('train', ['--epochs', '3', '--plain', 'dir'], options, true)
    expect(r.values).toEqual({ epochs: '3', plain: true })
    expect(r.positionals).toEqual(['dir'])
  })
  it('takes a negative number after a value flag as its value, so the flag check can explain it', () => {
    expect(parseFlags('train', ['--epochs', '-3', '--plain'], options).values).toEqual({
      epochs: '-3',
      plain: true,
    })
    expect(parseFlags('train', ['--epochs', '-.5'], options).values).toEqual({ epochs: '-.5' })
    expect(() => parseFlags('train', ['--plain', '-3'], options)).toThrow(UsageError)
  })
  it('turns every parse failure into one line naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /^unknown option '--bogus'$/],
      [['--epochs'], /^option '--epochs <value>' argument missing$/],
      [['extra'], /^unexpected argument 'extra'$/],
      [
        ['--epochs', '-x'],
        /^option '--epochs' argument is ambiguous; for a value starting with '-' write --epochs=-VALUE$/,
      ],
    ]
    for (const [argv, message] of cases) {
      const e = usage(() => parseFlags('train', argv, options))
      expect(e.command).toBe('train')
      expect(e.message).toMatch(message)
      expect(e.message).not.toContain('\n')
    }
  })
})

describe('value converters', () => {
  it('positiveInteger accepts decimal integers ≥ 1 and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (n) => {
        expect(positiveInteger('train', 'epochs', String(n))).toBe(n)
      }),
      { seed: 1, numRuns: 50 },
    )
    for (const bad of ['0', '-1', '1.5', '1e3', 'ten', '', ' ', '0x10', 'Infinity'])
      expect(usage(() => positiveInteger('train', 'epochs', bad)).message).toBe(
        `--epochs must be a positive integer, got '${bad}'`,
      )
  })
  it('integer accepts negative seeds; positiveNumber accepts finite numbers > 0', () => {
    expect(integer('train', 'seed', '-7')).toBe(-7)
    expect(() => integer('train', 'seed', '2.5')).toThrow(UsageError)
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1e6, noNaN: true }), (x) => {
        expect(positiveNumber('train', 'lr', String(x))).toBe(x)
      }),
      { seed: 2, numRuns: 50 },
    )
    for (const bad of ['0', '-1e-3', 'NaN', 'Infinity', 'abc', ''])
      expect(usage(() => positiveNumber('train', 'lr', bad)).message).toMatch(
        /^--lr must be a finite number > 0/,
      )
  })
  it('oneOf and sizeList', () => {
    expect(oneOf('train', 'optimizer', 'sgd', ['adam', 'sgd'])).toBe('sgd')
    expect(usage(() => oneOf('train', 'optimizer', 'rmsprop', ['adam', 'sgd'])).message).toBe(
      "--optimizer must be one of adam, sgd, got 'rmsprop'",
    )
    expect(sizeList('train', 'hidden', '64,32')).toEqual([64, 32])
    expect(() => sizeList('train', 'hidden', '64,,32')).toThrow(/--hidden must be positive integers/)
  })
  it('activationFlag: relu by default, the recipe activations, else a usage error listing them', () => {
    expect(activationFlag('train', undefined)).toBe('relu')
    expect(activationFlag('gradcheck', 'leakyRelu')).toBe('leakyRelu')
    expect(usage(() => activationFlag('train', 'gelu')).message).toBe(
      "--activation must be one of relu, tanh, sigmoid, softplus, leakyRelu, got 'gelu'",
    )
  })
})

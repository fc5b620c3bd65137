/** Tests of the JSON syntax-error locator: it agrees with JSON.parse on validity and finds the offset. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { describeJsonError, jsonErrorOffset } from '../../../src/models/serialize/jsonSyntax.js'

const parses = (s: string): boolean => {
  try {
    JSON.parse(s)
    return true
  } catch {
    return false
  }
}

describe('jsonErrorOffset', () => {
  it('finds no error in any JSON.stringify output', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (value, indent) => {
        expect(jsonErrorOffset(JSON.stringify(value, null, indent))).toBeUndefined()
      }),
      { seed: 601, numRuns: 300 },
    )
  })
  it('agrees with JSON.parse on mutated JSON and random text', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '-', 'x', '\\', '\u0001', ' '))
      .map(
        ([text, at, insert]) =>
          text.slice(0, at % (text.length + 1)) + insert + text.slice((at % (text.length + 1)) + 1),
      )
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ maxLength: 12 })), (text) => {
        expect(jsonErrorOffset(text) === undefined).toBe(parses(text))
      }),
      { seed: 602, numRuns: 2000 },
    )
  })
  it('points at the offending character', () => {
    expect(jsonErrorOffset('{"a":}')).toBe(5)
    expect(jsonErrorOffset('[1,2,,3]')).toBe(5)
    expect(jsonErrorOffset('{"a": 1}x')).toBe(8)
    expect(jsonErrorOffset('"abc')).toBe(4)
    expect(jsonErrorOffset('[01]')).toBe(2)
    expect(jsonErrorOffset('tru')).toBe(3)
    expect(jsonErrorOffset('')).toBe(0)
    expect(jsonErrorOffset('['.repeat(100_000))).toBe(100_000)
  })
  it('describes the place with line and column, preferring the SyntaxError’s own position', () => {
    expect(describeJsonError('{\n"a":}')).toBe('position 6 (line 2, column 5)')
    expect(
      describeJsonError('{"a":1', "Expected ',' or '}' after property value in JSON at position 6"),
    ).toBe('position 6 (line 1, column 7)')
  })
})

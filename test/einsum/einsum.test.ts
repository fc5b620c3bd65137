/**
 * einsum against an independent naive implementation (one loop over every assignment of every
 * index), over random specs — repeated indices, traces, implicit output, `...` broadcasting — and
 * random shapes; gradients of random specs against finite differences at first and second order;
 * the errors a user sees for malformed specs and mismatched sizes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  DTypeError,
  einsum,
  ShapeError,
  toFlat,
  zeros,
} from '../../src/index.js'
import { checkGrads, describeMismatch } from '../../src/testing/index.js'
import { toTensor } from '../support/arbitraries.js'
import type { Naive } from '../support/naive.js'

// ---------------------------------------------------------------------------------------------
// The reference: every index assignment, multiply, accumulate (no reshapes, no matmul).

/** Splits a term into one label per axis of an operand of `rank`; '...' axes become '#k' (from the right). */
const axisLabels = (term: string, rank: number): string[] => {
  const [before, after] = term.includes('...') ? term.split('...') : [term, undefined]
  const named = before!.length + (after?.length ?? 0)
  const spread = after === undefined ? 0 : rank - named
  return [...before!, ...Array.from({ length: spread }, (_, k) => `#${spread - k}`), ...(after ?? '')]
}

const naiveEinsum = (spec: string, operands: readonly Naive[]): Naive => {
  const compact = spec.replaceAll(' ', '')
  const [lhs, rhs] = compact.split('->')
  const labels = lhs!.split(',').map((term, i) => axisLabels(term, operands[i]!.shape.length))
  const size = new Map<string, number>()
  labels.forEach((ls, i) => {
    ls.forEach((l, axis) => {
      const d = operands[i]!.shape[axis]!
      if (!size.has(l) || size.get(l) === 1) size.set(l, d)
    })
  })
  const spreadLabels = [...size.keys()]
    .filter((l) => l.startsWith('#'))
    .sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)))
  let out: string[]
  if (rhs === undefined) {
    const counts = new Map<string, number>()
    for (const l of labels.flat()) counts.set(l, (counts.get(l) ?? 0) + 1)
    const once = [...counts].filter(([l, n]) => n === 1 && !l.startsWith('#')).map(([l]) => l)
    out = [...spreadLabels, ...once.sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0))]
  } else {
    const [before, after] = rhs.includes('...') ? rhs.split('...') : [rhs, undefined]
    out = [...before!, ...(after === undefined ? [] : spreadLabels), ...(after ?? '')]
  }
  const all = [...size.keys()]
  const outShape = out.map((l) => size.get(l)!)
  const data = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0)
  const total = all.reduce((n, l) => n * size.get(l)!, 1)
  const value = new Map<string, number>()
  for (let flat = 0; flat < total; flat++) {
    let rest = flat
    for (let j = all.length - 1; j >= 0; j--) {
      const n = size.get(all[j]!)!
      value.set(all[j]!, rest % n)
      rest = Math.floor(rest / n)
    }
    let term = 1
    operands.forEach((op, i) => {
      let offset = 0
      labels[i]!.forEach((l, axis) => {
        const d = op.shape[axis]!
        offset = offset * d + (d === 1 ? 0 : value.get(l)!)
      })
      term *= op.data[offset]!
    })
    let at = 0
    out.forEach((l, k) => {
      at = at * outShape[k]! + value.get(l)!
    })
    data[at] = data[at]! + term
  }
  return { shape: outShape, data }
}

// ---------------------------------------------------------------------------------------------
// Random specs

interface EinsumCase {
  readonly spec: string
  readonly operands: readonly Naive[]
}

const values = (shape: readonly number[]) =>
  fc
    .array(fc.double({ min: -2, max: 2, noNaN: true }), {
      minLength: shape.reduce((a, b) => a * b, 1),
      maxLength: shape.reduce((a, b) => a * b, 1),
    })
    .map((data) => ({ shape, data }))

/** A spec over letters (repeats, traces, implicit or explicit output) with operands to fit. */
const arbLetterCase = (minDim: number, maxDim: number): fc.Arbitrary<EinsumCase> =>
  fc
    .record({
      letters: fc.uniqueArray(fc.constantFrom(...'abcdXY'), { minLength: 1, maxLength: 4 }),
      dims: fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: 6, maxLength: 6 }),
      picks: fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      output: fc.option(fc.array(fc.nat(), { maxLength: 4 }), { nil: undefined }),
      spaces: fc.boolean(),
    })
    .chain(({ letters, dims, picks, output, spaces }) => {
      const terms = picks.map((p) => p.map((k) => letters[k % letters.length]!).join(''))
      const used = [...new Set(terms.join(''))]
      const out =
        output === undefined ? undefined : [...new Set(output.map((k) => used[k % used.length]!))].join('')
      const lhs = terms.join(spaces ? ' , ' : ',')
      const spec = out === undefined || used.length === 0 ? lhs : `${lhs}->${out}`
      const size = (l: string) => dims[letters.indexOf(l)]!
      return fc.tuple(...terms.map((t) => values([...t].map(size)))).map((operands) => ({ spec, operands }))
    })

/** A spec with '...' in every term, operands whose '...' axes broadcast (some are 1 or missing). */
const arbEllipsisCase: fc.Arbitrary<EinsumCase> = fc
  .record({
    batch: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
    operands: fc.array(
      fc.record({
        term: fc.constantFrom('ij', 'jk', 'i', 'j', '', 'ji'),
        drop: fc.nat({ max: 2 }),
        ones: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
        leading: fc.boolean(),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    output: fc.constantFrom('...i', 'i...', '...', 'ij...', undefined),
    dims: fc.record({
      i: fc.integer({ min: 1, max: 3 }),
      j: fc.integer({ min: 1, max: 3 }),
      k: fc.integer({ min: 1, max: 3 }),
    }),
  })
  .chain(({ batch, operands, output, dims }) => {
    const terms = operands.map((o) => (o.leading ? `...${o.term}` : `${o.term}...`))
    const used = new Set(terms.join(''))
    const out =
      output === undefined || [...output.replaceAll('.', '')].every((l) => used.has(l)) ? output : '...'
    const spec = out === undefined ? terms.join(',') : `${terms.join(',')}->${out}`
    const shapes = operands.map((o, i) => {
      const spread = batch.slice(Math.min(o.drop, batch.length)).map((d, k) => (o.ones[k] ? 1 : d))
      const named = [...o.term].map((l) => dims[l as 'i' | 'j' | 'k'])
      return terms[i]!.startsWith('...') ? [...spread, ...named] : [...named, ...spread]
    })
    return fc.tuple(...shapes.map(values)).map((ops) => ({ spec, operands: ops }))
  })

const close = (actual: readonly number[], expected: readonly number[]): boolean =>
  actual.length === expected.length &&
  actual.every((v, i) => Math.abs(v - expected[i]!) <= 1e-9 * (1 + Math.abs(expected[i]!)))

const check = ({ spec, operands }: EinsumCase): void => {
  const expected = naiveEinsum(spec, operands)
  const actual: AnyTensor = einsum(spec as string, ...operands.map((o) => toTensor(o)))
  expect(actual.shape, spec).toEqual(expected.shape)
  expect(close(toFlat(actual), expected.data), `${spec}: ${toFlat(actual)} vs ${expected.data}`).toBe(true)
}

describe('einsum against the naive loops', () => {
  it('agrees on random letter specs: contractions, repeated indices, traces, implicit output', () => {
    fc.assert(
      fc.property(arbLetterCase(0, 3), (c) => check(c)),
      { seed: 20261206, numRuns: 400 },
    )
  })

  it("agrees on random '...' specs whose batch axes broadcast", () => {
    fc.assert(
      fc.property(arbEllipsisCase, (c) => check(c)),
      { seed: 20261206, numRuns: 300 },
    )
  })

  it('agrees on the specs attention uses', () => {
    const cases = [
      ['bhqd,bhkd->bhqk', [2, 3, 4, 5], [2, 3, 6, 5]],
      ['bhqk,bhkd->bhqd', [2, 3, 4, 6], [2, 3, 6, 5]],
      ['bte,ehd->bhtd', [2, 4, 6], [6, 3, 2]],
      ['bhtd,hde->bte', [2, 3, 4, 2], [3, 2, 6]],
    ] as const
    fc.assert(
      fc.property(
        fc
          .constantFrom(...cases)
          .chain(([spec, a, b]) => fc.tuple(values(a), values(b)).map((ops) => ({ spec, operands: ops }))),
        (c) => check(c),
      ),
      { seed: 1, numRuns: 20 },
    )
  })
})

describe('einsum gradients', () => {
  it('agree with finite differences at first and second order on random specs', () => {
    fc.assert(
      fc.property(arbLetterCase(1, 3), ({ spec, operands }) => {
        const f = (xs: readonly AnyTensor[]) => einsum(spec as string, ...xs)
        const result = checkGrads(
          f,
          operands.map((o) => toTensor(o)),
          { order: 2, modes: ['full', 'random'], seed: 3 },
        )
        if (!result.ok) throw new Error(`${spec}: ${describeMismatch(result.failures[0]!)}`)
      }),
      { seed: 20261206, numRuns: 40 },
    )
  })
})

describe('einsum errors', () => {
  const m = zeros([2, 3]) as AnyTensor
  it('names the index and both sizes when sizes disagree', () => {
    expect(() => einsum('ij,jk->ik', m, zeros([4, 5]) as AnyTensor)).toThrow(
      new ShapeError('einsum', 'index j is 3 in operand 0 (shape [2,3]) but 4 in operand 1 (shape [4,5])'),
    )
    expect(() => einsum('...i,...i->...', zeros([2, 3]) as AnyTensor, zeros([4, 3]) as AnyTensor)).toThrow(
      /the '...' axes do not broadcast: an axis is 2 in operand 0 \(shape \[2,3\]\) but 4 in operand 1/,
    )
  })

  it('rejects malformed specs with an ArgumentError saying what is wrong', () => {
    // @ts-expect-error: two arrows
    expect(() => einsum('ij->i->j', m)).toThrow(
      new ArgumentError('einsum', `spec "ij->i->j" has more than one '->'`),
    )
    expect(() => einsum('i1->i', m)).toThrow(/term "i1" has "1"; indices are letters/)
    expect(() => einsum('ij->ii', m)).toThrow(/output index i appears more than once/)
    // @ts-expect-error: k is in no input
    expect(() => einsum('ij->k', m)).toThrow(/output index k appears in no input term/)
    // @ts-expect-error: two terms, one operand
    expect(() => einsum('ij,jk->ik', m)).toThrow(/has 2 input terms but 1 operand was given/)
    expect(() => einsum('i->i', m)).toThrow(
      new ShapeError('einsum', `operand 0 has shape [2,3] (rank 2) but its term "i" names 1 index`),
    )
    expect(() => einsum('...ijk->i', m)).toThrow(ShapeError)
    expect(() => einsum(3 as unknown as string, m)).toThrow(ArgumentError)
    expect(() => einsum('ij', 'x' as unknown as AnyTensor)).toThrow(DTypeError)
    expect(() =>
      einsum('i,i->', zeros([2]) as AnyTensor, zeros([2], { dtype: 'float64' }) as AnyTensor),
    ).toThrow(DTypeError)
  })
})

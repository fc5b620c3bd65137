/**
 * Tests of the reverse tracer's read-only view (what src/inspect draws from): the tape lists the
 * leaves then the applications in evaluation order with their parents; `retain` keeps every node's
 * cotangent, and each equals the hand derivative; `recordAll` adds comparisons; the trace is popped
 * when `f` throws.
 */
import { describe, expect, it } from 'vitest'
import { recordReverse } from '../../src/grad/internal.js'
import { type AnyTensor, greater, mul, sin, sum, tensor, toFlat } from '../../src/index.js'

const f64 = { dtype: 'float64' } as const

describe('recordReverse', () => {
  it('records leaves and applications in order, and retains every cotangent', () => {
    const x = tensor([0.5, -1, 2], f64)
    const { trace, inputNodes, result } = recordReverse('test', (v: AnyTensor) => sum(sin(mul(v, v))), x)
    expect(trace.nodes.map((n) => n.prim?.name ?? 'leaf')).toEqual(['leaf', 'mul', 'sin', 'sum'])
    expect(trace.nodes.map((n) => n.parents)).toEqual([[], [0, 0], [1], [2]])
    expect(inputNodes).toEqual([0])
    const output = trace.nodeOf(result as AnyTensor)
    expect(output).toBe(3)
    const cotangents = trace.backward([[output, tensor(1, f64)]], true)
    const xs = toFlat(x)
    // ∂/∂(v²) of Σ sin(v²) is cos(v²); ∂/∂v is 2v cos(v²)
    expect(toFlat(cotangents[2]!)).toEqual([1, 1, 1])
    toFlat(cotangents[1]!).forEach((c, i) => {
      expect(c).toBeCloseTo(Math.cos(xs[i]! ** 2), 14)
    })
    toFlat(cotangents[0]!).forEach((c, i) => {
      expect(c).toBeCloseTo(2 * xs[i]! * Math.cos(xs[i]! ** 2), 14)
    })
    // without retain only the leaves keep theirs
    const dropped = trace.backward([[output, tensor(1, f64)]])
    expect(dropped[1]).toBeUndefined()
    expect(dropped[0]).toBeDefined()
  })

  it('records comparisons only with recordAll', () => {
    const f = (v: AnyTensor) => mul(greater(v, 0), v)
    const x = tensor([1, -1], f64)
    expect(recordReverse('test', f, x).trace.nodes.map((n) => n.prim?.name)).toEqual([undefined, 'mul'])
    const all = recordReverse('test', f, x, { recordAll: true }).trace.nodes
    expect(all.map((n) => n.prim?.name)).toEqual([undefined, 'greater', 'mul'])
  })

  it('pops its trace when f throws', () => {
    expect(() =>
      recordReverse(
        'test',
        (v: AnyTensor) => {
          mul(v, 2)
          throw new Error('boom')
        },
        tensor([1], f64),
      ),
    ).toThrow('boom')
    expect(toFlat(mul(tensor([2], f64), 3))).toEqual([6])
    const { trace } = recordReverse('test', (v: AnyTensor) => mul(v, 2), tensor([1], f64))
    expect(trace.nodes).toHaveLength(2)
    expect(trace.level).toBe(1)
  })
})

/**
 * Tests of `traceGraph` and `toDot`: the graph of 3Blue1Brown's chain has the expected nodes and
 * edges and its per-node gradients equal the hand formulas; intermediate gradients equal the
 * gradient of the rest of the function written out by hand; constants, non-scalar outputs, nested
 * `grad` and exceptions behave; the DOT text names every node and edge.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  add,
  grad,
  greater,
  item,
  mul,
  scalar,
  sigmoid,
  sin,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  toFlat,
  where,
} from '../../src/index.js'
import { type ComputationGraph, summarize, toDot, traceGraph } from '../../src/inspect/index.js'

const f64 = { dtype: 'float64' } as const
const s = (v: number): Tensor<[], 'float64'> => scalar(v, f64)
const sig = (z: number): number => 1 / (1 + Math.exp(-z))

/** One neuron of the chain: C = (σ(w·a + b) − y)², with y a constant. */
const chainCost =
  (y: number) =>
  (p: { a: AnyTensor; w: AnyTensor; b: AnyTensor }): AnyTensor =>
    square(sub(sigmoid(add(mul(p.w, p.a), p.b)), y))

const opsOf = (g: ComputationGraph): string[] => g.nodes.filter((n) => n.kind === 'op').map((n) => n.op)
const only = (values: readonly number[]): number => {
  expect(values).toHaveLength(1)
  return values[0]!
}
const close = (actual: number, expected: number, tol = 1e-12): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)))
}

describe('traceGraph on the 3Blue1Brown chain', () => {
  it('has the expected nodes and edges', () => {
    const g = traceGraph(chainCost(1), { a: s(0.7), w: s(0.3), b: s(0.1) })
    // inputs in flatten order (sorted keys), then the ops in evaluation order, the constant y
    // appearing where it is first used
    expect(g.nodes.map((n) => `${n.kind}:${n.label}`)).toEqual([
      'input:a',
      'input:b',
      'input:w',
      'op:mul',
      'op:add',
      'op:sigmoid',
      'constant:1',
      'op:sub',
      'op:mul',
    ])
    expect(g.inputs).toEqual([0, 1, 2])
    expect(g.output).toBe(8)
    const edges = g.nodes.flatMap((n) => n.inputs.map((i, position) => `${i}->${n.id}#${position}`))
    expect(edges).toEqual([
      '2->3#0',
      '0->3#1',
      '3->4#0',
      '1->4#1',
      '4->5#0',
      '5->7#0',
      '6->7#1',
      '7->8#0',
      '7->8#1',
    ])
    for (const n of g.nodes) {
      expect(n.shape).toEqual([])
      expect(n.dtype).toBe('float64')
    }
  })

  it('carries the forward values and the hand-derived gradients of every node', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, w, b, y) => {
          const g = traceGraph(chainCost(y), { a: s(a), w: s(w), b: s(b) })
          const z = w * a + b
          const aL = sig(z)
          const dC_daL = 2 * (aL - y)
          const dC_dz = aL * (1 - aL) * dC_daL
          const byLabel = (label: string, nth = 0) => g.nodes.filter((n) => n.label === label)[nth]!
          // forward values
          close(only(byLabel('mul').value.values), w * a)
          close(only(byLabel('add').value.values), z)
          close(only(byLabel('sigmoid').value.values), aL)
          close(only(byLabel('sub').value.values), aL - y)
          close(only(byLabel('mul', 1).value.values), (aL - y) ** 2)
          // gradients: ∂C/∂node, from the hand formulas
          close(only(byLabel('mul', 1).grad!.values), 1)
          close(only(byLabel('sub').grad!.values), 2 * (aL - y))
          close(only(byLabel('sigmoid').grad!.values), dC_daL)
          close(only(byLabel('add').grad!.values), dC_dz)
          close(only(byLabel('mul').grad!.values), dC_dz)
          close(only(byLabel('w').grad!.values), a * dC_dz)
          close(only(byLabel('b').grad!.values), dC_dz)
          close(only(byLabel('a').grad!.values), w * dC_dz)
          const constant = g.nodes.find((n) => n.kind === 'constant')!
          expect(constant.value.values).toEqual([y])
          expect(constant.grad).toBeUndefined()
        },
      ),
      { seed: 7, numRuns: 60 },
    )
  })

  it('gives a deeper chain the recursively derived ∂C/∂aₗ at every sigmoid node', () => {
    const ws = [0.9, -1.3, 0.6, 1.8]
    const bs = [0.2, 0.1, -0.4, 0.05]
    const y = 0.25
    const g = traceGraph((a0: AnyTensor) => {
      let a = a0
      ws.forEach((w, l) => {
        a = sigmoid(add(mul(s(w), a), s(bs[l]!)))
      })
      return square(sub(a, y))
    }, s(0.5))
    // forward by hand, then ∂C/∂a_L = 2(a_L − y), ∂C/∂a_{l−1} = w_l σ'(z_l) ∂C/∂a_l
    const as = [0.5]
    ws.forEach((w, l) => {
      as.push(sig(w * as[l]! + bs[l]!))
    })
    const dA = new Array<number>(ws.length + 1)
    dA[ws.length] = 2 * (as[ws.length]! - y)
    for (let l = ws.length; l >= 1; l--) dA[l - 1] = ws[l - 1]! * as[l]! * (1 - as[l]!) * dA[l]!
    const sigmoids = g.nodes.filter((n) => n.op === 'sigmoid')
    expect(sigmoids).toHaveLength(ws.length)
    sigmoids.forEach((n, l) => {
      close(only(n.value.values), as[l + 1]!)
      close(only(n.grad!.values), dA[l + 1]!)
    })
    close(only(g.nodes[g.inputs[0]!]!.grad!.values), dA[0]!)
    // w and b are closed-over constants here: 4 weights and 4 biases, plus y
    expect(g.nodes.filter((n) => n.kind === 'constant')).toHaveLength(9)
  })
})

describe('traceGraph on tensors', () => {
  const x = tensor([0.3, -1.2, 2.0, 0.7, -0.1, 1.5, 0.9], f64)
  const w = tensor([1.1, -0.4, 0.8, 0.5, 2.0, -1.5, 0.3], f64)

  it('gives input nodes the gradient of grad and intermediate nodes the gradient of the rest', () => {
    const f = (p: { x: AnyTensor; w: AnyTensor }) => sum(sin(mul(tanh(p.x), p.w)))
    const g = traceGraph(f, { x, w }, { limit: 100 })
    expect(opsOf(g)).toEqual(['tanh', 'mul', 'sin', 'sum'])
    const reference = grad(f)({ x, w })
    expect(g.nodes[g.inputs[0]!]!.label).toBe('w')
    expect(g.nodes[g.inputs[0]!]!.grad!.values).toEqual(toFlat(reference.w))
    expect(g.nodes[g.inputs[1]!]!.grad!.values).toEqual(toFlat(reference.x))
    // ∂/∂(tanh x) of sum(sin(t · w)) is cos(t · w) · w, by hand
    const t = toFlat(x).map(Math.tanh)
    const tanhNode = g.nodes.find((n) => n.op === 'tanh')!
    toFlat(w).forEach((wi, i) => {
      close(tanhNode.value.values[i]!, t[i]!)
      close(tanhNode.grad!.values[i]!, Math.cos(t[i]! * wi) * wi)
    })
    // ∂/∂(t · w) of sum(sin(u)) is cos(u)
    const mulNode = g.nodes.find((n) => n.op === 'mul')!
    mulNode.value.values.forEach((u, i) => {
      close(mulNode.grad!.values[i]!, Math.cos(u))
    })
  })

  it('summarises large values: statistics over all elements, the first few values', () => {
    const g = traceGraph((v: AnyTensor) => sum(v), x, { limit: 3 })
    const input = g.nodes[0]!
    expect(input.value.values).toEqual([0.3, -1.2, 2.0])
    expect(input.value.truncated).toBe(true)
    expect(input.value.size).toBe(7)
    expect(input.value.min).toBe(-1.2)
    expect(input.value.max).toBe(2.0)
    close(input.value.mean, (0.3 - 1.2 + 2.0 + 0.7 - 0.1 + 1.5 + 0.9) / 7)
    expect(input.grad!.values).toEqual([1, 1, 1])
  })

  it('needs a cotangent for a non-scalar output, and uses it', () => {
    expect(() => traceGraph((v: AnyTensor) => mul(v, 3), x)).toThrow(/cotangent/)
    expect(() => traceGraph((v: AnyTensor) => mul(v, 3), x, { cotangent: tensor([1, 2], f64) })).toThrow(
      /shape \[2\]/,
    )
    const c = tensor([1, 2, 3, 4, 5, 6, 7], f64)
    const g = traceGraph((v: AnyTensor) => mul(v, 3), x, { cotangent: c, limit: 10 })
    expect(g.nodes[0]!.grad!.values).toEqual([3, 6, 9, 12, 15, 18, 21])
  })

  it('makes one constant node per distinct closed-over tensor', () => {
    const k = tensor([2, 2, 2, 2, 2, 2, 2], f64)
    const g = traceGraph((v: AnyTensor) => sum(mul(add(v, k), k)), x)
    const constants = g.nodes.filter((n) => n.kind === 'constant')
    expect(constants).toHaveLength(1)
    const users = g.nodes.filter((n) => n.inputs.includes(constants[0]!.id)).map((n) => n.op)
    expect(users).toEqual(['add', 'mul'])
    expect(constants[0]!.label).toBe('const [7]')
  })

  it('records the backward pass of a grad taken inside f', () => {
    // f(x) = Σ ∂/∂x (x³) = Σ 3x², so ∂f/∂x = 6x
    const f = (v: AnyTensor) => sum(grad((u: AnyTensor) => sum(mul(mul(u, u), u)))(v))
    const g = traceGraph(f, x, { limit: 10 })
    expect(opsOf(g).length).toBeGreaterThan(3)
    g.nodes[0]!.grad!.values.forEach((d, i) => {
      close(d, 6 * toFlat(x)[i]!)
    })
  })

  it('leaves no tracing state behind when f throws', () => {
    expect(() =>
      traceGraph((v: AnyTensor) => {
        mul(v, 2)
        throw new Error('boom')
      }, x),
    ).toThrow('boom')
    const g = traceGraph((v: AnyTensor) => sum(mul(v, v)), s(3))
    expect(only(g.nodes[0]!.grad!.values)).toBe(6)
    expect(item(mul(s(2), s(3)))).toBe(6)
  })

  it('summarize handles empty tensors', () => {
    const e = summarize(tensor([], f64))
    expect(e.size).toBe(0)
    expect(Number.isNaN(e.min) && Number.isNaN(e.max) && Number.isNaN(e.mean)).toBe(true)
    expect(e.values).toEqual([])
  })
})

describe('toDot', () => {
  it('declares every node and every edge, with values and gradients in the labels', () => {
    const g = traceGraph(chainCost(1), { a: s(0.5), w: s(2), b: s(-1) })
    const dot = toDot(g, { title: 'C = (a − y)² <chain> & more' })
    expect(dot.startsWith('digraph nabla {')).toBe(true)
    expect(dot.trimEnd().endsWith('}')).toBe(true)
    for (const n of g.nodes) expect(dot).toMatch(new RegExp(`^  n${n.id} \\[.*label=<<b>${n.label}</b>`, 'm'))
    const edgeLines = dot.split('\n').filter((l) => l.includes('->'))
    expect(edgeLines).toHaveLength(g.nodes.reduce((k, n) => k + n.inputs.length, 0))
    for (const n of g.nodes) for (const i of n.inputs) expect(dot).toContain(`n${i} -> n${n.id}`)
    // z = 2·0.5 − 1 = 0, so σ(z) = 0.5 and ∂C/∂σ = 2(0.5 − 1) = −1
    expect(dot).toContain('value 0.5<br/><font color="#b91c1c">grad -1</font>')
    expect(dot).toContain('label=<C = (a − y)² &lt;chain&gt; &amp; more>')
    expect(dot).toMatch(/n8 \[.*peripheries=2/)
  })

  it('shows statistics for tensors of more than four elements', () => {
    const g = traceGraph((v: AnyTensor) => sum(v), tensor([1, 2, 3, 4, 10], f64))
    expect(toDot(g)).toContain('value [1, 2, 3, …]<br/><font point-size="9">min 1 max 10 mean 4</font>')
  })
})

describe('traceGraph reads the reverse tape', () => {
  it('runs f once', () => {
    let calls = 0
    traceGraph((v: AnyTensor) => {
      calls++
      return sum(mul(v, v))
    }, s(2))
    expect(calls).toBe(1)
  })

  it('draws comparisons as ops of their inputs, with a zero gradient', () => {
    // relu by hand: where(x > 0, x, 0); d/dx = 1 where x > 0
    const v = tensor([-1, 2, 3], f64)
    const g = traceGraph((u: AnyTensor) => sum(where(greater(u, 0), u, 0)), v, { limit: 10 })
    expect(opsOf(g)).toEqual(['greater', 'where', 'sum'])
    const comparison = g.nodes.find((n) => n.op === 'greater')!
    expect(comparison.inputs[0]).toBe(g.inputs[0])
    expect(comparison.value.values).toEqual([0, 1, 1])
    expect(comparison.grad!.values).toEqual([0, 0, 0])
    expect(g.nodes[g.inputs[0]!]!.grad!.values).toEqual([0, 1, 1])
  })
})

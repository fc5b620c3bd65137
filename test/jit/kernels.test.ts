/**
 * Group kernels: the generated WebAssembly kernel agrees bit for bit with the generated JavaScript
 * loop (which rounds like the eager kernels) on random expressions and layouts; float32 tanh stays
 * within a few ulps of Math.tanh; `layoutFor` finds the [outer, inner] split of common broadcasts,
 * and `blockedLayoutFor` the same repeated over blocks (a channel bias over images), which the
 * WebAssembly kernel runs block by block, again bit for bit the JavaScript loop.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  blockedLayoutFor,
  javascriptGroupKernel,
  layoutFor,
  minimumBlock,
  wasmGroupKernel,
} from '../../src/jit/kernels.js'
import { createArena } from '../../src/tensor/internal.js'
import { arbFusedExpression } from '../tensor/kernels/wasm/helpers.js'

describe('group kernels', () => {
  it('layoutFor splits bias rows, columns and scalars', () => {
    expect(layoutFor([4, 5], [[4, 5], [5], []])).toEqual({
      outer: 4,
      inner: 5,
      layouts: ['full', 'row', 'scalar'],
    })
    expect(
      layoutFor(
        [4, 5],
        [
          [4, 5],
          [4, 1],
        ],
      ),
    ).toEqual({ outer: 4, inner: 5, layouts: ['full', 'column'] })
    expect(
      layoutFor(
        [4, 5],
        [
          [4, 5],
          [4, 5],
        ],
      ),
    ).toEqual({ outer: 1, inner: 20, layouts: ['full', 'full'] })
    expect(layoutFor([2, 3, 4], [[2, 1, 4]])).toBeUndefined()
  })

  it('blockedLayoutFor repeats a layout over leading blocks: a channel bias over images', () => {
    // [N, C, H, W] + [C, 1, 1]: no [outer, inner] split fits, N blocks of [C, H·W] with a column do
    expect(
      layoutFor(
        [2, 3, 4, 5],
        [
          [2, 3, 4, 5],
          [3, 1, 1],
        ],
      ),
    ).toBeUndefined()
    expect(
      blockedLayoutFor(
        [2, 3, 4, 5],
        [
          [2, 3, 4, 5],
          [3, 1, 1],
        ],
      ),
    ).toEqual({
      blocks: 2,
      blockStrides: [60, 0],
      outer: 3,
      inner: 20,
      layouts: ['full', 'column'],
    })
    // an operand with its own value per block and per row: [N, C, 1, 1]
    expect(
      blockedLayoutFor(
        [2, 3, 4],
        [
          [2, 1, 4],
          [2, 3, 4],
        ],
      ),
    ).toEqual({
      blocks: 2,
      blockStrides: [4, 12],
      outer: 3,
      inner: 4,
      layouts: ['row', 'full'],
    })
    // a row per block, a column shared by the blocks, a scalar
    expect(
      blockedLayoutFor(
        [2, 3, 4],
        [
          [2, 1, 4],
          [1, 3, 1],
          [1, 1],
        ],
      ),
    ).toEqual({
      blocks: 2,
      blockStrides: [4, 0, 0],
      outer: 3,
      inner: 4,
      layouts: ['row', 'column', 'scalar'],
    })
    expect(
      blockedLayoutFor(
        [2, 3, 4],
        [
          [2, 3, 1],
          [1, 1, 4],
          [2, 1, 1],
        ],
      ),
    ).toEqual({
      blocks: 2,
      blockStrides: [3, 0, 1],
      outer: 3,
      inner: 4,
      layouts: ['column', 'row', 'scalar'],
    })
    expect(
      blockedLayoutFor(
        [2, 3, 4],
        [
          [3, 4],
          [2, 3, 1],
        ],
      ),
    ).toBeDefined()
    // an outer product: blocks of one row
    expect(
      blockedLayoutFor(
        [4, 6],
        [
          [4, 1],
          [1, 6],
        ],
      ),
    ).toEqual({
      blocks: 4,
      blockStrides: [1, 0],
      outer: 1,
      inner: 6,
      layouts: ['scalar', 'full'],
    })
    // a bias over channels and widths but not heights fits no block of any split
    expect(
      blockedLayoutFor(
        [2, 3, 4, 5],
        [
          [2, 3, 4, 5],
          [3, 1, 5],
        ],
      ),
    ).toBeUndefined()
  })

  /**
   * Random expressions over four of `shapes` (drawn each run) against `outShape`: the WebAssembly
   * kernel, on operands laid out in an arena, equals the JavaScript loop bit for bit.
   */
  const agreeWithLoop = (precision: 'f32' | 'f64', outShape: number[], shapes: number[][], seed: number) => {
    const arena = createArena()!
    const count = outShape.reduce((q, d) => q * d, 1)
    const e = precision === 'f32' ? 4 : 8
    const slot = Math.ceil((count * 8) / 16) * 16 // 16-byte aligned, as a plan lays its buffers out
    fc.assert(
      fc.property(
        arbFusedExpression(4),
        fc.subarray([...shapes.keys()], { minLength: 4, maxLength: 4 }),
        fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 4 * count, maxLength: 4 * count }),
        (expression, which, values) => {
          const operandShapes = which.map((w) => shapes[w]!)
          arena.ensure(6 * slot)
          const memory = arena.views()[precision]
          const addresses = operandShapes.map((_, j) => j * slot)
          const operands = operandShapes.map((shape, j) => {
            const size = shape.reduce((q, d) => q * d, 1)
            const v = memory.subarray(addresses[j]! / e, addresses[j]! / e + size)
            v.set(values.slice(j * count, j * count + size))
            return v
          })
          const outAt = 5 * slot
          const wasmOut = memory.subarray(outAt / e, outAt / e + count)
          wasmOut.fill(Number.NaN)
          const jsOut = precision === 'f32' ? new Float32Array(count) : new Float64Array(count)
          const kernel = wasmGroupKernel(
            arena,
            precision,
            expression,
            outShape,
            operandShapes,
            addresses,
            outAt,
          )
          expect(kernel).toBeDefined()
          kernel!()
          javascriptGroupKernel(precision, expression, outShape, operandShapes, operands, jsOut)()
          for (let i = 0; i < count; i++)
            if (!Object.is(wasmOut[i], jsOut[i]) && wasmOut[i] !== jsOut[i])
              expect.fail(
                `at ${i}: ${wasmOut[i]} vs the loop's ${jsOut[i]} (${JSON.stringify(operandShapes)})`,
              )
        },
      ),
      { seed, numRuns: 80 },
    )
  }

  for (const precision of ['f32', 'f64'] as const)
    it(`WebAssembly and JavaScript kernels agree bit for bit (${precision})`, () =>
      agreeWithLoop(precision, [3, 7], [[3, 7], [7], [3, 1], [], [1, 7]], 3))

  for (const precision of ['f32', 'f64'] as const)
    it(`a blocked WebAssembly kernel agrees bit for bit with the JavaScript loop (${precision})`, () => {
      // blocks of [C, P] with every kind of operand per block or shared by all blocks
      const [n, c, p] = [3, 5, 16]
      expect(c * p).toBeGreaterThanOrEqual(minimumBlock)
      agreeWithLoop(
        precision,
        [n, c, p],
        [[n, c, p], [c, 1], [n, c, 1], [1, p], [n, 1, p], [], [n, 1, 1], [c, p]],
        11,
      )
    })

  it('float32 tanh is within a few ulps of Math.tanh', () => {
    const arena = createArena()!
    arena.ensure(1 << 20)
    const n = 20001
    const memory = arena.views().f32
    const x = memory.subarray(0, n)
    for (let i = 0; i < n; i++) x[i] = -10 + (20 * i) / (n - 1)
    x[0] = 1e-5
    x[1] = -0
    const kernel = wasmGroupKernel(
      arena,
      'f32',
      { kind: 'unary', name: 'tanh', expression: 'Math.tanh(x)', x: { kind: 'operand', index: 0 } },
      [n],
      [[n]],
      [0],
      n * 4 + 16 - ((n * 4) % 16),
    )!
    kernel()
    const out = memory.subarray((n * 4 + 16 - ((n * 4) % 16)) / 4, (n * 4 + 16 - ((n * 4) % 16)) / 4 + n)
    let worst = 0
    for (let i = 0; i < n; i++) {
      const exact = Math.tanh(x[i]!)
      worst = Math.max(worst, Math.abs(out[i]! - exact) / Math.max(Math.abs(exact), 2 ** -126))
    }
    expect(worst).toBeLessThan(8 * 2 ** -23)
    expect(Object.is(out[1], -0)).toBe(true)
  })
})

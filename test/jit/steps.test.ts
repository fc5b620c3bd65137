/**
 * The plan's own steps against the eager ops, bit for bit: products large enough to be split
 * across the shared arena's helper threads, the softmax/logSoftmax loops, and primitives that
 * write straight into their output buffer (convolutions and pooling), with and without donation.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { conv2dInputGrad } from '../../src/conv/ops.js'
import { grad } from '../../src/grad/index.js'
import {
  type AnyTensor,
  add,
  avgPool2d,
  conv2d,
  fromArrayOrThrow,
  jit,
  logSoftmax,
  matmulTransposed,
  maxPool2d,
  mul,
  relu,
  reshape,
  softmax,
  sub,
  sum,
  toFlat,
} from '../../src/index.js'
import { makeIR } from '../../src/jit/makeIR.js'
import { compilePlan } from '../../src/jit/plan.js'
import { planThreadThreshold } from '../../src/tensor/internal.js'
import { sharedArena } from '../../src/tensor/kernels/wasm/sharedArena.js'

const filled = (shape: readonly number[], dtype: 'float32' | 'float64', seed: number): AnyTensor => {
  const size = shape.reduce((p, d) => p * d, 1)
  const values = Array.from({ length: size }, (_, i) => Math.sin(seed + i * 0.731) * 3)
  return fromArrayOrThrow(values, [...shape], { dtype })
}

const sameBits = (a: AnyTensor, b: AnyTensor): boolean => {
  const [x, y] = [toFlat(a), toFlat(b)]
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]))
}

describe('plan steps', () => {
  it('split a large product across the helper threads and give the eager product', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.integer({ min: 64, max: 160 }),
        fc.integer({ min: 64, max: 96 }),
        fc.integer({ min: 100, max: 200 }),
        fc.boolean(),
        (dtype, m, n, k, transposeB) => {
          const a = filled([m, k], dtype, 1)
          const b = filled(transposeB ? [n, k] : [k, n], dtype, 2)
          const f = (x: AnyTensor, y: AnyTensor) => matmulTransposed(x, y, { transposeB })
          expect(m * n * k).toBeGreaterThanOrEqual(planThreadThreshold)
          const plan = compilePlan(makeIR(f)(a, b), { fusion: true })!
          expect(plan.threaded).toBe(true)
          expect(sameBits(plan.run([a, b])[0]!, f(a, b))).toBe(true)
        },
      ),
      { seed: 7, numRuns: 12 },
    )
  })

  it('give the eager product on every run, whichever way the split choice runs it', () => {
    // the first runs of a size try both ways (split first), then the cheaper one with probes of
    // the other: twenty runs of each plan take both ways, with and without an epilogue
    const dtype = 'float32'
    const [m, n, k] = [128, 96, 120]
    const a = filled([m, k], dtype, 3)
    const b = filled([k, n], dtype, 4)
    const bias = filled([n], dtype, 5)
    const product = (x: AnyTensor, y: AnyTensor) => matmulTransposed(x, y)
    const withEpilogue = (x: AnyTensor, y: AnyTensor) => add(matmulTransposed(x, y), bias)
    for (const f of [product, withEpilogue]) {
      const plan = compilePlan(makeIR(f)(a, b), { fusion: true })!
      expect(plan.threaded).toBe(true)
      const expected = f(a, b)
      for (let run = 0; run < 20; run++) expect(sameBits(plan.run([a, b])[0]!, expected)).toBe(true)
    }
  })

  it('run softmax and logSoftmax with the primitives’ arithmetic, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.nat(100),
        (dtype, shape, axisSeed, seed) => {
          const axis = axisSeed % shape.length
          const x = filled(shape, dtype, seed)
          for (const op of [softmax, logSoftmax]) {
            const f = jit((t: AnyTensor) => op(t, axis))
            f(x) // traces
            const y = filled(shape, dtype, seed + 1)
            expect(sameBits(f(y), op(y, axis))).toBe(true)
          }
        },
      ),
      { seed: 8, numRuns: 40 },
    )
  })

  it('write convolutions and pooling straight into their buffers: a small CNN step equals eager, donated or not', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = filled([3, 2, 10, 9], dtype, 1)
      type P = { k1: AnyTensor; c1: AnyTensor; k2: AnyTensor }
      const initial: P = {
        k1: filled([4, 2, 3, 3], dtype, 2),
        c1: filled([4], dtype, 3),
        k2: filled([6, 4, 2, 2], dtype, 4),
      }
      const loss = (p: P): AnyTensor => {
        // a padded convolution with a channel bias, max pooling, a strided and dilated convolution,
        // average pooling: every face of both families, forward and backward
        const h = maxPool2d(relu(add(conv2d(x, p.k1, { padding: 1 }), reshape(p.c1, [4, 1, 1]))), {
          window: 2,
        })
        const g = conv2d(h, p.k2, { stride: [2, 1], dilation: [1, 2] })
        return sum(mul(avgPool2d(g, { window: [1, 1] }), g))
      }
      const step = (p: P): P => {
        const d = grad(loss)(p)
        return {
          k1: sub(p.k1, mul(d.k1, 0.01)),
          c1: sub(p.c1, mul(d.c1, 0.01)),
          k2: sub(p.k2, mul(d.k2, 0.01)),
        }
      }
      const jitted = jit(step)
      const donating = jit(step, { donate: [0] })
      // the plans' convolutions and poolings find their buffers in the shared arena and run there
      const arena = sharedArena()
      const holds = arena?.holds
      let inPlace = 0
      if (arena !== undefined)
        (arena as { holds: typeof holds }).holds = (...arrays) => {
          const held = holds!(...arrays)
          if (held) inPlace++
          return held
        }
      let [eager, compiled, donated] = [initial, initial, { ...initial }]
      donated = { k1: add(initial.k1, 0), c1: add(initial.c1, 0), k2: add(initial.k2, 0) }
      for (let run = 0; run < 3; run++) {
        eager = step(eager)
        compiled = jitted(compiled)
        donated = donating(donated)
        for (const name of ['k1', 'c1', 'k2'] as const) {
          expect(sameBits(compiled[name], eager[name]), `${dtype} ${name} run ${run}`).toBe(true)
          expect(sameBits(donated[name], eager[name]), `${dtype} ${name} donated, run ${run}`).toBe(true)
        }
      }
      if (arena !== undefined) {
        ;(arena as { holds: typeof holds }).holds = holds
        // per run of each plan: both convolutions, both filter gradients and the second's input
        // gradient (x is a constant), the max pooling and its gradient
        expect(inPlace).toBe(2 * 3 * 7)
        inPlace = 0
      }
    }
  })

  it('keep a weight matrix packed across runs only while it is the same tensor: every run equals eager', () => {
    // products below and above the split threshold, op(B) an input (given again or new), with and
    // without a bias and relu epilogue (whose single-thread blocks are 128 rows), op(B) transposed;
    // from 512 multiply-adds, where the eager product runs the same WebAssembly kernel (below, its
    // reference kernel rounds differently)
    const shapes = fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 1, max: 260 }),
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 70 }),
        )
        .filter(([m, n, k]) => m * n * k >= 512),
      // split by rows (m ≥ n) or by columns (m < n: each task packs its own panels, the kept range
      // is left alone), and run on this thread when the split choice probes that way
      fc
        .tuple(
          fc.integer({ min: 40, max: 160 }),
          fc.integer({ min: 64, max: 160 }),
          fc.integer({ min: 60, max: 120 }),
        )
        .filter(([m, n, k]) => m * n * k >= planThreadThreshold),
    )
    fc.assert(
      fc.property(
        fc.constantFrom('float32' as const, 'float64' as const),
        shapes,
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.boolean(), { minLength: 2, maxLength: 6 }),
        (dtype, [m, n, k], transposeB, withEpilogue, newWeights) => {
          const bias = filled([n], dtype, 9)
          const product = (w: AnyTensor, x: AnyTensor) => matmulTransposed(x, w, { transposeB })
          const f = withEpilogue ? (w: AnyTensor, x: AnyTensor) => relu(add(product(w, x), bias)) : product
          const weightsOf = (seed: number) => filled(transposeB ? [n, k] : [k, n], dtype, seed)
          let w = weightsOf(2)
          const plan = compilePlan(makeIR(f)(w, filled([m, k], dtype, 1)), { fusion: true })!
          newWeights.forEach((fresh, run) => {
            // a new tensor of other values, or the same tensor again; a new x every run
            if (fresh) w = weightsOf(10 + run)
            const x = filled([m, k], dtype, 20 + run)
            expect(sameBits(plan.run([w, x])[0]!, f(w, x))).toBe(true)
          })
        },
      ),
      { seed: 1510, numRuns: 40 },
    )
  })

  it('pack a weight matrix given again as the same tensor, or a constant, only once', () => {
    // a product below the split threshold runs on this thread, where each packing is one packAll
    const kernels = sharedArena()!.kernels.f32
    const packAll = kernels.packAll
    let packs = 0
    ;(kernels as { packAll: typeof packAll }).packAll = (...args) => {
      packs++
      packAll(...args)
    }
    try {
      const [m, n, k] = [4, 24, 40]
      const w = filled([k, n], 'float32', 3)
      const other = filled([k, n], 'float32', 4)
      const x = filled([m, k], 'float32', 5)
      const plan = compilePlan(makeIR((v: AnyTensor, y: AnyTensor) => matmulTransposed(y, v))(w, x), {
        fusion: true,
      })!
      const counts = [w, w, other, other, w].map((weights) => {
        packs = 0
        plan.run([weights, x])
        return packs
      })
      expect(counts).toEqual([1, 0, 1, 0, 1])
      // a constant: packed at the first run only
      const closed = compilePlan(makeIR((y: AnyTensor) => matmulTransposed(y, w))(x), { fusion: true })!
      const constantCounts = [x, filled([m, k], 'float32', 6), x].map((input) => {
        packs = 0
        expect(sameBits(closed.run([input])[0]!, matmulTransposed(input, w))).toBe(true)
        return packs
      })
      expect(constantCounts).toEqual([1, 0, 0])
    } finally {
      ;(kernels as { packAll: typeof packAll }).packAll = packAll
    }
  })

  it('place a plan without its kept packings, still in the threads’ memory, when that memory cannot hold them', () => {
    const arena = sharedArena()!
    const [m, n, k] = [128, 96, 120]
    const f = (v: AnyTensor, y: AnyTensor) => matmulTransposed(y, v)
    const [w, other, x] = [
      filled([k, n], 'float32', 2),
      filled([k, n], 'float32', 3),
      filled([m, k], 'float32', 1),
    ]
    const roomy = compilePlan(makeIR(f)(w, x), { fusion: true })!
    const reserve = arena.reserve
    // the shared memory refuses a region as large as the plan with its packing
    ;(arena as { reserve: typeof reserve }).reserve = (bytes) =>
      bytes >= roomy.bytes ? undefined : reserve(bytes)
    try {
      const tight = compilePlan(makeIR(f)(w, x), { fusion: true })!
      expect(tight.bytes).toBeLessThan(roomy.bytes)
      expect(tight.threaded).toBe(true)
      for (const weights of [w, w, other, w])
        expect(sameBits(tight.run([weights, x])[0]!, f(weights, x))).toBe(true)
    } finally {
      ;(arena as { reserve: typeof reserve }).reserve = reserve
    }
  })

  it('never write a primitive into the donated buffer it reads (it writes as it goes)', () => {
    // the input gradient of a 1×1 convolution has its cotangent's shape, so the cotangent's donated
    // buffer could take the result; the primitive zero-fills its output before adding into it
    const ct = filled([2, 3, 4, 4], 'float64', 6)
    const w = filled([3, 3, 1, 1], 'float64', 7)
    const params = {
      stride: [1, 1],
      padding: [
        [0, 0],
        [0, 0],
      ],
      dilation: [1, 1],
      groups: 1,
      inputSize: [4, 4],
    } as const
    const f = (c: AnyTensor, k: AnyTensor) => conv2dInputGrad(c, k, params)
    const expected = f(ct, w)
    const donating = jit(f, { donate: [0] })
    for (let run = 0; run < 2; run++) expect(sameBits(donating(add(ct, 0), w), expected)).toBe(true)
  })
})

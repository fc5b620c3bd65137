import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import { f32Lanes, f64Lanes } from '../../../../src/tensor/kernels/wasm/lanes.js'
import { emitPack } from '../../../../src/tensor/kernels/wasm/pack.js'

describe('emitPack', () => {
  for (const lanes of [f32Lanes, f64Lanes])
    for (const width of [2, 3, 4, 8])
      it(`lays out panels of ${width} rows, zero-padded, from any strides (${lanes.precision})`, () => {
        const bytes = buildModule({ initial: 1, maximum: 16, shared: false }, [
          { name: 'pack', body: emitPack(lanes, width) },
        ])
        const memory = new webAssembly!.Memory({ initial: 4, maximum: 16 })
        const pack = new webAssembly!.Instance(new webAssembly!.Module(bytes), { env: { memory } }).exports
          .pack as (...args: number[]) => void
        const view =
          lanes.precision === 'f32' ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer)
        fc.assert(
          fc.property(
            fc.integer({ min: 0, max: 21 }),
            fc.integer({ min: 0, max: 13 }),
            fc.boolean(),
            (count, depth, transposed) => {
              // a count × depth matrix stored row-major, or transposed (depth × count)
              const [stride, step] = transposed ? [1, count] : [depth, 1]
              const source = Float64Array.from({ length: count * depth }, (_, i) => i + 1)
              const dst = 1024
              view.set(source, 0)
              view.fill(Number.NaN, dst, dst + (count + width) * depth + 8)
              pack(0, stride, step, count, depth, dst * lanes.bytes)
              const panels = Math.ceil(count / width)
              for (let panel = 0; panel < panels; panel++)
                for (let p = 0; p < depth; p++)
                  for (let r = 0; r < width; r++) {
                    const row = panel * width + r
                    const want = row < count ? source[row * stride + p * step]! : 0
                    expect(view[dst + (panel * depth + p) * width + r]).toBe(want)
                  }
              // nothing past the last panel is written
              expect(Number.isNaN(view[dst + panels * width * depth]!)).toBe(true)
            },
          ),
          { seed: 512, numRuns: 60 },
        )
      })
})

/**
 * Fused row sums: the kernel of a fused elementwise tree (`fusedExpression.ts`) that sums each row
 * of its `[outer, inner]` values into `out[outer]` instead of storing them — a loss such as
 * `sum(square(p - y))`, a norm, a finiteness check `sum(x · 0)` — so the values are never written
 * to memory and read back.
 *
 * The sums are the back end's row sums (`emitSum` in `reduce.ts` with `inner = 1`) bit for bit:
 * float64 accumulation, each block of eight elements added pair by pair into four f64x2 partial
 * sums, the last `inner mod 8` elements into a scalar one, and the partial sums added in the same
 * order at the end. Each element is the value the elementwise kernel would have stored (float32
 * rounded after every op), so fusing changes no bit of the result.
 *
 * @module kernels/wasm/fusedSum
 */
import { FunctionBuilder } from './encoder.js'
import { expressionEmitter, type FusedSpec, varies } from './fusedExpression.js'
import { lanesOf } from './lanes.js'

/**
 * Emits `fused(operand0, …, operandK, out, outer, inner)` for a spec with `sumRows`: `out[o]` is
 * the sum of row `o` of the tree's values (addresses in bytes); the caller checks `canFuse` first.
 */
export const emitFusedSum = (spec: FusedSpec): FunctionBuilder => {
  const lanes = lanesOf(spec.precision)
  const f32 = spec.precision === 'f32'
  const k = spec.layouts.length
  const f = new FunctionBuilder(Array.from({ length: k + 3 }, () => 'i32' as const))
  const [out, outer, inner] = [k, k + 1, k + 2]
  const e = lanes.bytes
  const values = spec.layouts.map(() => f.local('v128'))
  const pointers = spec.layouts.map(() => f.local('i32'))
  const i = f.local('i32')
  const acc = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')]
  const scalar = f.local('f64')
  const evaluate = expressionEmitter(f, lanes, spec, values)
  // loads the varying operands (a vector, or one element splatted) and steps past them
  const load = (vector: boolean): void => {
    const step = vector ? 16 : e
    spec.layouts.forEach((layout, j) => {
      if (!varies(layout)) return
      f.get(pointers[j]!)
        .mem(vector ? 'v128.load' : lanes.splatLoad)
        .set(values[j]!)
      f.get(pointers[j]!).i32(step).op('i32.add').set(pointers[j]!)
    })
  }
  // eight elements: elements 2j and 2j + 1 go to partial sum j, as the row sum adds them
  const addEight = (): void => {
    for (let v = 0; v < 8 / lanes.lanes; v++) {
      load(true)
      const result = evaluate()
      if (!f32) {
        f.get(acc[v]!).get(result).op('f64x2.add').set(acc[v]!)
        continue
      }
      f.get(acc[2 * v]!)
        .get(result)
        .op('f64x2.promote_low_f32x4')
        .op('f64x2.add')
        .set(acc[2 * v]!)
      const high = [8, 9, 10, 11, 12, 13, 14, 15]
      f.get(acc[2 * v + 1]!)
        .get(result)
        .get(result)
        .shuffle([...high, ...high])
        .op('f64x2.promote_low_f32x4')
        .op('f64x2.add')
        .set(acc[2 * v + 1]!)
    }
  }
  // one element, added to the scalar partial sum
  const addOne = (): void => {
    load(false)
    const result = evaluate()
    f.get(scalar).get(result)
    if (f32) f.lane('f32x4.extract_lane', 0).op('f64.promote_f32')
    else f.lane('f64x2.extract_lane', 0)
    f.op('f64.add').set(scalar)
  }
  // full operands continue where the previous row ended; rows restart; columns give one per row
  spec.layouts.forEach((layout, j) => {
    if (layout === 'full') f.get(j).set(pointers[j]!)
  })
  f.block().loop()
  f.get(outer).op('i32.eqz').brIf(1)
  spec.layouts.forEach((layout, j) => {
    if (layout === 'row') f.get(j).set(pointers[j]!)
    if (layout === 'column') {
      f.get(j).mem(lanes.splatLoad).set(values[j]!)
      f.get(j).i32(e).op('i32.add').set(j)
    }
  })
  for (const a of acc) f.f64(0).op('f64x2.splat').set(a)
  f.f64(0).set(scalar)
  f.get(inner).set(i)
  f.block().loop()
  f.get(i).i32(8).op('i32.lt_u').brIf(1)
  addEight()
  f.get(i).i32(8).op('i32.sub').set(i)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).op('i32.eqz').brIf(1)
  addOne()
  f.get(i).i32(1).op('i32.sub').set(i)
  f.br(0).end().end()
  // (acc0 + acc1) + (acc2 + acc3), its two lanes, then the scalar partial sum
  f.get(acc[0]!).get(acc[1]!).op('f64x2.add').get(acc[2]!).get(acc[3]!).op('f64x2.add').op('f64x2.add')
  f.set(acc[0]!)
  f.get(out)
  f.get(acc[0]!).lane('f64x2.extract_lane', 0).get(acc[0]!).lane('f64x2.extract_lane', 1).op('f64.add')
  f.get(scalar).op('f64.add')
  if (f32) f.op('f32.demote_f64')
  f.mem(lanes.store)
  f.get(out).i32(e).op('i32.add').set(out)
  f.get(outer).i32(1).op('i32.sub').set(outer)
  f.br(0).end().end()
  return f
}

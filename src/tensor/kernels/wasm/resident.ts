/**
 * Large operands kept in kernel memory between eager elementwise ops. An eager op's operands live
 * in JavaScript arrays, so each op copies them into kernel memory and its result out; a large array
 * given again (a parameter updated by a chain of ops, a result that is the next op's operand, the
 * same tensors added in a loop) was copied in again every time. Here each same-shape binary op of
 * 1–4 MiB per operand runs in a memory of its own with four slots: an operand already in a slot is
 * not copied, and the result stays in its slot for the ops that take it next (it is still copied
 * out: it is the tensor's storage). Slots go least recently used first.
 *
 * Which array each slot holds, and when a slot's copy may be trusted, is kept by `OperandSlots`
 * (operandSlots.ts).
 *
 * Measured, `npm run bench -- --only=add` (the same two tensors added in a loop): 18.5 GB/s with
 * every operand copied in, 25.1 with them kept (one run each), against 24.6 for a plain copy of one
 * operand into a fresh array in the same run. The cost: 16 MiB of kernel memory once the first such
 * op runs.
 *
 * @module kernels/wasm/resident
 */
import type { FloatArray } from '../types.js'
import { type Arena, createArena } from './arena.js'
import { OperandSlots } from './operandSlots.js'

/** Operands from this many bytes (and results) are kept. */
export const residentMinBytes = 2 ** 20
/** A slot's size: operands up to this many bytes are kept. */
export const residentSlotBytes = 4 * 2 ** 20
/** Slots: two operands and a result, and one more so that a chain's last result survives an op. */
export const residentSlots = 4

/** Four slots of kernel memory holding recent large operands and results. */
export class ResidentOperands {
  #arena: Arena | undefined
  #made = false
  #f32: Float32Array | undefined
  #f64: Float64Array | undefined
  readonly #slots = new OperandSlots(residentSlots, 0, residentSlotBytes)
  /** Operands copied in so far (tests read it to see that a kept operand was not). */
  copiedIn = 0

  /**
   * `out = a op b` elementwise, `a`, `b` and `out` of one length; false (nothing written) when the
   * op has no kernel here, the arrays are outside the sizes kept, or there is no memory for it.
   */
  run(op: string, a: FloatArray, b: FloatArray, out: FloatArray): boolean {
    const bytes = out.byteLength
    if (bytes < residentMinBytes || bytes > residentSlotBytes) return false
    if (a.length !== out.length || b.length !== out.length) return false
    const arena = this.#memory()
    if (arena === undefined) return false
    const f32 = out instanceof Float32Array
    if (f32 !== a instanceof Float32Array || f32 !== b instanceof Float32Array) return false
    const kernel = (f32 ? arena.kernels.f32 : arena.kernels.f64).binary.get(op)
    if (kernel === undefined) return false
    const sa = this.#place(a, -1)
    const sb = b === a ? sa : this.#place(b, sa)
    const slots = this.#slots
    const so = slots.victim(sa, sb)
    slots.clear(so)
    kernel(slots.address(sa), slots.address(sb), slots.address(so), 1, out.length, 0, 0, 0)
    out.set(this.#view(so, out))
    slots.claim(so, out)
    return true
  }

  #memory(): Arena | undefined {
    if (!this.#made) {
      this.#made = true
      const arena = createArena()
      if (arena?.ensure(residentSlots * residentSlotBytes)) {
        const { f32, f64 } = arena.views()
        this.#arena = arena
        this.#f32 = f32
        this.#f64 = f64
      }
    }
    return this.#arena
  }

  /** The slot's values as an array of `like`'s type and length. */
  #view(slot: number, like: FloatArray): FloatArray {
    const start = this.#slots.address(slot) / like.BYTES_PER_ELEMENT
    return like instanceof Float32Array
      ? this.#f32!.subarray(start, start + like.length)
      : this.#f64!.subarray(start, start + like.length)
  }

  /** The slot holding `x`'s values: its own if kept and still there, else a fresh copy (not `busy`). */
  #place(x: FloatArray, busy: number): number {
    const held = this.#slots.find(x)
    if (held >= 0) return held
    const slot = this.#slots.victim(busy, busy)
    this.#slots.clear(slot)
    this.#view(slot, x).set(x)
    this.copiedIn++
    this.#slots.claim(slot, x)
    return slot
  }
}

/**
 * Which array's values each of a few slots of kernel memory holds, so that an operand given again
 * is not copied in again. Used by the resident elementwise ops (resident.ts) and by the threaded
 * matrix product's operands (matmul.ts).
 *
 * What makes a slot's copy trustworthy is that nabla never writes a tensor's storage after the op
 * that made it, so an array's values never change while it is alive. Only arrays that own a plain
 * `ArrayBuffer` whole are kept (a fresh result or a constructor's copy); a view of other memory (a
 * compiled plan's buffers, which its next run rewrites) is copied in every time. Entries are keyed
 * by the array object in a `WeakMap`, so a collected array's entry goes with it, and carry the
 * slot's stamp, so an entry whose slot has since been given to another array is a miss. Slots go
 * least recently used first.
 *
 * @module kernels/wasm/operandSlots
 */
import type { FloatArray } from '../types.js'
import { isKernelMemory } from './module.js'

/**
 * Whether an array may be kept: it owns a plain `ArrayBuffer` whole, and that buffer is no kernel
 * memory (a fresh memory is 1 MiB, so a plan's buffer could span one exactly).
 */
export const keepable = (x: FloatArray): boolean =>
  x.byteLength === x.buffer.byteLength && x.buffer instanceof ArrayBuffer && !isKernelMemory(x.buffer)

interface Entry {
  readonly slot: number
  readonly stamp: number
}

/** `count` slots of `slotBytes` each from byte `at` of a kernel memory. */
export class OperandSlots {
  readonly count: number
  readonly at: number
  readonly slotBytes: number
  readonly #held = new WeakMap<FloatArray, Entry>()
  readonly #stamps: number[]
  readonly #used: number[]
  readonly #notes: ({ readonly stamp: number; readonly value: string } | undefined)[]
  #clock = 0

  constructor(count: number, at: number, slotBytes: number) {
    this.count = count
    this.at = at
    this.slotBytes = slotBytes
    this.#stamps = new Array<number>(count).fill(0)
    this.#used = new Array<number>(count).fill(0)
    this.#notes = new Array(count).fill(undefined)
  }

  /** The first byte of `slot`. */
  address(slot: number): number {
    return this.at + slot * this.slotBytes
  }

  /** The slot still holding `x`'s values, now the most recently used; -1 when none does. */
  find(x: FloatArray): number {
    const entry = this.#held.get(x)
    if (entry === undefined || this.#stamps[entry.slot] !== entry.stamp) return -1
    this.#used[entry.slot] = ++this.#clock
    return entry.slot
  }

  /** The least recently used slot other than `p` and `q`. */
  victim(p: number, q: number): number {
    let best = -1
    for (let s = 0; s < this.count; s++)
      if (s !== p && s !== q && (best < 0 || this.#used[s]! < this.#used[best]!)) best = s
    return best
  }

  /** Whatever `slot` held no longer counts as held: call before writing into it. */
  clear(slot: number): void {
    this.#stamps[slot] = ++this.#clock
  }

  /** `slot` now holds `x`'s values (kept only if keepable): call once they are written. */
  claim(slot: number, x: FloatArray): void {
    const stamp = ++this.#clock
    this.#stamps[slot] = stamp
    this.#used[slot] = stamp
    if (keepable(x)) this.#held.set(x, { slot, stamp })
  }

  /**
   * Notes `value` (what was derived from the values `slot` holds now, and where) or, undefined,
   * forgets it. A note lapses when the slot is cleared or claimed again.
   */
  note(slot: number, value: string | undefined): void {
    this.#notes[slot] = value === undefined ? undefined : { stamp: this.#stamps[slot]!, value }
  }

  /** The note made on `slot` since it was last cleared or claimed, if any. */
  noted(slot: number): string | undefined {
    const note = this.#notes[slot]
    return note !== undefined && note.stamp === this.#stamps[slot] ? note.value : undefined
  }
}

/**
 * Typed views of a kernel memory, refreshed when it grows. Kernels are synchronous and never
 * re-entered, so each call lays its operands out from a fixed base address, copies them in with
 * `TypedArray.set` (a memcpy), runs, and copies the result out: nothing is allocated per call and
 * the memory only ever grows to the largest call seen.
 *
 * @module kernels/wasm/heap
 */

import type { FloatArray } from '../types.js'
import type { WasmMemory } from './api.js'
import { maximumPages } from './module.js'

const pageBytes = 65536

/** Largest byte address the kernels use (addresses are unsigned 32-bit; stay below 2 GiB). */
export const maximumBytes = 2 ** 31

/** Rounds a byte count up to a multiple of 16 (v128 alignment). */
export const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16

/** The views of one memory. */
export class Heap {
  readonly memory: WasmMemory
  #buffer: ArrayBufferLike
  #f32: Float32Array
  #f64: Float64Array
  #i32: Int32Array

  constructor(memory: WasmMemory) {
    this.memory = memory
    this.#buffer = memory.buffer
    this.#f32 = new Float32Array(this.#buffer)
    this.#f64 = new Float64Array(this.#buffer)
    this.#i32 = new Int32Array(this.#buffer)
  }

  /** Grows the memory to hold at least `bytes`; false when that is more than the kernels address. */
  ensure(bytes: number): boolean {
    if (bytes > maximumBytes) return false
    const have = this.memory.buffer.byteLength
    if (bytes > have) {
      const pages = Math.ceil((bytes - have) / pageBytes)
      if (have / pageBytes + pages > maximumPages) return false
      try {
        this.memory.grow(pages)
      } catch (error) {
        // the runtime could not commit the pages: the caller falls back to the reference kernels
        if (error instanceof RangeError) return false
        throw error
      }
    }
    this.#refresh()
    return true
  }

  /** A view of the memory in the element type of `like`. */
  viewFor(like: FloatArray): FloatArray {
    this.#refresh()
    return like instanceof Float32Array ? this.#f32 : this.#f64
  }

  /** A view of the memory as 32-bit integers (tables the kernels read). */
  words(): Int32Array {
    this.#refresh()
    return this.#i32
  }

  #refresh(): void {
    const buffer = this.memory.buffer
    if (buffer !== this.#buffer && buffer.byteLength !== this.#buffer.byteLength) {
      this.#buffer = buffer
      this.#f32 = new Float32Array(buffer)
      this.#f64 = new Float64Array(buffer)
      this.#i32 = new Int32Array(buffer)
    }
  }
}

/**
 * Lays regions of `sizes` elements (`e` bytes each) out one after the other from byte `from`, each
 * 16-byte aligned, and grows the memory to hold them and `trailing` bytes after them: the regions'
 * addresses, then the first address past them; undefined when the memory cannot hold them.
 */
export const layOut = (
  heap: Heap,
  sizes: readonly number[],
  e: number,
  from = 0,
  trailing = 0,
): number[] | undefined => {
  const at: number[] = []
  let next = from
  for (const size of sizes) {
    at.push(next)
    next += align16(size * e)
  }
  at.push(next)
  return heap.ensure(next + trailing) ? at : undefined
}

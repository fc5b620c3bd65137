/**
 * The slot bookkeeping shared by the resident elementwise ops and the threaded product's operands
 * (src/tensor/kernels/wasm/operandSlots.ts), checked against a plain model: random sequences of
 * look-ups, evictions and claims over a pool of arrays give the same hits, misses and victims; an
 * array is found only in the slot last given to it; a cleared slot holds nothing.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMemory } from '../../../../src/tensor/kernels/wasm/module.js'
import { keepable, OperandSlots } from '../../../../src/tensor/kernels/wasm/operandSlots.js'

type Step =
  | { kind: 'find'; x: number }
  | { kind: 'place'; x: number; busy: [number, number] }
  | { kind: 'clear'; slot: number }

describe('operand slots', () => {
  it('find, evict and claim as a model of slots that each remember one array and when it was used', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.nat(),
            fc.integer({ min: -1, max: 4 }),
            fc.integer({ min: -1, max: 4 }),
            fc.nat(2),
          ),
          {
            maxLength: 40,
          },
        ),
        (count, pool, at, raw) => {
          const slots = new OperandSlots(count, at, 1024)
          const arrays = Array.from({ length: pool }, () => new Float32Array(4))
          // the model: which array each slot holds (-1: none) and when each slot was last used
          const holder = new Array<number>(count).fill(-1)
          const used = new Array<number>(count).fill(0)
          let clock = 0
          const lru = ([p, q]: [number, number]) => {
            let best = -1
            for (let s = 0; s < count; s++)
              if (s !== p && s !== q && (best < 0 || used[s]! < used[best]!)) best = s
            return best
          }
          for (const [x0, slot0, p, q, kind] of raw) {
            const x = x0 % pool
            const step: Step =
              kind === 0
                ? { kind: 'find', x }
                : kind === 1
                  ? { kind: 'place', x, busy: [Math.min(p, count - 1), Math.min(q, count - 1)] }
                  : { kind: 'clear', slot: slot0 % count }
            if (step.kind === 'clear') {
              slots.clear(step.slot)
              holder[step.slot] = -1
              continue
            }
            const expected = holder.indexOf(step.x)
            const found = slots.find(arrays[step.x]!)
            if (found !== expected) return false
            if (found >= 0) used[found] = ++clock
            // two busy slots of two: nothing to evict (callers never ask that)
            if (step.kind === 'place' && found < 0 && lru(step.busy) >= 0) {
              const victim = slots.victim(...step.busy)
              if (victim !== lru(step.busy)) return false
              slots.clear(victim)
              slots.claim(victim, arrays[step.x]!)
              holder[victim] = step.x
              used[victim] = ++clock
            }
          }
          return holder.every((x, s) => x < 0 || slots.find(arrays[x]!) === s)
        },
      ),
      { seed: 611, numRuns: 300 },
    )
  })

  it('keeps a note on a slot until the slot is cleared or claimed again', () => {
    const slots = new OperandSlots(2, 0, 64)
    const [x, y] = [new Float32Array(4), new Float32Array(4)]
    slots.claim(0, x)
    expect(slots.noted(0)).toBeUndefined()
    slots.note(0, 'packed')
    slots.note(1, 'other')
    expect([slots.noted(0), slots.noted(1)]).toEqual(['packed', 'other'])
    // looking the holder up, or claiming another slot, leaves the note
    expect(slots.find(x)).toBe(0)
    slots.claim(1, y)
    expect([slots.noted(0), slots.noted(1)]).toEqual(['packed', undefined])
    slots.note(0, undefined)
    expect(slots.noted(0)).toBeUndefined()
    slots.note(0, 'again')
    slots.claim(0, x)
    expect(slots.noted(0)).toBeUndefined()
    slots.note(0, 'again')
    slots.clear(0)
    expect(slots.noted(0)).toBeUndefined()
  })

  it('lays the slots out from their first byte, a slot apart', () => {
    const slots = new OperandSlots(3, 4096, 1 << 20)
    expect([0, 1, 2, 3].map((s) => slots.address(s))).toEqual([
      4096,
      4096 + (1 << 20),
      4096 + (2 << 20),
      4096 + (3 << 20),
    ])
  })

  it('keeps only arrays that own a plain buffer whole and are no kernel memory', () => {
    const n = 1024
    const slots = new OperandSlots(2, 0, 4 * n)
    const view = new Float32Array(new ArrayBuffer(4 * n + 64), 16, n)
    const wholeMemory = new Float32Array(createMemory(false).buffer)
    const shared = new Float32Array(new SharedArrayBuffer(4 * n))
    for (const x of [view, wholeMemory, shared]) {
      expect(keepable(x)).toBe(false)
      slots.claim(0, x)
      expect(slots.find(x)).toBe(-1)
    }
    const owned = new Float32Array(n)
    expect(keepable(owned)).toBe(true)
    slots.claim(1, owned)
    expect(slots.find(owned)).toBe(1)
  })
})

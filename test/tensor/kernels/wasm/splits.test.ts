/**
 * How products are cut into tasks (splits.ts): the number of tasks, the rows or columns each one
 * takes, and which way a product is cut, by property over sizes, tiles and thread counts.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Split,
  splitOf,
  taperedRun,
  taperedTasks,
  taperFromUnits,
  taperMinimum,
  taskRange,
  tasksFor,
  tasksPerThread,
} from '../../../../src/tensor/kernels/wasm/splits.js'

describe('tasksFor and taskRange', () => {
  it('cut the units into tasksPerThread tasks per thread (fewer only when there are fewer units), covering every row once in order, in runs of whole units that differ by at most one unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom(1, 2, 4, 16),
        fc.integer({ min: 1, max: 8 }),
        (extent, unit, threads) => {
          const units = Math.ceil(extent / unit)
          const tasks = tasksFor(extent, unit, threads)
          expect(tasks).toBe(Math.min(units, tasksPerThread * threads))
          const split: Split = { kind: 'rows', unit, tasks, taper: 0 }
          const runs: number[] = []
          let next = 0
          for (let task = 0; task < tasks; task++) {
            const [first, end] = taskRange(split, extent, task)
            expect(first).toBe(next)
            expect(first % unit).toBe(0)
            expect(end).toBeGreaterThan(first)
            if (end < extent) expect(end % unit).toBe(0)
            runs.push(Math.ceil((end - first) / unit))
            next = end
          }
          expect(next).toBe(extent)
          expect(Math.max(...runs) - Math.min(...runs)).toBeLessThanOrEqual(1)
        },
      ),
      { seed: 7, numRuns: 300 },
    )
  })
})

describe('taperedRun and taperedTasks', () => {
  it('cut the units into runs each taking its share of the units left (at least taperMinimum), covering every row once in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom(1, 2, 4, 16),
        fc.integer({ min: 2, max: 16 }),
        (extent, unit, taper) => {
          const units = Math.ceil(extent / unit)
          const tasks = taperedTasks(units, taper)
          const split: Split = { kind: 'rows', unit, tasks, taper }
          let next = 0
          let left = units
          for (let task = 0; task < tasks; task++) {
            const [start, count] = taperedRun(units, taper, task)
            expect(start).toBe(units - left)
            // its share of what is left, or all of it when that is less than the minimum
            expect(count).toBe(Math.min(left, Math.max(taperMinimum, Math.ceil(left / taper))))
            const [first, end] = taskRange(split, extent, task)
            expect(first).toBe(next)
            expect(first).toBe(start * unit)
            expect(end).toBe(Math.min(extent, (start + count) * unit))
            left -= count
            next = end
          }
          expect(left).toBe(0)
          expect(next).toBe(extent)
        },
      ),
      { seed: 8, numRuns: 300 },
    )
  })
})

describe('splitOf', () => {
  it('cuts the longer side of C (columns when m < n) into at least two tasks of whole tiles, and leaves a product of one tile whole', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.constantFrom(1, 2, 4),
        fc.constantFrom(4, 8, 16),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('tall', 'wide', 'square'),
        (rows, columns, mr, nr, threads, form) => {
          const [m, n] = form === 'tall' ? [columns, rows] : [rows, form === 'wide' ? columns : rows]
          const split = splitOf(m, n, mr, nr, threads)
          expect(split === undefined).toBe(m <= mr && n <= nr)
          if (split === undefined) return
          const { kind, unit, tasks } = split!
          const extent = kind === 'rows' ? m : n
          // the longer side, unless it is a single tile
          expect(kind).toBe((m < n ? n > nr : m <= mr) ? 'columns' : 'rows')
          expect(unit).toBe(kind === 'rows' ? mr : nr)
          // rows from taperFromUnits units on taper (each task a share of what is left) as long as
          // that makes no more tasks than near-equal runs may have; all else is cut into those runs
          const units = Math.ceil(m / mr)
          const tapered =
            kind === 'rows' &&
            units >= taperFromUnits &&
            taperedTasks(units, 2 * threads) <= tasksPerThread * threads
          expect(split!.taper).toBe(tapered ? 2 * threads : 0)
          expect(tasks).toBe(tapered ? taperedTasks(units, 2 * threads) : tasksFor(extent, unit, threads))
          expect(tasks).toBeGreaterThanOrEqual(2)
          expect(tasks).toBeLessThanOrEqual(tasksPerThread * threads)
        },
      ),
      { seed: 15, numRuns: 400 },
    )
  })
})

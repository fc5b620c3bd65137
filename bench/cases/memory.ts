/**
 * Memory over many training steps: the growth of the V8 heap (after a full garbage collection) and
 * of the resident set over nabla's MLP step, with no dispose anywhere. Flat means no leak.
 *
 * @module bench/cases/memory
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Result } from '../measure.js'
import { nablaStep } from './mlp.js'

/** A full garbage collection, without starting node with --expose-gc. */
export const collect = (): void => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
}

/** Bytes in MB. */
export const megabytes = (bytes: number): number => bytes / 2 ** 20

/** Runs `steps` MLP steps and reports heap and RSS growth in MB. */
export const memoryResults = (steps: number): Result[] => {
  const step = nablaStep()
  for (let i = 0; i < 50; i++) step()
  collect()
  const before = process.memoryUsage()
  for (let i = 0; i < steps; i++) step()
  collect()
  const after = process.memoryUsage()
  const result = (name: string, value: number): Result => ({
    case: `${name} over ${steps} MLP steps`,
    impl: 'nabla',
    median: value,
    min: value,
    max: value,
    unit: 'MB',
  })
  return [
    result('heap growth', megabytes(after.heapUsed - before.heapUsed)),
    result('RSS growth', megabytes(after.rss - before.rss)),
  ]
}

/**
 * Child process of test/platform/garbageCollector.test.ts, run with `--expose-gc`: rounds of twenty
 * fresh 1 MB results (eager adds) that die at once, then a young collection; prints how much of the
 * dead results' memory each round still held right after that collection, and whether nabla tuned
 * the collector.
 */
import { add, fromArrayOrThrow } from '../../../src/index.js'
import { garbageCollectorTuned } from '../../../src/platform/garbageCollector.js'

const rounds = 100
const size = 262_144
const a = fromArrayOrThrow(new Float32Array(size).fill(1), [size])
const b = fromArrayOrThrow(new Float32Array(size).fill(2), [size])
const collect = (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc
if (collect === undefined)
  throw new Error('run with --expose-gc')
  // the arrays alive throughout (a and b), counted once every dead one has been freed
;(globalThis as { gc?: () => void }).gc?.()
await new Promise((resolve) => setTimeout(resolve, 100))
const live = process.memoryUsage().arrayBuffers
// per round, the megabytes of dead results still held right after the young collection
const held: number[] = []
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < 20; i++) add(a, b)
  collect({ type: 'minor' })
  held.push((process.memoryUsage().arrayBuffers - live) / 2 ** 20)
}
console.log(JSON.stringify({ held, tuned: garbageCollectorTuned() }))

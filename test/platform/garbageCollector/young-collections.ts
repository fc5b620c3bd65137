/**
 * Child process of test/platform/garbageCollector.test.ts, run with `--expose-gc`: rounds of 320
 * fresh 64 KiB results (eager adds, 20 MiB in all) that die at once, then a young collection;
 * prints how much of the dead results' memory each round still held right after that collection,
 * and whether nabla tuned the collector. (Many small results rather than a few large ones: freeing
 * them takes a background thread longer, so an untuned run shows them held even on a busy machine.)
 */
import { add, fromArrayOrThrow } from '../../../src/index.js'
import { garbageCollectorTuned } from '../../../src/platform/garbageCollector.js'

const rounds = 200
const resultsPerRound = 320
const size = 16_384
// the first large storage is what tunes the collector
fromArrayOrThrow(new Float32Array(262_144), [262_144])
const a = fromArrayOrThrow(new Float32Array(size).fill(1), [size])
const b = fromArrayOrThrow(new Float32Array(size).fill(2), [size])
const collect = (globalThis as { gc?: (options?: { type: 'minor' }) => void }).gc
if (collect === undefined) throw new Error('run with --expose-gc')
// the arrays alive throughout, counted once every dead one has been freed
collect()
await new Promise((resolve) => setTimeout(resolve, 100))
const live = process.memoryUsage().arrayBuffers
// per round, the MiB of dead results still held right after the young collection
const held: number[] = []
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < resultsPerRound; i++) add(a, b)
  collect({ type: 'minor' })
  held.push((process.memoryUsage().arrayBuffers - live) / 2 ** 20)
}
console.log(JSON.stringify({ held, tuned: garbageCollectorTuned() }))

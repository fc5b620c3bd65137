/**
 * Child process of test/platform/systemAllocator.test.ts: a plain synchronous loop of 1e6-element
 * adds (a fresh 4 MB result each). `faults` mode prints the minor page faults of the median add of
 * the second half (and their mean); `rss` mode prints the resident set size every 50 adds (`rss
 * leak` keeps every 25th result, the control that shows the measurement notices growth).
 */
import { type AnyTensor, add, fromArrayOrThrow } from '../../../src/index.js'

const [mode = 'faults', leak] = process.argv.slice(2)
const size = 1_000_000
const values = new Float32Array(size).map((_, i) => Math.sin(i))
const a = fromArrayOrThrow(values, [size])
const b = fromArrayOrThrow(values, [size])

if (mode === 'faults') {
  // the faults of each add of the second half; their median is what a typical add costs (the mean
  // also counts the bursts when the collector falls behind and the heap grows, which a loaded
  // machine makes more frequent)
  const steps = 240
  const perAdd: number[] = []
  for (let i = 0; i < steps; i++) {
    const before = process.resourceUsage().minorPageFault
    add(a, b)
    if (i >= steps / 2) perAdd.push(process.resourceUsage().minorPageFault - before)
  }
  const sorted = [...perAdd].sort((x, y) => x - y)
  const mean = perAdd.reduce((x, y) => x + y, 0) / perAdd.length
  console.log(JSON.stringify({ faultsPerAdd: sorted[sorted.length >> 1], meanFaultsPerAdd: mean }))
} else {
  const steps = 1600
  const kept: AnyTensor[] = []
  const rss: number[] = []
  for (let i = 1; i <= steps; i++) {
    const c = add(a, b)
    if (leak === 'leak' && i % 25 === 0) kept.push(c)
    if (i % 50 === 0) rss.push(process.memoryUsage.rss())
  }
  console.log(JSON.stringify({ rss, kept: kept.length }))
}

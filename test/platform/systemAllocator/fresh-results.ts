/**
 * Child process of test/tensor/systemAllocator.test.ts: a plain synchronous loop of 1e6-element
 * adds (a fresh 4 MB result each). `faults` mode prints the minor page faults per add over the second
 * half; `rss` mode prints the resident set size every 50 adds (`rss leak` keeps every 25th result, the
 * control that shows the measurement notices growth).
 */
import { type AnyTensor, add, fromArrayOrThrow } from '../../../src/index.js'

const [mode = 'faults', leak] = process.argv.slice(2)
const size = 1_000_000
const values = new Float32Array(size).map((_, i) => Math.sin(i))
const a = fromArrayOrThrow(values, [size])
const b = fromArrayOrThrow(values, [size])

if (mode === 'faults') {
  const steps = 240
  let faults = 0
  for (let i = 0; i < steps; i++) {
    if (i === steps / 2) faults = process.resourceUsage().minorPageFault
    add(a, b)
  }
  console.log(
    JSON.stringify({ faultsPerAdd: (process.resourceUsage().minorPageFault - faults) / (steps / 2) }),
  )
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

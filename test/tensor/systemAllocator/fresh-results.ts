/**
 * Child process of test/tensor/systemAllocator.test.ts: a plain synchronous loop of 1e6-element
 * adds (a fresh 4 MB result each), printing the minor page faults per add over the second half.
 */
import { add, fromArrayOrThrow } from '../../../src/index.js'

const size = 1_000_000
const values = new Float32Array(size).map((_, i) => Math.sin(i))
const a = fromArrayOrThrow(values, [size])
const b = fromArrayOrThrow(values, [size])
const steps = 240
let faults = 0
for (let i = 0; i < steps; i++) {
  if (i === steps / 2) faults = process.resourceUsage().minorPageFault
  add(a, b)
}
console.log(JSON.stringify({ faultsPerAdd: (process.resourceUsage().minorPageFault - faults) / (steps / 2) }))

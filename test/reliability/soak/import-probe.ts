/**
 * Child-process script of the memory soak (not a test file): imports nabla and computes one small
 * product, printing its values as JSON (run under `ulimit -v`, where WebAssembly memory cannot be
 * reserved and the reference kernels must take over).
 */
import { matmul, ones, toFlat } from '../../../src/index.js'

process.stdout.write(`${JSON.stringify(Array.from(toFlat(matmul(ones([2, 3]), ones([3, 2])))))}\n`)

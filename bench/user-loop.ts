/**
 * The user-loop cases: nabla as a user's program meets it — a fresh process, no manual thread
 * start, a plain synchronous loop, every 20th result read back (a user who uses results). Run in a
 * child process by `npm run bench` (so nothing the main bench did, like starting threads, helps);
 * prints its results as JSON on the last line. The peer (TensorFlow.js wasm) runs the same loops
 * afterwards in the same process, disposing each result as its users must; both read results back
 * as plain JavaScript numbers (`toFlat`, `Array.from(dataSync())`).
 *
 * Each figure is the rate over the whole loop, first iterations (and the thread start) included.
 *
 * @module bench/user-loop
 */
import { add, fromArrayOrThrow, matmul, toFlat } from '../src/index.js'
import { nablaStep } from './cases/mlp.js'
import type { Result } from './measure.js'
import { loadPeers, randomFloats, useTfBackend } from './peers.js'

const quick = process.argv.includes('--quick')
const seconds = quick ? 0.5 : 2
const readEvery = 20

/** Runs `step(i)` in a synchronous loop for about `seconds`; returns iterations per second. */
const loop = (step: (i: number) => void): number => {
  const start = performance.now()
  let i = 0
  while (performance.now() - start < seconds * 1000) step(i++)
  return i / ((performance.now() - start) / 1000)
}

const n = 512
const size = 1_000_000
const a = randomFloats(n * n, 1)
const b = randomFloats(n * n, 2)
const u = randomFloats(size, 3)
const v = randomFloats(size, 4)
const results: Result[] = []
const record = (name: string, impl: string, value: number, unit: string): void => {
  results.push({ case: name, impl, median: value, min: value, max: value, unit })
}
const matmulName = `user loop: matmul ${n}² f32`
const addName = 'user loop: add 1e6 f32'
const mlpName = 'user loop: MLP step'

// nabla first, before any await: this is a synchronous program
{
  const x = fromArrayOrThrow(a, [n, n])
  const y = fromArrayOrThrow(b, [n, n])
  const perSecond = loop((i) => {
    const c = matmul(x, y)
    if (i % readEvery === 0) toFlat(c)
  })
  record(matmulName, 'nabla', (perSecond * 2 * n ** 3) / 1e9, 'GFLOP/s')
  const p = fromArrayOrThrow(u, [size])
  const q = fromArrayOrThrow(v, [size])
  const adds = loop((i) => {
    const c = add(p, q)
    if (i % readEvery === 0) toFlat(c)
  })
  record(addName, 'nabla', (adds * 12 * size) / 1e9, 'GB/s')
  const step = nablaStep()
  record(
    mlpName,
    'nabla',
    loop((i) => {
      const loss = step()
      if (i % readEvery === 0) toFlat(loss)
    }),
    'steps/s',
  )
}

const { tf } = await loadPeers()
if (tf !== undefined) {
  await useTfBackend(tf, 'wasm')
  const x = tf.tensor2d(a, [n, n])
  const y = tf.tensor2d(b, [n, n])
  const perSecond = loop((i) => {
    const c = tf.matMul(x, y)
    if (i % readEvery === 0) Array.from(c.dataSync())
    c.dispose()
  })
  record(matmulName, 'tfjs-wasm', (perSecond * 2 * n ** 3) / 1e9, 'GFLOP/s')
  const p = tf.tensor1d(u)
  const q = tf.tensor1d(v)
  const adds = loop((i) => {
    const c = tf.add(p, q)
    if (i % readEvery === 0) Array.from(c.dataSync())
    c.dispose()
  })
  record(addName, 'tfjs-wasm', (adds * 12 * size) / 1e9, 'GB/s')
  tf.dispose([x, y, p, q])
}

console.log(JSON.stringify(results))
process.exit(0)

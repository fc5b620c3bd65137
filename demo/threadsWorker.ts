/**
 * nabla inside a dedicated Web Worker. A 256 × 256 × 256 product is computed three ways and
 * compared: by the default kernels (helper threads when the page is isolated), by kernels with
 * no threads, and, when helper threads are ready, by kernels whose calling thread takes no part
 * (`callerWorks: false`), so every row of that result was written by a helper Web Worker.
 *
 * @module demo/threadsWorker
 */
import {
  createWasmKernels,
  fromArrayOrThrow,
  matmul,
  referenceKernels,
  toTypedArray,
  useKernels,
  type WasmKernels,
} from 'nabla'
import type { ThreadsReport } from './threadsReport.js'

const n = 256
const a = fromArrayOrThrow(
  Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)),
  [n, n],
)
const b = fromArrayOrThrow(
  Float32Array.from({ length: n * n }, (_, i) => Math.cos(i / 3)),
  [n, n],
)

const productOn = (kernels: Parameters<typeof useKernels>[0]): Float32Array => {
  const previous = useKernels(kernels)
  try {
    return toTypedArray(matmul(a, b))
  } finally {
    useKernels(previous)
  }
}

const sameValues = (x: Float32Array, y: Float32Array): boolean =>
  x.length === y.length && x.every((v, i) => Object.is(v, y[i]))

/** Waits (letting this worker's event loop turn, so the helpers can start) until one is ready. */
const helpersReady = async (kernels: WasmKernels, limitMs: number): Promise<number> => {
  for (let waited = 0; kernels.readyThreads() === 0 && waited < limitMs; waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50))
  return kernels.readyThreads()
}

const run = async (): Promise<ThreadsReport> => {
  const single = createWasmKernels({ threads: 0 })
  const threaded = createWasmKernels({ threads: 1, threadThreshold: 0 })
  const helpersOnly = createWasmKernels({ threads: 1, threadThreshold: 0, callerWorks: false })
  if (single === undefined || threaded === undefined || helpersOnly === undefined)
    throw new Error('this browser has no WebAssembly SIMD')
  const alone = productOn(single)
  productOn(threaded) // the first large product starts the helpers (a browser does not wait for them)
  productOn(helpersOnly)
  // where helpers may exist, wait long enough for a busy machine to start them; elsewhere, long
  // enough to see that none start late
  const limitMs = globalThis.crossOriginIsolated === true ? 10_000 : 2_000
  const [threadsReady] = await Promise.all([
    helpersReady(threaded, limitMs),
    helpersReady(helpersOnly, limitMs),
  ])
  const reference = productOn(referenceKernels)
  const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    kernels: threaded.name,
    threadsReady: threadsReady ?? 0,
    helpersOnlyMatches:
      helpersOnly.readyThreads() > 0 ? sameValues(productOn(helpersOnly), alone) : 'not run',
    defaultMatches: sameValues(productOn(threaded), alone),
    referenceError: alone.reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i]!)), 0) / scale,
  }
}

run().then(
  (report) => postMessage(report),
  (error: unknown) => {
    throw error
  },
)

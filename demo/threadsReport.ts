/**
 * What demo/threadsWorker.ts reports to its page (and test/demo/threads.test.ts reads).
 *
 * @module demo/threadsReport
 */

/** What the worker found, posted to the page. */
export interface ThreadsReport {
  readonly crossOriginIsolated: boolean
  readonly kernels: string
  /** Helper threads ready after waiting for them (0 where the platform offers none). */
  readonly threadsReady: number
  /** The product computed by helper threads only equals the one computed with no threads. */
  readonly helpersOnlyMatches: boolean | 'not run'
  /** The default kernels' product equals the one computed with no threads. */
  readonly defaultMatches: boolean
  /** Largest difference from the reference (JavaScript) kernels, relative to the largest value. */
  readonly referenceError: number
}

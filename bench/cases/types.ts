/**
 * What a benchmark case is: a name, a unit, which direction is better, and one entry per
 * implementation whose `prepare` builds the inputs (outside the timed region) and returns the
 * workload, or `undefined` when that implementation cannot run it.
 *
 * @module bench/cases/types
 */
import type { Workload } from '../measure.js'
import type { Peers } from '../peers.js'

/** A prepared workload, and how to free what was made for it (peers manage memory by hand). */
export interface Prepared extends Workload {
  readonly cleanup?: () => void
}

/** One implementation of a case. */
export interface Implementation {
  readonly impl: string
  readonly prepare: () => Promise<Prepared | undefined>
  /**
   * Measured by itself rather than in alternation with the case's other implementations: true for
   * TensorFlow.js's cpu back end, which must be the active back end while it runs (the wasm one is
   * active while the others alternate).
   */
  readonly alone?: boolean
}

/** A benchmark case. */
export interface Case {
  readonly name: string
  readonly unit: string
  readonly higherIsBetter: boolean
  readonly implementations: readonly Implementation[]
}

/** What a case needs to build its implementations. */
export interface CaseContext {
  readonly peers: Peers
  readonly quick: boolean
}

/** A workload timed per call, reported in µs (`cleanup` frees what a peer made for it). */
export const timedPerCall = (run: () => unknown, cleanup?: () => void): Prepared => ({
  run,
  work: 1,
  scale: 1e-6,
  figure: 'time',
  ...(cleanup === undefined ? {} : { cleanup }),
})

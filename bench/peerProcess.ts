/**
 * The peers' process: `npm run bench` runs TensorFlow.js and jax-js here, in a child process of
 * their own, and nabla in the main process, so that no library's memory use changes another's
 * figures. (Measured in one process, nabla's fresh-output add ran at 9–14 GB/s after TensorFlow.js
 * wasm had run the same add, against 22–28 before: the process's allocator then handed freed
 * memory back to the system and faulted it in again.) The main process still alternates samples
 * between the two processes round by round (bench/measure.ts), sending each request here and
 * waiting for the answer, so only one of them runs at a time.
 *
 * Requests (IPC messages) and answers, each with the request's `id`:
 * - `list`: the peers' notes, and each case's peer implementations (and which must run alone);
 * - `prepare` a case's implementation (and call it once): a handle;
 * - `calibrate` a handle with a budget: its calibration;
 * - `sample` a handle: one figure;
 * - `cleanup` a handle; `exit`.
 *
 * @module bench/peerProcess
 */
import { benchCases, prepareChecked, runsHere } from './cases/index.js'
import type { Prepared } from './cases/types.js'
import { type Budget, type Calibration, localSampler, type Sampler } from './measure.js'
import { loadPeers } from './peers.js'

/** A request from the main process. */
export type PeerRequest =
  | { readonly id: number; readonly op: 'list' }
  | { readonly id: number; readonly op: 'prepare'; readonly case: string; readonly impl: string }
  | { readonly id: number; readonly op: 'calibrate'; readonly handle: number; readonly budget: Budget }
  | {
      readonly id: number
      readonly op: 'sample'
      readonly handle: number
      readonly calibration: Calibration
      readonly round: number
    }
  | { readonly id: number; readonly op: 'cleanup'; readonly handle: number }
  | { readonly id: number; readonly op: 'exit' }

/** A case's implementations in the peers' process. */
export interface PeerCase {
  readonly name: string
  readonly impls: readonly string[]
  readonly alone: readonly string[]
}

/** The answer to a request: its result, or the error it raised. */
export type PeerAnswer = { readonly id: number; readonly error?: string; readonly value?: unknown }

const main = async (): Promise<void> => {
  const quick = process.argv.includes('--quick')
  const peers = await loadPeers()
  const cases = benchCases({ peers, quick })
  const prepared = new Map<number, { workload: Prepared; sampler: Sampler }>()
  let handles = 0
  const handle = async (request: PeerRequest): Promise<unknown> => {
    switch (request.op) {
      case 'list':
        return {
          notes: peers.notes,
          cases: cases.map(
            (c): PeerCase => ({
              name: c.name,
              impls: c.implementations.filter((i) => !runsHere(i.impl)).map((i) => i.impl),
              alone: c.implementations
                .filter((i) => !runsHere(i.impl) && i.alone === true)
                .map((i) => i.impl),
            }),
          ),
        }
      case 'prepare': {
        const implementation = cases
          .find((c) => c.name === request.case)
          ?.implementations.find((i) => i.impl === request.impl)
        const workload = implementation === undefined ? undefined : await prepareChecked(implementation)
        if (workload === undefined) return undefined
        handles++
        prepared.set(handles, { workload, sampler: localSampler(workload) })
        return handles
      }
      case 'calibrate':
        return prepared.get(request.handle)!.sampler.calibrate(request.budget)
      case 'sample':
        return prepared.get(request.handle)!.sampler.sample(request.calibration, request.round)
      case 'cleanup':
        prepared.get(request.handle)?.workload.cleanup?.()
        prepared.delete(request.handle)
        return undefined
      case 'exit':
        process.exit(0)
    }
  }
  process.on('message', (message: PeerRequest) => {
    handle(message).then(
      (value) => process.send?.({ id: message.id, value } satisfies PeerAnswer),
      (error: unknown) => process.send?.({ id: message.id, error: String(error) } satisfies PeerAnswer),
    )
  })
  process.send?.({ id: 0, value: 'ready' } satisfies PeerAnswer)
}

await main()

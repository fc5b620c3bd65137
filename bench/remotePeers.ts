/**
 * The main process's side of the peers' process (bench/peerProcess.ts): starts it, lists its
 * implementations, and gives each one as a `Sampler` whose calibration and samples run there.
 *
 * @module bench/remotePeers
 */
import { type ChildProcess, fork } from 'node:child_process'
import type { Budget, Sampler } from './measure.js'
import type { PeerAnswer, PeerCase, PeerRequest } from './peerProcess.js'

/** The peers' process, started. */
export interface RemotePeers {
  readonly notes: readonly string[]
  readonly cases: readonly PeerCase[]
  /** An implementation prepared there (and called once), or undefined when it cannot run here. */
  readonly prepare: (
    caseName: string,
    impl: string,
  ) => Promise<{ readonly sampler: Sampler; readonly cleanup: () => Promise<void> } | undefined>
  readonly close: () => void
}

// a request before its id is given (Omit over each member of the union)
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void }

/** Starts the peers' process; a string says why it could not start. */
export const startRemotePeers = async (quick: boolean): Promise<RemotePeers | string> => {
  const script = new URL('./peerProcess.ts', import.meta.url).pathname
  let child: ChildProcess
  try {
    child = fork(script, quick ? ['--quick'] : [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    })
  } catch (error) {
    return `the peers' process did not start: ${String(error)}`
  }
  const pending = new Map<number, Pending>()
  let ids = 0
  let ready: () => void = () => {}
  const started = new Promise<void>((resolve) => {
    ready = resolve
  })
  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new Error(why))
    pending.clear()
  }
  child.on('message', (answer: PeerAnswer) => {
    if (answer.id === 0) return ready()
    const p = pending.get(answer.id)
    pending.delete(answer.id)
    if (answer.error !== undefined) p?.reject(new Error(answer.error))
    else p?.resolve(answer.value)
  })
  let exited = false
  child.on('exit', (code) => {
    exited = true
    ready()
    failAll(`the peers' process exited (${code})`)
  })
  await started
  if (exited) return "the peers' process exited before it was ready"
  const ask = <T>(request: Unnumbered<PeerRequest>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      ids++
      pending.set(ids, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ ...request, id: ids })
    })
  const { notes, cases } = await ask<{ notes: string[]; cases: PeerCase[] }>({ op: 'list' })
  return {
    notes,
    cases,
    prepare: async (caseName, impl) => {
      const handle = await ask<number | undefined>({ op: 'prepare', case: caseName, impl })
      if (handle === undefined) return undefined
      return {
        sampler: {
          calibrate: (budget: Budget) => ask({ op: 'calibrate', handle, budget }),
          sample: (calibration, round) => ask({ op: 'sample', handle, calibration, round }),
        },
        cleanup: () => ask({ op: 'cleanup', handle }),
      }
    },
    close: () => {
      if (!exited) child.send({ op: 'exit', id: -1 })
    },
  }
}

/**
 * The worker host is chosen from what the platform offers: worker_threads under Node, Web Workers
 * only in a cross-origin-isolated browser worker, none on a page's main thread or without
 * isolation (where the kernels run on the calling thread).
 */
import { describe, expect, it } from 'vitest'
import {
  type PlatformGlobals,
  workerHost,
  workerHostFor,
} from '../../../../src/tensor/kernels/wasm/workers.js'

const data = { module: {} as never, memory: {} as never, index: 2 }

/** A fake browser: records the workers made, the scripts they ran and the messages they got. */
const browser = (overrides: Partial<PlatformGlobals>) => {
  const made: { url: string; messages: unknown[]; worker: { onerror: (() => void) | null } }[] = []
  const blobs = new Map<string, string>()
  class FakeBlob {
    constructor(readonly parts: string[]) {}
  }
  class FakeWorker {
    onerror: (() => void) | null = null
    readonly messages: unknown[] = []
    constructor(url: string) {
      made.push({ url, messages: this.messages, worker: this })
    }
    postMessage(message: unknown) {
      this.messages.push(message)
    }
  }
  const globals: PlatformGlobals = {
    Worker: FakeWorker,
    Blob: FakeBlob,
    URL: {
      createObjectURL: (blob) => {
        const url = `blob:${blobs.size}`
        blobs.set(url, (blob as FakeBlob).parts.join(''))
        return url
      },
    },
    crossOriginIsolated: true,
    navigator: { hardwareConcurrency: 6 },
    ...overrides,
  }
  return { globals, made, blobs }
}

describe('workerHostFor', () => {
  it('uses worker_threads under Node (no await: process.getBuiltinModule)', () => {
    const host = workerHost()
    expect(host?.kind).toBe('node')
    expect(host!.cores).toBeGreaterThanOrEqual(1)
  })

  it('uses Web Workers in a cross-origin-isolated browser worker, sending each its data', () => {
    const { globals, made, blobs } = browser({})
    const host = workerHostFor(globals)
    expect([host?.kind, host?.cores]).toEqual(['web', 6])
    let failed = 0
    host!.spawn('takeTasks(index)', data, () => failed++)
    expect(made).toHaveLength(1)
    expect(made[0]!.messages).toEqual([data])
    const source = blobs.get(made[0]!.url)!
    expect(source).toContain('const { module, memory, index } = event.data')
    expect(source).toContain('takeTasks(index)')
    expect(source).not.toContain('require(')
    made[0]!.worker.onerror?.()
    expect(failed).toBe(1)
  })

  it('offers no threads on a page main thread (Atomics.wait is not allowed there) or without isolation', () => {
    expect(workerHostFor(browser({ document: {} }).globals)).toBeUndefined()
    expect(workerHostFor(browser({ crossOriginIsolated: false }).globals)).toBeUndefined()
    expect(workerHostFor(browser({ Worker: undefined }).globals)).toBeUndefined()
    expect(workerHostFor({})).toBeUndefined()
  })
})

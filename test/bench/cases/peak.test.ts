/** Tests of the machine's SIMD peak on one thread and on several at once. */
import { describe, expect, it } from 'vitest'
import { peakImplementation, threadsPeakImplementation } from '../../../bench/cases/peak.js'

describe('threadsPeakImplementation', () => {
  it('runs the loop on every thread and returns once all are done', async () => {
    const single = await peakImplementation('one').prepare()
    const prepared = await threadsPeakImplementation('three', 3).prepare()
    expect(prepared).toBeDefined()
    try {
      // each call waits for its helpers: both count themselves done before it returns
      for (let call = 0; call < 3; call++) expect(prepared!.run()).toBe(3)
      // three threads' turns (eight times one thread's per call) of the same loop
      expect(prepared!.work).toBe(3 * 8 * single!.work)
      expect(prepared!.figure).toBe('rate')
    } finally {
      prepared!.cleanup?.()
    }
  })

  it('is no implementation for a single thread', async () => {
    expect(await threadsPeakImplementation('one', 1).prepare()).toBeUndefined()
  })
})

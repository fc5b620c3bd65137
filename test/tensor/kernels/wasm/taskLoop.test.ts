/**
 * The helper threads' protocol text and control block (src/tensor/kernels/wasm/taskLoop.ts): every
 * region of the block fits where the next begins, and both pieces of source text compile. The
 * protocol at work is tested in threads.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { tasksPerThread } from '../../../../src/tensor/kernels/wasm/splits.js'
import {
  controlBytes,
  doneAt,
  failedAt,
  fields,
  maximumWorkers,
  readyAt,
  slotLength,
  slotsAt,
  takeTasksSource,
  workerSource,
} from '../../../../src/tensor/kernels/wasm/taskLoop.js'

describe('the task loop', () => {
  it('lays the control block out without overlaps', () => {
    expect(failedAt).toBeLessThan(readyAt)
    expect(readyAt + maximumWorkers).toBeLessThanOrEqual(slotsAt)
    expect(fields.length).toBeLessThanOrEqual(slotLength)
    // a ring of four slots, then a done word for each task of the largest split
    expect(slotsAt + 4 * slotLength).toBeLessThanOrEqual(doneAt)
    expect(doneAt + tasksPerThread * (maximumWorkers + 1)).toBeLessThanOrEqual(controlBytes / 4)
  })

  it('compiles: the task loop as the caller runs it, the worker body as a worker host binds it', () => {
    expect(
      () => new Function('control', 'kernels', 'generation', 'participant', takeTasksSource),
    ).not.toThrow()
    expect(() => new Function('module', 'memory', 'index', workerSource)).not.toThrow()
  })
})

/** The memory budget: its automatic default from the available memory, fixing it, and byte counts. */
import { describe, expect, it } from 'vitest'
import { memoryBudget, ResourceError, setMemoryBudget, zeros } from '../../src/index.js'
import { budgetProblem, setAvailableMemory } from '../../src/tensor/internal.js'

const onMachineWith = <T>(bytes: number | undefined, f: () => T): T => {
  const previousSource = setAvailableMemory(() => bytes)
  const previousBudget = setMemoryBudget(undefined)
  try {
    return f()
  } finally {
    setAvailableMemory(previousSource)
    setMemoryBudget(previousBudget)
  }
}

describe('memory budget', () => {
  it('is a quarter of the memory available by default, and 1 GiB when the platform says nothing', () => {
    expect(onMachineWith(16 * 2 ** 30, memoryBudget)).toBe(4 * 2 ** 30)
    expect(onMachineWith(10_000_001, memoryBudget)).toBe(2_500_000)
    expect(onMachineWith(undefined, memoryBudget)).toBe(2 ** 30)
  })

  it('never measures small allocations against the automatic budget, always against a fixed one', () => {
    expect(onMachineWith(0, () => budgetProblem(2 ** 20))).toBeUndefined()
    expect(onMachineWith(0, () => budgetProblem(2 ** 27))).toMatch(/needs 128 MiB/)
    const previous = setMemoryBudget(100)
    try {
      expect(budgetProblem(101)).toMatch(/needs 101 bytes, more than the memory budget of 100 bytes/)
      expect(() => zeros([26])).toThrow(ResourceError)
      expect(zeros([25]).size).toBe(25)
    } finally {
      setMemoryBudget(previous)
    }
  })

  it('carries the size and the budget on the error', () => {
    const previous = setMemoryBudget(2 ** 20)
    try {
      zeros([2 ** 20])
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ResourceError)
      expect((error as ResourceError).bytes).toBe(2 ** 22)
      expect((error as ResourceError).budget).toBe(2 ** 20)
    } finally {
      setMemoryBudget(previous)
    }
  })

  it('rejects a budget that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => setMemoryBudget(bad)).toThrow(ResourceError)
  })
})

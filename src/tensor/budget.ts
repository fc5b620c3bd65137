/**
 * The memory budget: the most bytes one allocation may take. Every tensor nabla allocates (a
 * constructor, a primitive's result, a decoded file) is checked against it *before* allocating, so
 * a hostile header or a careless `zeros([2 ** 31 - 1], { dtype: 'float64' })` is a `ResourceError`
 * naming the size, never a `RangeError` from the engine or a machine brought to its knees.
 *
 * The default is derived from the memory available when a large allocation is asked for: a
 * quarter of it (training holds several arrays of a model's largest size at once: parameters,
 * gradients, optimizer moments), as the platform reports it (src/platform/memory.ts: free memory,
 * cgroup and address-space limits in Node, `navigator.deviceMemory` in a browser), or 1 GiB when
 * the platform does not say. Allocations
 * below 64 MiB are not measured against the automatic budget (no system call on the hot path). The
 * environment variable `NABLA_MEMORY_BUDGET` (bytes, or with a unit: `512MiB`, `8GB`) or
 * `setMemoryBudget` fixes the budget instead.
 *
 * @module budget
 */
import {
  type AvailableMemory,
  environmentVariable,
  formatBytes,
  parseBytes,
  platformAvailableMemory,
} from '../platform/index.js'
import { ResourceError } from './errors.js'

// the byte counts are the platform's; the budget's users import them from here with it
export { type AvailableMemory, formatBytes, parseBytes }

/** Allocations below this many bytes are never measured against the automatic budget. */
export const smallAllocationBytes = 64 * 2 ** 20

/** The automatic budget when the platform says nothing (a browser without `deviceMemory`). */
const unknownPlatformBudget = 2 ** 30

const fromEnvironment = (): number | undefined => {
  const text = environmentVariable('NABLA_MEMORY_BUDGET')
  return text === undefined || text === '' ? undefined : parseBytes(text)
}

let fixedBudget: number | undefined = fromEnvironment()
let available: AvailableMemory = platformAvailableMemory

/** The automatic budget is this fraction of the memory available. */
const availableFraction = 4

/**
 * The budget in force: the fixed one, or a quarter of the memory available now.
 * @example
 * import { memoryBudget } from 'nabla'
 * memoryBudget() // e.g. 4294967296 on a machine with 16 GiB available
 */
export const memoryBudget = (): number => {
  if (fixedBudget !== undefined) return fixedBudget
  const bytes = available()
  return bytes === undefined ? unknownPlatformBudget : Math.floor(bytes / availableFraction)
}

/**
 * Fixes the memory budget (bytes one allocation may take), or with `undefined` returns to the
 * automatic one (a quarter of the memory available). Returns the previous fixed budget.
 * @example
 * import { setMemoryBudget, zeros } from 'nabla'
 * const previous = setMemoryBudget(2 ** 30) // 1 GiB
 * // zeros([2 ** 29], { dtype: 'float64' }) now throws a ResourceError: 4 GiB is over the budget
 * setMemoryBudget(previous)
 */
export const setMemoryBudget = (bytes: number | undefined): number | undefined => {
  if (bytes !== undefined && !(Number.isFinite(bytes) && bytes > 0))
    throw new ResourceError('setMemoryBudget', `the budget must be a positive number of bytes, got ${bytes}`)
  const previous = fixedBudget
  fixedBudget = bytes
  return previous
}

/**
 * Replaces where the automatic budget reads the available memory (a platform hook; tests use it
 * to pretend a machine size). Returns the previous source.
 * @example
 * import { setAvailableMemory } from './budget.js'
 * const previous = setAvailableMemory(() => 8 * 2 ** 30) // pretend 8 GiB are free
 * setAvailableMemory(previous)
 */
export const setAvailableMemory = (source: AvailableMemory): AvailableMemory => {
  const previous = available
  available = source
  return previous
}

/**
 * Why `bytes` cannot be allocated (over the budget), or `undefined` when it can.
 * @example
 * import { budgetProblem } from './budget.js'
 * budgetProblem(8) // undefined
 */
export const budgetProblem = (bytes: number): string | undefined => {
  if (fixedBudget === undefined && bytes < smallAllocationBytes) return undefined
  const budget = memoryBudget()
  if (bytes <= budget) return undefined
  const source =
    fixedBudget === undefined
      ? 'a quarter of the memory available now'
      : 'set by setMemoryBudget or NABLA_MEMORY_BUDGET'
  return `needs ${formatBytes(bytes)}, more than the memory budget of ${formatBytes(budget)} (${source}); raise it with setMemoryBudget(bytes) or NABLA_MEMORY_BUDGET if the machine has the memory`
}

/**
 * Throws a `ResourceError` naming `what` and its size when `bytes` is over the budget.
 * @example
 * import { checkBudget } from './budget.js'
 * checkBudget('zeros', 'shape [2] of float32', 8) // fine
 */
export const checkBudget = (op: string, what: string, bytes: number): void => {
  const problem = budgetProblem(bytes)
  if (problem !== undefined) throw new ResourceError(op, `${what} ${problem}`, bytes, memoryBudget())
}

/**
 * The same `ResourceError` reported by `op` and, when given, naming `file` at the start of its
 * message (`loadParams: out/params.json: params.w: shape [128,256] of float32 needs …`); the
 * sizes are kept. Decoders use it to pass a budget failure up with the file it came from.
 * @example
 * import { ResourceError } from './errors.js'
 * import { resourceErrorIn } from './budget.js'
 * resourceErrorIn('loadParams', new ResourceError('readSafetensors', 'w: needs 2 GiB', 2 ** 31, 2 ** 30), 'p.safetensors').message
 * // 'loadParams: p.safetensors: w: needs 2 GiB'
 */
export const resourceErrorIn = (op: string, error: ResourceError, file?: string): ResourceError => {
  const prefix = `${error.op}: `
  const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message
  const named = file === undefined || detail.startsWith(`${file}: `) ? detail : `${file}: ${detail}`
  if (op === error.op && named === detail) return error
  return new ResourceError(op, named, error.bytes, error.budget)
}

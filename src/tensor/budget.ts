/**
 * The memory budget: the most bytes one allocation may take. Every tensor nabla allocates (a
 * constructor, a primitive's result, a decoded file) is checked against it *before* allocating, so
 * a hostile header or a careless `zeros([2 ** 31 - 1], { dtype: 'float64' })` is a `ResourceError`
 * naming the size, never a `RangeError` from the engine or a machine brought to its knees.
 *
 * The default is derived from the memory available when a large allocation is asked for: a
 * quarter of it (training holds several arrays of a model's largest size at once: parameters,
 * gradients, optimizer moments), read in Node from `os.freemem()` (Linux's MemAvailable), the cgroup limit
 * (`process.constrainedMemory()`) and the address-space limit (`ulimit -v`, from /proc), through
 * `globalThis.process` (guarded, no Node import, so browsers load this module too). In a browser
 * it is a quarter of half of `navigator.deviceMemory`, or 1 GiB when the browser does not say. Allocations
 * below 64 MiB are not measured against the automatic budget (no system call on the hot path). The
 * environment variable `NABLA_MEMORY_BUDGET` (bytes, or with a unit: `512MiB`, `8GB`) or
 * `setMemoryBudget` fixes the budget instead.
 *
 * @module budget
 */
import { environmentVariable } from '../platform/index.js'
import { ResourceError } from './errors.js'

/** Allocations below this many bytes are never measured against the automatic budget. */
export const smallAllocationBytes = 64 * 2 ** 20

/** Where the automatic budget reads the memory available, in bytes (undefined: unknown). */
export type AvailableMemory = () => number | undefined

interface NodeProcess {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly constrainedMemory?: () => number | undefined
  readonly getBuiltinModule?: (name: string) => unknown
  readonly memoryUsage?: { readonly rss?: () => number }
}

const nodeProcess = (globalThis as { process?: NodeProcess }).process

const units: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
}

/**
 * Parses a byte count: a number, or a number with a unit (`512MiB`, `8 GB`); undefined if invalid.
 * @example
 * import { parseBytes } from './budget.js'
 * parseBytes('1.5GiB') // 1610612736
 */
export const parseBytes = (text: string): number | undefined => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = units[match?.[2]?.toLowerCase() ?? 'x']
  if (match === null || unit === undefined) return undefined
  const bytes = Math.floor(Number(match[1]) * unit)
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined
}

/** The address-space limit (`ulimit -v`) minus what the process has mapped, from /proc (Linux). */
const addressSpaceLeft = (): number | undefined => {
  const fs = nodeProcess?.getBuiltinModule?.('node:fs') as
    | { readFileSync(path: string, encoding: 'utf8'): string }
    | undefined
  if (fs === undefined) return undefined
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8')
    const soft = /^Max address space\s+(\S+)/m.exec(limits)?.[1]
    if (soft === undefined || soft === 'unlimited') return undefined
    const mapped = /^VmSize:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]
    return Number(soft) - (mapped === undefined ? 0 : Number(mapped) * 1024)
  } catch {
    return undefined
  }
}

/** The memory available to this process, from the platform (see the module header). */
const platformAvailable: AvailableMemory = () => {
  try {
    return readPlatformMemory()
  } catch {
    // a runtime that forbids asking (Deno without --allow-sys): the budget falls back
    return undefined
  }
}

const readPlatformMemory = (): number | undefined => {
  if (nodeProcess?.getBuiltinModule !== undefined) {
    const os = nodeProcess.getBuiltinModule('node:os') as { freemem?: () => number } | undefined
    const candidates = [os?.freemem?.(), addressSpaceLeft()]
    const constrained = nodeProcess.constrainedMemory?.()
    // constrainedMemory is 0 or a huge number when there is no cgroup limit
    if (constrained !== undefined && constrained > 0 && constrained < 2 ** 53) {
      const rss = nodeProcess.memoryUsage?.rss?.() ?? 0
      candidates.push(constrained - rss)
    }
    const known = candidates.filter((c): c is number => c !== undefined && Number.isFinite(c))
    return known.length === 0 ? undefined : Math.max(0, Math.min(...known))
  }
  const deviceMemory = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory
  return typeof deviceMemory === 'number' && deviceMemory > 0 ? (deviceMemory * 2 ** 30) / 2 : undefined
}

/** The automatic budget when the platform says nothing (a browser without `deviceMemory`). */
const unknownPlatformBudget = 2 ** 30

const fromEnvironment = (): number | undefined => {
  const text = environmentVariable('NABLA_MEMORY_BUDGET')
  return text === undefined || text === '' ? undefined : parseBytes(text)
}

let fixedBudget: number | undefined = fromEnvironment()
let available: AvailableMemory = platformAvailable

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
 * A byte count for messages: `16 GiB (17179869176 bytes)`.
 * @example
 * import { formatBytes } from './budget.js'
 * formatBytes(1536) // '1.5 KiB (1536 bytes)'
 */
export const formatBytes = (bytes: number): string => {
  const steps = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes
  let step = 0
  while (value >= 1024 && step < steps.length - 1) {
    value /= 1024
    step++
  }
  const shown = step === 0 ? String(value) : `${Number(value.toFixed(1))} ${steps[step]}`
  return step === 0 ? `${shown} bytes` : `${shown} (${bytes} bytes)`
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

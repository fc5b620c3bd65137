/**
 * What the platform says about memory: how much is available to this process, read in Node from
 * `os.freemem()` (Linux's MemAvailable), the cgroup limit (`process.constrainedMemory()`) and the
 * address-space limit (`ulimit -v`, from /proc), through `globalThis.process` (guarded, no Node
 * import, so browsers load this module too), and in a browser half of `navigator.deviceMemory`;
 * and byte counts as people write and read them (`512MiB`, `16 GiB (17179869176 bytes)`). The
 * memory budget (src/tensor/budget.ts) is built on it.
 *
 * @module platform/memory
 */

/** Where the memory available is read from, in bytes (undefined: unknown). */
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
 * import { parseBytes } from './memory.js'
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

/**
 * The memory available to this process, from the platform (see the module header); undefined
 * where the platform does not say or forbids asking.
 * @example
 * import { platformAvailableMemory } from './memory.js'
 * platformAvailableMemory() // e.g. 17179869184 in Node with 16 GiB free, undefined in Firefox
 */
export const platformAvailableMemory: AvailableMemory = () => {
  try {
    return readPlatformMemory()
  } catch {
    // a runtime that forbids asking (Deno without --allow-sys)
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

/**
 * A byte count for messages: `16 GiB (17179869176 bytes)`.
 * @example
 * import { formatBytes } from './memory.js'
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

/**
 * Setting a V8 flag from inside a running program, the one way nabla changes its runtime: Node's
 * `v8.setFlagsFromString`, reached through `process.getBuiltinModule` so that nothing is imported
 * where there is no Node (a browser page has no `process`; Deno accepts the call and ignores what
 * it does not know). Used by garbageCollector.ts and relaxedSimd.ts through `processFlag`: each
 * flag set once per process, where the runtime is V8, unless an environment variable turns it off.
 *
 * @module platform/v8Flags
 */
import { environmentVariable, turnedOff } from './environment.js'

interface NodeProcess {
  readonly getBuiltinModule?: (name: string) => unknown
  readonly versions?: { readonly v8?: string }
}

const nodeProcess = (): NodeProcess | undefined => {
  try {
    return (globalThis as { process?: NodeProcess }).process
  } catch {
    return undefined
  }
}

/**
 * The V8 version the runtime reports (`process.versions.v8`), or `undefined` where it reports none.
 * @example
 * import { v8Version } from './v8Flags.js'
 * v8Version() // '11.3.244.8-node.33' under Node 20, undefined in a browser page
 */
export const v8Version = (): string | undefined => nodeProcess()?.versions?.v8

/**
 * Sets `flags` in the running V8 when the runtime offers `v8.setFlagsFromString`; returns whether
 * the call was made (a runtime that throws on it, or has no such call, changes nothing).
 * @example
 * import { setV8Flags } from './v8Flags.js'
 * setV8Flags('--no-concurrent-array-buffer-sweeping') // true under Node
 */
export const setV8Flags = (flags: string): boolean => {
  try {
    const v8 = nodeProcess()?.getBuiltinModule?.('node:v8') as
      | { setFlagsFromString?: (flags: string) => void }
      | undefined
    if (typeof v8?.setFlagsFromString !== 'function') return false
    v8.setFlagsFromString(flags)
    return true
  } catch {
    return false
  }
}

/**
 * Whether a preparation that sets a V8 flag applies: where the runtime is V8 (`version`, Node's
 * `process.versions.v8`), unless `setting` (its environment variable) turns it off.
 * @example
 * import { flagApplies } from './v8Flags.js'
 * flagApplies('11.3.244.8-node.33', undefined) // true
 * flagApplies('11.3.244.8-node.33', '0') // false
 * flagApplies(undefined, undefined) // false: no V8 version reported (a browser page)
 */
export const flagApplies = (version: string | undefined, setting: string | undefined): boolean =>
  version !== undefined && !turnedOff(setting)

/** A V8 flag that a preparation sets at most once per process (`processFlag`). */
export interface ProcessFlag {
  /** Sets the flag the first time it applies here; returns whether it is set (now or before). */
  readonly set: () => boolean
  /** Whether `set` has set the flag in this process. */
  readonly isSet: () => boolean
}

/**
 * `flag`, to be set once per process where `flagApplies` (the environment variable `variable` read
 * the first time `set` is called).
 * @example
 * import { processFlag } from './v8Flags.js'
 * const sweeping = processFlag('--no-concurrent-array-buffer-sweeping', 'NABLA_TUNE_GC')
 * sweeping.set() // true under Node unless NABLA_TUNE_GC=0; the V8 call is made once
 */
export const processFlag = (flag: string, variable: string): ProcessFlag => {
  let asked = false
  let isSet = false
  return {
    set: () => {
      if (asked) return isSet
      asked = true
      if (flagApplies(v8Version(), environmentVariable(variable))) isSet = setV8Flags(flag)
      return isSet
    },
    isSet: () => isSet,
  }
}

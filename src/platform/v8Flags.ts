/**
 * Setting a V8 flag from inside a running program, the one way nabla changes its runtime: Node's
 * `v8.setFlagsFromString`, reached through `process.getBuiltinModule` so that nothing is imported
 * where there is no Node (a browser page has no `process`; Deno accepts the call and ignores what
 * it does not know). Used by garbageCollector.ts and relaxedSimd.ts, each once per process and each
 * with an environment variable that turns it off.
 *
 * @module platform/v8Flags
 */

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
 * Whether an environment setting turns a preparation off: `0`, `false` or `no`, in any case.
 * @example
 * import { turnedOff } from './v8Flags.js'
 * turnedOff('0') // true
 * turnedOff(undefined) // false
 */
export const turnedOff = (setting: string | undefined): boolean => /^(0|false|no)$/i.test(setting ?? '')

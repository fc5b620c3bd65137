/**
 * Reading the settings nabla takes from environment variables (`NABLA_KERNELS`,
 * `NABLA_DEBUG_NANS`, the `…=0` that turns a preparation off) on any platform: Node's `process.env`; nothing in a browser; and under Deno,
 * where reading the environment without `--allow-env` throws, nothing either.
 *
 * @module platform/environment
 */

/**
 * The value of an environment variable, or `undefined` where there is none or it may not be read.
 * @example
 * import { environmentVariable } from './environment.js'
 * environmentVariable('NABLA_KERNELS') // 'reference', 'wasm' or undefined
 */
export const environmentVariable = (name: string): string | undefined => {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name]
  } catch {
    return undefined
  }
}

/**
 * Whether an environment setting turns a preparation off: `0`, `false` or `no`, in any case.
 * @example
 * import { turnedOff } from './environment.js'
 * turnedOff('0') // true
 * turnedOff(undefined) // false
 */
export const turnedOff = (setting: string | undefined): boolean => /^(0|false|no)$/i.test(setting ?? '')

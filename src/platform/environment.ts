/**
 * Reading the settings nabla takes from environment variables (`NABLA_KERNELS`,
 * `NABLA_DEBUG_NANS`) on any platform: Node's `process.env`; nothing in a browser; and under Deno,
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

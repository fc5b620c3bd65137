/**
 * Every `@example` in a doc comment under src/ type-checks (issue 7: an example that compiles on
 * every public export). The checker itself is shown to report a broken example.
 */
import { describe, expect, it } from 'vitest'
import { checkExamples, extractExamples } from '../../scripts/doc-examples.js'

describe('doc-comment examples', () => {
  it('extracts the examples of the public API, with their file and line', () => {
    const examples = extractExamples()
    expect(examples.length).toBeGreaterThan(300)
    const matmul = examples.find((e) => e.file === 'src/tensor/ops/linalg.ts' && e.code.includes('matmul('))
    expect(matmul?.line).toBeGreaterThan(1)
  })

  it('reports an example that does not type-check, at its file and line', () => {
    const failures = checkExamples([
      { file: 'src/fake.ts', line: 7, code: "const n: number = 'not a number'" },
    ])
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatch(/^src\/fake\.ts:7: error TS2322/)
  })

  it('type-checks every example in src/', () => {
    expect(checkExamples()).toEqual([])
  }, 120_000)
})

/** Tests of the core line counter: blank lines and comments (line, block, doc) are not code. */
import { describe, expect, it } from 'vitest'
import { codeLines } from '../../scripts/core-lines.js'

describe('codeLines', () => {
  it('counts lines with code, not blank or comment-only lines', () => {
    const source = [
      '/**',
      ' * A doc comment.',
      ' */',
      'export const a = 1 // trailing comment: still code',
      '',
      '   // a line comment',
      '/* one-line block */',
      '/* a block that',
      '   ends here */ const b = 2',
      'const c = { /* inline */ d: 3 }',
      '\t',
    ].join('\n')
    expect(codeLines(source)).toBe(3)
    expect(codeLines('')).toBe(0)
    expect(codeLines('x\ny\n')).toBe(2)
  })
})

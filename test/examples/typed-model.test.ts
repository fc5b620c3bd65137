/**
 * examples/typed-model.ts: the typed network trains (the loss falls, the accuracy is high), its
 * float64 twin passes the gradient check, and the example holds no cast.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadData, main } from '../../examples/typed-model.js'
import { ShapeError, withShape, zeros } from '../../src/index.js'

describe('examples/typed-model', () => {
  it('trains, passes the gradient check, and reports both', () => {
    const lines: string[] = []
    const result = main((l) => lines.push(l))
    expect(result.after).toBeLessThan(result.before / 4)
    expect(result.accuracy).toBeGreaterThan(0.9)
    expect(result.gradientsOk).toBe(true)
    expect(lines[1]).toMatch(/gradient check .*: ok$/)
  })

  it('binds the run-time batch once, with a checked shape', () => {
    const { x, labels } = loadData(7, 3)
    expect(x.shape).toEqual([7, 4])
    expect(labels.shape).toEqual([7])
    expect(() => withShape(zeros([7, 5]), [7, 4])).toThrow(ShapeError)
  })

  it('has no `as` cast', () => {
    const source = fs.readFileSync(path.join(import.meta.dirname, '../../examples/typed-model.ts'), 'utf8')
    const code = source.split('\n').filter((line) => !/^\s*(\/\*\*|\*|\/\/)/.test(line))
    expect(code.filter((line) => /\sas\s/.test(line))).toEqual([])
  })
})

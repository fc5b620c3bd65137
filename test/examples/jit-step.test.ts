/**
 * examples/jit-step.ts: the compiled training step (loss, gradient and Adam together, parameters and
 * state donated) gives the eager step's losses and parameters bit for bit, is traced once, consumes
 * what it was given, and the example holds no cast.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { compiledStep, main, makeBatch, network, optimizer, step, train } from '../../examples/jit-step.js'
import { ArgumentError, key, toFlat } from '../../src/index.js'

describe('examples/jit-step', () => {
  it('trains, agrees with the eager step bit for bit, and reports both speeds', () => {
    const lines: string[] = []
    const result = main((l) => lines.push(l), 0.1)
    expect(result.same).toBe(true)
    expect(result.eager.losses.at(-1)!).toBeLessThan(result.eager.losses[0]! / 10)
    expect(lines[1]).toBe('eager and jit(step, { donate: [0, 1] }) agree bit for bit: yes')
    expect(lines[2]).toMatch(/^eager \d+ steps\/s, jitted \d+ steps\/s/)
  })

  it('traces once and consumes the donated parameters and state', () => {
    const compiled = compiledStep()
    const { x, y } = makeBatch(3)
    const params = network.init(key(0))
    const state = optimizer.init(params)
    const [p1, s1] = compiled(params, state, x, y)
    expect(() => toFlat(params[0].w)).toThrow(ArgumentError)
    const [p2] = compiled(p1, s1, x, y)
    expect(compiled.traceCount()).toBe(1)
    expect(() => toFlat(p1[1].b)).toThrow(ArgumentError)
    // the eager step from the same start lands on the same parameters
    const fresh = network.init(key(0))
    const [q1, t1] = step(fresh, optimizer.init(fresh), x, y)
    const [q2] = step(q1, t1, x, y)
    expect(toFlat(p2[0].w)).toEqual(toFlat(q2[0].w))
    expect(train(compiled, 1).losses).toHaveLength(1)
  })

  it('has no `as` cast', () => {
    const source = fs.readFileSync(path.join(import.meta.dirname, '../../examples/jit-step.ts'), 'utf8')
    const code = source.split('\n').filter((line) => !/^\s*(\/\*\*|\*|\/\/)/.test(line))
    expect(code.filter((line) => /\sas\s/.test(line))).toEqual([])
  })
})

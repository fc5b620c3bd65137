/**
 * `nabla gradcheck`: on small models it prints one line per parameter with its worst relative error
 * and exits 0 when every derivative agrees with finite differences (full and random modes).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { setProgressInterval } from '../../src/cli/gradcheck.js'
import { runInProcess } from './run.js'

describe('nabla gradcheck', () => {
  afterEach(() => setProgressInterval(2000))

  it('reports progress of a long full-mode check on stderr', async () => {
    setProgressInterval(0)
    const r = await runInProcess(['gradcheck', '--dataset', 'iris', '--hidden', '3', '--mode', 'full'])
    expect(r.status).toBe(0)
    const progress = r.stderr.trimEnd().split('\n')
    // with no interval, each leaf reports before each of its weights: 4·3 + 3 + 3·3 + 3
    expect(progress).toHaveLength(12 + 3 + 9 + 3)
    expect(progress).toContain('  params[0].w: 5 of 12 weights checked (41.7%, 0 s)')
  })

  it('checks every parameter of a small network in full mode', async () => {
    setProgressInterval(Number.POSITIVE_INFINITY)
    const r = await runInProcess([
      'gradcheck',
      '--dataset',
      'iris',
      '--hidden',
      '5',
      '--activation',
      'tanh',
      '--mode',
      'full',
    ])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('nabla gradcheck: mlp 4-5-3 tanh on iris, batch of 8, float64, full mode')
    const params = lines.slice(1, 5)
    expect(params.map((l) => l.trim().split(/\s+/)[0])).toEqual([
      'params[0].b',
      'params[0].w',
      'params[1].b',
      'params[1].w',
    ])
    for (const line of params) {
      const error = Number(/worst relative error (\S+)/.exec(line)![1])
      expect(error).toBeLessThan(1e-5)
      expect(line).toMatch(/ ok$/)
    }
    expect(lines[5]).toBe('all gradients agree with finite differences (rtol 1e-5, atol 1e-6)')
  })

  it('checks the default MNIST model (784-128-10, K = 784 in the first matmul) in random mode', async () => {
    const r = await runInProcess(['gradcheck', '--batch', '4'])
    expect(r.status).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('nabla gradcheck: mlp 784-128-10 relu on mnist, batch of 4, float64, random mode')
    expect(lines.slice(1, 5).every((l) => / ok$/.test(l))).toBe(true)
    expect(lines[5]).toBe('all gradients agree with finite differences (rtol 1e-5, atol 1e-6)')
  })

  it('uses random directions by default', async () => {
    const r = await runInProcess(['gradcheck', '--dataset', 'xor', '--hidden', '16,8', '--batch', '4'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^nabla gradcheck: mlp 2-16-8-2 relu on xor, batch of 4, float64, random mode\n/)
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1 + 6 + 1)
  })
})

/**
 * Progress output: without a terminal only the per-epoch lines reach stdout; with one, a bar is
 * drawn on stderr while the lines still go to stdout.
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createProgress } from '../../src/cli/progress.js'

const collect = () => {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk) => {
    text += String(chunk)
  })
  return { stream, text: () => text }
}

describe('progress', () => {
  it('writes plain lines only without a terminal', () => {
    const out = collect()
    const err = collect()
    const p = createProgress({ epochs: 2, tty: false, stdout: out.stream, stderr: err.stream as never })
    p.line('header')
    p.startEpoch(1, 10)
    p.step(5, 0.5, 1000)
    p.endEpoch('epoch 1/2')
    expect(out.text()).toBe('header\nepoch 1/2\n')
    expect(err.text()).toBe('')
  })

  it('draws a bar with loss and throughput on stderr on a terminal', () => {
    const out = collect()
    const err = collect()
    const fakeTty = Object.assign(err.stream, {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    })
    const p = createProgress({ epochs: 3, tty: true, stdout: out.stream, stderr: fakeTty as never })
    p.startEpoch(2, 4)
    p.step(4, 0.1234567, 2500)
    p.endEpoch('epoch 2/3 done')
    expect(out.text()).toBe('epoch 2/3 done\n')
    expect(err.text()).toContain('epoch 2/3')
    expect(err.text()).toContain('loss 0.1235')
    expect(err.text()).toContain('2500 ex/s')
  })
})

/**
 * Helper threads in a real browser (demo/threads.html): nabla runs in a dedicated Web Worker;
 * when the page is cross-origin isolated its large products are split across helper Web Workers
 * sharing the WebAssembly memory, and a product computed by the helpers alone equals the one
 * computed with no threads, value for value. Without isolation there are no helpers, and the
 * results are the same. Screenshots: test-artifacts/threads.png and threads-not-isolated.png.
 */
import { mkdirSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ThreadsReport } from '../../demo/threadsReport.js'
import { root, withDemoPage } from '../support/browser.js'

const reportOf = (withoutIsolation: boolean): Promise<ThreadsReport> =>
  withDemoPage(
    'threads.html',
    async (page, errors) => {
      await page.waitForSelector('#status[data-state="done"], #status[data-state="failed"]', {
        timeout: 60_000,
      })
      mkdirSync(path.join(root, 'test-artifacts'), { recursive: true })
      await page.screenshot({
        path: path.join(root, `test-artifacts/threads${withoutIsolation ? '-not-isolated' : ''}.png`),
      })
      expect(errors).toEqual([])
      expect(await page.locator('#status').textContent()).toBe('done')
      return JSON.parse((await page.locator('#status').getAttribute('data-report'))!) as ThreadsReport
    },
    { withoutIsolation },
  )

describe('helper threads in headless Chromium', () => {
  it('split a product across Web Workers when the page is cross-origin isolated', async () => {
    const report = await reportOf(false)
    expect(report.crossOriginIsolated).toBe(true)
    expect(report.kernels).toMatch(/^wasm-simd/)
    expect(report.threadsReady).toBe(1)
    // every row of this product was written by a helper Web Worker
    expect(report.helpersOnlyMatches).toBe(true)
    expect(report.defaultMatches).toBe(true)
    expect(report.referenceError).toBeLessThan(1e-5)
  }, 120_000)

  it('run everything on the one worker, with the same results, when the page is not isolated', async () => {
    const report = await reportOf(true)
    expect(report.crossOriginIsolated).toBe(false)
    expect(report.threadsReady).toBe(0)
    expect(report.helpersOnlyMatches).toBe('not run')
    expect(report.defaultMatches).toBe(true)
    expect(report.referenceError).toBeLessThan(1e-5)
  }, 120_000)
})

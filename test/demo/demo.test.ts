/**
 * The demo page in a real browser: `npm run demo`'s Vite server serves demo/, Debian's Chromium
 * (headless, driven by playwright-core, no browser download) opens it, and the page must train:
 * the loss falls, the test accuracy it shows passes 90 %, no error is thrown. A screenshot is
 * written to test-artifacts/demo.png.
 */
import { mkdirSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { root, withDemoPage } from '../support/browser.js'

describe('the demo page', () => {
  it(
    'trains an MLP in headless Chromium: the loss falls and the test accuracy shown is above 90 %',
    () =>
      withDemoPage('index.html', async (page, errors) => {
        await page.waitForSelector('#status[data-state="done"], #status[data-state="failed"]', {
          timeout: 240_000,
        })
        mkdirSync(path.join(root, 'test-artifacts'), { recursive: true })
        await page.screenshot({ path: path.join(root, 'test-artifacts/demo.png') })
        const status = page.locator('#status')
        expect(errors).toEqual([])
        expect(await status.getAttribute('data-state')).toBe('done')
        expect(await page.locator('#epoch').textContent()).toBe('30')
        const first = Number(await status.getAttribute('data-first-loss'))
        const last = Number(await status.getAttribute('data-last-loss'))
        expect(last).toBeLessThan(first / 4)
        const shown = Number(await page.locator('#accuracy').getAttribute('data-value'))
        expect(shown).toBeGreaterThan(0.9)
        // a click on the map answers with the class probabilities
        await page.locator('#map').click({ position: { x: 150, y: 150 } })
        expect(await page.locator('#probability').textContent()).toMatch(
          /spiral A [\d.]+ %, spiral B [\d.]+ %/,
        )
        // the page ran nabla's own kernels in the browser, not a stub
        expect(await page.locator('#kernels').textContent()).toMatch(/\w/)
      }),
    300_000,
  )
})

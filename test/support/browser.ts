/**
 * A demo page in a real browser: `npm run demo`'s Vite server serves demo/, and Debian's Chromium
 * (headless, driven by playwright-core, no browser download) opens the page. Shared by the tests
 * under test/demo/.
 */
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Page } from 'playwright-core'
import { createServer } from 'vite'
import { expect } from 'vitest'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The flags that work on this machine's closed network (see .ci/run). */
const flags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Options of `withDemoPage`. */
export interface DemoPageOptions {
  /** Serve without the cross-origin isolation headers demo/vite.config.ts sets (default false). */
  readonly withoutIsolation?: boolean
  readonly viewport?: { readonly width: number; readonly height: number }
}

/**
 * Serves demo/, opens `page` (e.g. 'threads.html') in headless Chromium, runs `body` with it and
 * the uncaught errors the page has thrown so far, and closes everything.
 */
export const withDemoPage = async <T>(
  pagePath: string,
  body: (page: Page, errors: readonly string[]) => Promise<T>,
  options: DemoPageOptions = {},
): Promise<T> => {
  expect(existsSync(executablePath), `${executablePath} is missing: .ci/run installs Debian's chromium`).toBe(
    true,
  )
  const server = await createServer({
    configFile: path.join(root, 'demo/vite.config.ts'),
    server: { host: '127.0.0.1', port: 0 },
    logLevel: 'error',
  })
  await server.listen()
  const browser = await chromium.launch({ executablePath, args: flags, headless: true })
  try {
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1000, height: 560 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    if (options.withoutIsolation === true)
      await page.route('**/*', async (route) => {
        const response = await route.fetch()
        const headers = { ...response.headers() }
        delete headers['cross-origin-opener-policy']
        delete headers['cross-origin-embedder-policy']
        await route.fulfill({ response, headers })
      })
    const url = server.resolvedUrls?.local[0]
    expect(url).toBeDefined()
    await page.goto(new URL(pagePath, url).href)
    return await body(page, errors)
  } finally {
    await browser.close()
    await server.close()
  }
}

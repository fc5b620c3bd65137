/**
 * The helper-threads page: it starts demo/threadsWorker.ts as a module worker, which runs nabla
 * and reports what it found (isolation, the worker host, threads ready, whether the products
 * agree). The page shows the report and puts it in `#status[data-report]`, which
 * test/demo/threads.test.ts reads.
 *
 * @module demo/threads
 */
import type { ThreadsReport } from './threadsReport.js'

const status = document.getElementById('status')!
const report = document.getElementById('report')!

const show = (result: ThreadsReport): void => {
  for (const [name, value] of Object.entries(result)) {
    const term = document.createElement('dt')
    term.textContent = name
    const detail = document.createElement('dd')
    detail.textContent = String(value)
    report.append(term, detail)
  }
}

const worker = new Worker(new URL('./threadsWorker.ts', import.meta.url), { type: 'module' })
worker.onmessage = (event: MessageEvent<ThreadsReport>) => {
  show(event.data)
  status.dataset.report = JSON.stringify(event.data)
  status.dataset.state = 'done'
  status.textContent = 'done'
}
worker.onerror = (event) => {
  status.dataset.state = 'failed'
  status.textContent = `the worker failed: ${event.message}`
}

/**
 * Progress output of `nabla train`. On a terminal, a `cli-progress` bar per epoch (on stderr) shows
 * the batches done, the running training loss and the throughput; after each epoch one plain line
 * (on stdout) gives the epoch's training loss and test accuracy. Without a terminal (a pipe, CI, a
 * test) only the plain lines are written. `cli-progress` is optional: without it the bar is skipped.
 *
 * @module cli/progress
 */
import { createRequire } from 'node:module'
import type * as CliProgress from 'cli-progress'

/**
 * What the training loop reports to.
 * @example
 * import { createProgress, type Progress } from './progress.js'
 * const progress: Progress = createProgress({ epochs: 3, tty: false })
 */
export interface Progress {
  readonly startEpoch: (epoch: number, batches: number) => void
  readonly step: (batchesDone: number, loss: number, examplesPerSecond: number) => void
  readonly endEpoch: (line: string) => void
  readonly line: (text: string) => void
}

/**
 * Where progress goes.
 * @example
 * import { createProgress } from './progress.js'
 * createProgress({ epochs: 10, tty: process.stderr.isTTY === true })
 */
export interface ProgressOptions {
  readonly epochs: number
  /** Draw bars (default: when stderr is a terminal). */
  readonly tty?: boolean
  readonly stdout?: NodeJS.WritableStream
  readonly stderr?: NodeJS.WriteStream
}

const loadBars = (): typeof CliProgress | undefined => {
  try {
    return createRequire(import.meta.url)('cli-progress') as typeof CliProgress
  } catch {
    return undefined
  }
}

/**
 * Progress for `epochs` epochs: bars on a terminal, plain lines otherwise.
 * @example
 * import { createProgress } from './progress.js'
 * const progress = createProgress({ epochs: 10 })
 * progress.startEpoch(1, 125)
 * progress.step(1, 2.3, 4000)
 * progress.endEpoch('epoch 1/10  train loss 0.68  test accuracy 90.6%')
 */
export const createProgress = (options: ProgressOptions): Progress => {
  const stdout = options.stdout ?? process.stdout
  const stderr = options.stderr ?? process.stderr
  const line = (text: string) => {
    stdout.write(`${text}\n`)
  }
  const bars = (options.tty ?? stderr.isTTY === true) ? loadBars() : undefined
  if (bars === undefined) return { startEpoch: () => {}, step: () => {}, endEpoch: line, line }
  let bar: CliProgress.SingleBar | undefined
  return {
    startEpoch: (epoch, batches) => {
      bar = new bars.SingleBar(
        {
          stream: stderr,
          format: `epoch ${epoch}/${options.epochs} {bar} {value}/{total} batches | loss {loss} | {speed} ex/s`,
          hideCursor: true,
          clearOnComplete: true,
          barsize: 30,
        },
        bars.Presets.shades_classic,
      )
      bar.start(batches, 0, { loss: '-', speed: '-' })
    },
    step: (done, loss, speed) => {
      bar?.update(done, { loss: loss.toFixed(4), speed: Math.round(speed).toString() })
    },
    endEpoch: (text) => {
      bar?.stop()
      bar = undefined
      line(text)
    },
    line,
  }
}

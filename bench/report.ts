/**
 * The printed table: each case with every implementation's median and range, and how many times
 * faster (or slower) nabla is than each peer — for rates nabla/peer, for times peer/nabla, so
 * above 1× always means nabla is ahead.
 *
 * @module bench/report
 */
import type { Result } from './measure.js'

const format = (value: number): string =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toPrecision(3)

/** nabla's advantage over a peer on one case (above 1: nabla ahead). */
export const advantage = (nabla: Result, peer: Result, higherIsBetter: boolean): number =>
  higherIsBetter ? nabla.median / peer.median : peer.median / nabla.median

/** Renders the results as a text table. */
export const table = (results: readonly Result[], higherIsBetter: (caseName: string) => boolean): string => {
  const rows: string[][] = [['case', 'impl', 'median', 'min–max', 'unit', 'nabla (and nabla jit) vs impl']]
  const cases = [...new Set(results.map((r) => r.case))]
  for (const name of cases) {
    const entries = results.filter((r) => r.case === name)
    const nabla = entries.find((r) => r.impl === 'nabla')
    const jitted = entries.find((r) => r.impl === 'nabla jit')
    entries.forEach((r, i) => {
      const better = higherIsBetter(name)
      const eager =
        nabla === undefined || r.impl.startsWith('nabla') ? '' : `${advantage(nabla, r, better).toFixed(2)}×`
      const jit =
        jitted === undefined || r.impl === 'nabla jit'
          ? ''
          : `jit ${advantage(jitted, r, better).toFixed(2)}×`
      const ratio = [eager, jit].filter((s) => s !== '').join(', ')
      rows.push([
        i === 0 ? name : '',
        r.impl,
        format(r.median),
        `${format(r.min)}–${format(r.max)}`,
        r.unit,
        ratio,
      ])
    })
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n')
}

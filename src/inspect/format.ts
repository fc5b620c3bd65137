/**
 * Number formatting shared by the graph's labels and summaries.
 *
 * @module inspect/format
 */

/**
 * A number for a label: four significant digits, exponent notation when very small or large.
 * @example
 * import { formatNumber } from './format.js'
 * formatNumber(0.0123456) // '0.01235'
 * formatNumber(1e-7) // '1.000e-7'
 */
export const formatNumber = (v: number): string => {
  if (!Number.isFinite(v)) return String(v)
  if (v === 0) return '0'
  const a = Math.abs(v)
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(3)
}

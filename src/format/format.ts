import type { DType } from '../shapes/index.js'
/**
 * Tensors as text, NumPy-style: a header with the shape and dtype, then the values as nested
 * brackets, aligned in columns, with the middle of long axes elided (`...`) so a large tensor prints
 * in a few lines. A second form is exact and reproducible: source code that rebuilds the tensor
 * bit for bit (what fast-check prints for a counterexample).
 *
 * Browser-safe: Node's `util.inspect` finds the printer through `Symbol.for(...)`, no import.
 *
 * @module format/format
 */

/**
 * How `formatTensor` prints.
 * @example
 * import { formatTensor, zeros } from 'nabla'
 * formatTensor(zeros([2000]), { threshold: 5000 }) // every value printed
 */
export interface FormatOptions {
  /** Tensors with more elements than this are elided (default 1000, as NumPy). */
  readonly threshold?: number
  /** Values kept at each end of an elided axis (default 3). */
  readonly edgeItems?: number
  /** Digits after the decimal point (default 4). */
  readonly precision?: number
}

/** What the printers read: the shape, the dtype and the row-major values. */
export interface Printable {
  readonly shape: readonly number[]
  readonly dtype: DType
  readonly data: ArrayLike<number>
}

/** The indices kept along an axis of length `n`: all, or the ends with a gap (-1) between. */
const keptIndices = (n: number, elide: boolean, edge: number): number[] =>
  !elide || n <= 2 * edge
    ? Array.from({ length: n }, (_, i) => i)
    : [
        ...Array.from({ length: edge }, (_, i) => i),
        -1,
        ...Array.from({ length: edge }, (_, i) => n - edge + i),
      ]

/** One number in the common style of all the printed values. */
const numberFormatter = (values: readonly number[], precision: number): ((v: number) => string) => {
  const finite = values.filter(Number.isFinite)
  const special = (v: number): string | undefined =>
    Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : undefined
  if (finite.every((v) => Number.isInteger(v) && Math.abs(v) < 1e16))
    return (v) => special(v) ?? (Object.is(v, -0) ? '-0' : String(v))
  const largest = Math.max(...finite.map(Math.abs))
  const smallest = Math.min(...finite.filter((v) => v !== 0).map(Math.abs))
  if (largest >= 1e8 || smallest < 10 ** -precision) return (v) => special(v) ?? v.toExponential(precision)
  return (v) => special(v) ?? v.toFixed(precision).replace(/0+$/, '').replace(/\.$/, '.')
}

/** NumPy-style text of a tensor's values (`formatTensor` in readers.ts is the public door). */
export const formatValues = (t: Printable, options: FormatOptions = {}): string => {
  const { threshold = 1000, edgeItems = 3, precision = 4 } = options
  const { shape, data } = t
  const header = `Tensor<[${shape.join(',')}], ${t.dtype}>`
  const size = data.length
  const elide = size > threshold
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
  // the values that will be shown, to choose one style and width for all of them
  const shown: number[] = []
  const collect = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      shown.push(data[offset]!)
      return
    }
    for (const i of keptIndices(shape[axis]!, elide, edgeItems))
      if (i >= 0) collect(axis + 1, offset + i * strides[axis]!)
  }
  if (size > 0) collect(0, 0)
  const format = numberFormatter(shown, precision)
  const texts = shown.map(format)
  // decimal points line up: pad the fractional parts to one length, then right-align
  const fractionLength = Math.max(
    0,
    ...texts.map((s) => (/e/.test(s) || !s.includes('.') ? 0 : s.length - s.indexOf('.') - 1)),
  )
  const padded = texts.map((s) =>
    s.includes('.') && !/e/.test(s) ? s.padEnd(s.indexOf('.') + 1 + fractionLength, ' ') : s,
  )
  const width = Math.max(0, ...padded.map((s) => s.length))
  let next = 0
  const render = (axis: number, indent: string): string => {
    if (axis === shape.length) return padded[next++]!.padStart(width, ' ')
    const inner = `${indent} `
    const parts = keptIndices(shape[axis]!, elide, edgeItems).map((i) =>
      i < 0 ? '...' : render(axis + 1, inner),
    )
    const lineBreaks = '\n'.repeat(Math.max(1, shape.length - axis - 1))
    const separator = axis === shape.length - 1 ? ', ' : `,${lineBreaks}${inner}`
    return `[${parts.join(separator)}]`
  }
  return `${header}\n${render(0, '')}`
}

const exactNumber = (v: number): string =>
  Number.isNaN(v)
    ? 'NaN'
    : v === Infinity
      ? 'Infinity'
      : v === -Infinity
        ? '-Infinity'
        : Object.is(v, -0)
          ? '-0'
          : String(v)

/** Source code that rebuilds a tensor exactly (`tensorSource` in readers.ts is the public door). */
export const sourceOf = (t: Printable): string => {
  const options = `{ dtype: '${t.dtype}' }`
  if (t.data.length === 0) return `zeros([${t.shape.join(', ')}], ${options})`
  let next = 0
  const nest = (axis: number): string =>
    axis === t.shape.length
      ? exactNumber(t.data[next++]!)
      : `[${Array.from({ length: t.shape[axis]! }, () => nest(axis + 1)).join(', ')}]`
  return `tensor(${nest(0)}, ${options})`
}

/**
 * How a tensor without values of its own prints: inside `vmap` it stands for every example of the
 * batch, inside `jit` for every call.
 * @example
 * import { formatPlaceholder } from './format.js'
 * formatPlaceholder([2], 'float32', 'jit') // 'Tensor<[2], float32> (inside jit: stands for every call, no values to show)'
 */
export const formatPlaceholder = (shape: readonly number[], dtype: DType, transform: string): string =>
  `Tensor<[${shape.join(',')}], ${dtype}> (${
    transform === 'donate'
      ? 'donated to a jitted call, whose result now holds its memory: no values'
      : `inside ${transform}: stands for ${transform === 'vmap' ? 'every example of the batch' : 'every call'}, no values to show`
  })`

/**
 * Naive reference implementations for the tests of src/tensor: plain nested loops over row-major
 * `number[]` data, written for obviousness rather than speed. They share no code with src/, so a
 * test that compares an op against them can fail.
 */

/** A plain n-dimensional array: shape and row-major data. */
export interface Naive {
  readonly shape: readonly number[]
  readonly data: readonly number[]
}

export const sizeOfShape = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** The multi-index of flat position `flat` in `shape` (row-major). */
export const unravel = (flat: number, shape: readonly number[]): number[] => {
  const index = new Array<number>(shape.length).fill(0)
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!
    index[d] = flat % n
    flat = Math.floor(flat / n)
  }
  return index
}

/** The flat position of a multi-index in `shape` (row-major). */
export const ravel = (index: readonly number[], shape: readonly number[]): number => {
  let flat = 0
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + index[d]!
  return flat
}

/** All multi-indices of `shape` in row-major order. */
export const indicesOf = (shape: readonly number[]): number[][] =>
  Array.from({ length: sizeOfShape(shape) }, (_, i) => unravel(i, shape))

/** NumPy's broadcast rule, written out; `undefined` when the shapes clash. */
export const naiveBroadcastShape = (a: readonly number[], b: readonly number[]): number[] | undefined => {
  const rank = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!
    if (da === db) out.push(da)
    else if (da === 1) out.push(db)
    else if (db === 1) out.push(da)
    else return undefined
  }
  return out
}

/** Explicitly expands `x` to `outShape` by copying (each output index reads its broadcast source). */
export const expand = (x: Naive, outShape: readonly number[]): number[] =>
  indicesOf(outShape).map((index) => {
    const offset = outShape.length - x.shape.length
    const source = x.shape.map((d, i) => (d === 1 ? 0 : index[i + offset]!))
    return x.data[ravel(source, x.shape)]!
  })

/** Elementwise `f` on two arrays of equal length. */
export const zipWith = (
  a: readonly number[],
  b: readonly number[],
  f: (x: number, y: number) => number,
): number[] => a.map((x, i) => f(x, b[i]!))

/** Rounds like the storage of `dtype` does. */
export const roundTo = (dtype: 'float32' | 'float64', values: readonly number[]): number[] =>
  dtype === 'float32' ? values.map(Math.fround) : [...values]

/** Batched matrix product by a triple loop, batch dims broadcast by explicit expansion. */
export const naiveMatmul = (a: Naive, b: Naive): Naive => {
  const [m, k] = a.shape.slice(-2) as [number, number]
  const n = b.shape.at(-1)!
  const batch = naiveBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))!
  const aFull = expand(a, [...batch, m, k])
  const bFull = expand(b, [...batch, k, n])
  const data: number[] = []
  for (let t = 0; t < sizeOfShape(batch); t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let total = 0
        for (let p = 0; p < k; p++) total += aFull[t * m * k + i * k + p]! * bFull[t * k * n + p * n + j]!
        data.push(total)
      }
  return { shape: [...batch, m, n], data }
}

/** Reduction over sorted distinct `axes` by visiting every element. */
export const naiveReduce = (
  x: Naive,
  axes: readonly number[],
  keepdims: boolean,
  init: number,
  combine: (acc: number, v: number) => number,
): Naive => {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
  const acc = new Array<number>(sizeOfShape(kept)).fill(init)
  indicesOf(x.shape).forEach((index, flat) => {
    const o = ravel(
      index.map((v, i) => (axes.includes(i) ? 0 : v)),
      kept,
    )
    acc[o] = combine(acc[o]!, x.data[flat]!)
  })
  return { shape: keepdims ? kept : x.shape.filter((_, i) => !axes.includes(i)), data: acc }
}

/** Output axis i is input axis perm[i]. */
export const naiveTranspose = (x: Naive, perm: readonly number[]): Naive => {
  const shape = perm.map((p) => x.shape[p]!)
  const data = indicesOf(shape).map((index) => {
    const source = new Array<number>(x.shape.length)
    perm.forEach((p, i) => {
      source[p] = index[i]!
    })
    return x.data[ravel(source, x.shape)]!
  })
  return { shape, data }
}

export const naiveSlice = (x: Naive, begin: readonly number[], end: readonly number[]): Naive => {
  const shape = begin.map((b, i) => end[i]! - b)
  const data = indicesOf(shape).map(
    (index) =>
      x.data[
        ravel(
          index.map((v, i) => v + begin[i]!),
          x.shape,
        )
      ]!,
  )
  return { shape, data }
}

export const naivePad = (x: Naive, widths: readonly (readonly [number, number])[]): Naive => {
  const shape = x.shape.map((d, i) => widths[i]![0] + d + widths[i]![1])
  const data = indicesOf(shape).map((index) => {
    const source = index.map((v, i) => v - widths[i]![0])
    const inside = source.every((v, i) => v >= 0 && v < x.shape[i]!)
    return inside ? x.data[ravel(source, x.shape)]! : 0
  })
  return { shape, data }
}

export const naiveConcat = (xs: readonly Naive[], axis: number): Naive => {
  const first = xs[0]!
  const shape = first.shape.map((d, i) => (i === axis ? xs.reduce((n, x) => n + x.shape[axis]!, 0) : d))
  const data = indicesOf(shape).map((index) => {
    let position = index[axis]!
    for (const x of xs) {
      if (position < x.shape[axis]!)
        return x.data[
          ravel(
            index.map((v, i) => (i === axis ? position : v)),
            x.shape,
          )
        ]!
      position -= x.shape[axis]!
    }
    throw new Error('naiveConcat: index out of range')
  })
  return { shape, data }
}

/** result[..., i..., ...] = x[..., indices[i...], ...] */
export const naiveGather = (x: Naive, indices: Naive, axis: number): Naive => {
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)]
  const r = indices.shape.length
  const data = indicesOf(shape).map((index) => {
    const position = indices.data[ravel(index.slice(axis, axis + r), indices.shape)]!
    const source = [...index.slice(0, axis), position, ...index.slice(axis + r)]
    return x.data[ravel(source, x.shape)]!
  })
  return { shape, data }
}

/** out = zeros(shape); out[..., indices[i...], ...] += values[..., i..., ...] */
export const naiveScatterAdd = (
  values: Naive,
  indices: Naive,
  axis: number,
  shape: readonly number[],
): Naive => {
  const data = new Array<number>(sizeOfShape(shape)).fill(0)
  const r = indices.shape.length
  indicesOf(values.shape).forEach((index, flat) => {
    const position = indices.data[ravel(index.slice(axis, axis + r), indices.shape)]!
    const target = [...index.slice(0, axis), position, ...index.slice(axis + r)]
    data[ravel(target, shape)]! += values.data[flat]!
  })
  return { shape: [...shape], data }
}

/** The nested-array form of flat data (what `toArray` should return). */
export const nest = (shape: readonly number[], data: readonly number[]): unknown => {
  if (shape.length === 0) return data[0]
  const [n, ...rest] = shape as [number, ...number[]]
  const chunk = sizeOfShape(rest)
  return Array.from({ length: n }, (_, i) => nest(rest, data.slice(i * chunk, (i + 1) * chunk)))
}

/**
 * Asserts that `actual[i]` is within `tolerance(i)` of `expected[i]` for every i (non-finite values
 * must match exactly); returns a message naming the first failure, or undefined.
 */
export const firstMismatch = (
  actual: readonly number[],
  expected: readonly number[],
  tolerance: (i: number) => number = () => 0,
): string | undefined => {
  if (actual.length !== expected.length) return `length ${actual.length} instead of ${expected.length}`
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    const ok = Number.isFinite(e) ? Math.abs(a - e) <= tolerance(i) : Object.is(a, e)
    if (!ok) return `at ${i}: ${a} instead of ${e} (tolerance ${tolerance(i)})`
  }
  return undefined
}

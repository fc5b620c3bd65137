/**
 * Parsing and checking of an einsum specification against its operands' shapes: which label each
 * axis carries, the size of every label, and the output's labels. No arithmetic happens here; the
 * contraction itself is in `einsum.ts`.
 *
 * Labels are numbers: letters get their character code, the axes an ellipsis stands for get
 * negative numbers (`-1` for the last of them, `-2` for the one before, …), so ellipsis axes of
 * different operands align from the right, as broadcasting does.
 *
 * @module einsum/spec
 */
import { ArgumentError, describe, formatShape, type Shape, ShapeError } from '../tensor/internal.js'

/** A parsed, checked einsum: labels per operand axis, label sizes, output labels. */
export interface EinsumPlan {
  /** For each operand, the label of each of its axes (repeated labels are diagonals). */
  readonly inputs: readonly (readonly number[])[]
  /** The output's labels, in order (never repeated). */
  readonly output: readonly number[]
  /** The size of each label (an ellipsis label broadcasts: the largest of its sizes, 1s aside). */
  readonly sizes: ReadonlyMap<number, number>
}

const ellipsis = '...'

/** A term split into its letters before and after its ellipsis (`after` undefined: no ellipsis). */
interface Term {
  readonly text: string
  readonly before: string
  readonly after: string | undefined
}

const isLetter = (c: string): boolean => /^[A-Za-z]$/.test(c)

/** The text of a label, for messages. */
export const labelName = (label: number): string =>
  label >= 0 ? String.fromCharCode(label) : `... axis ${label}`

const parseTerm = (spec: string, text: string, where: string): Term => {
  const at = text.indexOf(ellipsis)
  const before = at < 0 ? text : text.slice(0, at)
  const after = at < 0 ? undefined : text.slice(at + ellipsis.length)
  for (const part of [before, after ?? ''])
    for (const c of part)
      if (!isLetter(c))
        throw new ArgumentError(
          'einsum',
          `spec ${JSON.stringify(spec)}: ${where} term ${JSON.stringify(text)} has ${JSON.stringify(c)}; indices are letters a-z, A-Z, and '...' once per term`,
        )
  return { text, before, after }
}

const letters = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0))

/**
 * Parses `spec` and checks it against the operands' shapes. Throws an `ArgumentError` for a
 * malformed spec and a `ShapeError` naming the index and both sizes when sizes disagree.
 */
export const planEinsum = (spec: unknown, shapes: readonly Shape[]): EinsumPlan => {
  if (typeof spec !== 'string')
    throw new ArgumentError('einsum', `spec must be a string like 'ij,jk->ik', got ${describe(spec)}`)
  const compact = spec.replace(/\s+/g, '')
  const arrows = compact.split('->')
  if (arrows.length > 2)
    throw new ArgumentError('einsum', `spec ${JSON.stringify(spec)} has more than one '->'`)
  const termTexts = arrows[0]!.split(',')
  if (termTexts.length !== shapes.length)
    throw new ArgumentError(
      'einsum',
      `spec ${JSON.stringify(spec)} has ${termTexts.length} input term${termTexts.length === 1 ? '' : 's'} but ${shapes.length} operand${shapes.length === 1 ? ' was' : 's were'} given`,
    )
  const terms = termTexts.map((t, i) => parseTerm(spec, t, `operand ${i}'s`))

  // labels of each operand's axes; ellipsis axes get -k counted from the right
  const inputs = terms.map((term, i) => {
    const shape = shapes[i]!
    const named = term.before.length + (term.after?.length ?? 0)
    const spread = shape.length - named
    if (term.after === undefined ? spread !== 0 : spread < 0)
      throw new ShapeError(
        'einsum',
        `operand ${i} has shape ${formatShape(shape)} (rank ${shape.length}) but its term ${JSON.stringify(term.text)} names ${named} ${named === 1 ? 'index' : 'indices'}${term.after === undefined ? '' : " and '...'"}`,
      )
    const middle = Array.from({ length: term.after === undefined ? 0 : spread }, (_, k) => k - spread)
    return [...letters(term.before), ...middle, ...letters(term.after ?? '')]
  })

  // sizes: letters must agree exactly; ellipsis axes broadcast (1 meets anything)
  const sizes = new Map<number, number>()
  const firstSeen = new Map<number, number>()
  inputs.forEach((labels, i) => {
    labels.forEach((label, axis) => {
      const size = shapes[i]![axis]!
      const known = sizes.get(label)
      if (known === undefined) {
        sizes.set(label, size)
        firstSeen.set(label, i)
      } else if (known !== size) {
        if (label < 0 && (known === 1 || size === 1)) sizes.set(label, known === 1 ? size : known)
        else {
          const j = firstSeen.get(label)!
          const whereFirst =
            j === i
              ? `${known} and ${size} in operand ${i} (shape ${formatShape(shapes[i]!)})`
              : `${known} in operand ${j} (shape ${formatShape(shapes[j]!)}) but ${size} in operand ${i} (shape ${formatShape(shapes[i]!)})`
          throw new ShapeError(
            'einsum',
            label >= 0
              ? `index ${labelName(label)} is ${whereFirst}`
              : `the '...' axes do not broadcast: an axis is ${whereFirst}`,
          )
        }
      }
    })
  })

  const spreadRank = Math.max(0, ...inputs.flat().map((l) => -l))
  const spreadLabels = Array.from({ length: spreadRank }, (_, k) => k - spreadRank)
  const output =
    arrows.length === 2
      ? explicitOutput(spec, arrows[1]!, sizes, spreadLabels)
      : [
          ...spreadLabels,
          ...[...sizes.keys()]
            .filter((l) => l >= 0 && inputs.flat().filter((m) => m === l).length === 1)
            .sort((a, b) => a - b),
        ]
  return { inputs, output, sizes }
}

const explicitOutput = (
  spec: string,
  text: string,
  sizes: ReadonlyMap<number, number>,
  spreadLabels: readonly number[],
): number[] => {
  const term = parseTerm(spec, text, 'the output')
  const output = [
    ...letters(term.before),
    ...(term.after === undefined ? [] : spreadLabels),
    ...letters(term.after ?? ''),
  ]
  const seen = new Set<number>()
  for (const label of output) {
    if (label >= 0 && !sizes.has(label))
      throw new ArgumentError(
        'einsum',
        `spec ${JSON.stringify(spec)}: output index ${labelName(label)} appears in no input term`,
      )
    if (seen.has(label))
      throw new ArgumentError(
        'einsum',
        `spec ${JSON.stringify(spec)}: output index ${labelName(label)} appears more than once`,
      )
    seen.add(label)
  }
  return output
}

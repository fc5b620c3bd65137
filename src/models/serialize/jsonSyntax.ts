/**
 * Where JSON text stops being JSON. `JSON.parse` in Node 20 names the position of some syntax
 * errors but not others ("Unexpected token '}', … is not valid JSON"), so this scanner finds the
 * offset of the first error itself, iteratively (deep nesting cannot overflow the stack), and
 * turns it into a line and column for the message.
 *
 * @module jsonSyntax
 */

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r'
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const escapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])

/** The end of the string starting at `i` (a `"`), or the negated-minus-one offset of its error. */
const scanString = (text: string, i: number): number => {
  let j = i + 1
  while (j < text.length) {
    const c = text[j]!
    if (c === '"') return j + 1
    if (c === '\\') {
      const e = text[j + 1]
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return -(j + 1) - 1
        j += 6
      } else if (e !== undefined && escapes.has(e)) j += 2
      else return -(j + 1) - 1
    } else if (c < ' ') return -j - 1
    else j++
  }
  return -text.length - 1
}

/**
 * The offset of the first JSON syntax error in `text`, or `undefined` if it is valid JSON.
 * @example
 * import { jsonErrorOffset } from './jsonSyntax.js'
 * jsonErrorOffset('{"a":}') // 5
 * jsonErrorOffset('[1, 2]') // undefined
 */
export const jsonErrorOffset = (text: string): number | undefined => {
  const stack: ('{' | '[')[] = []
  let state: 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'after' = 'value'
  let i = 0
  for (;;) {
    while (isSpace(text[i])) i++
    if (i >= text.length) return state === 'after' && stack.length === 0 ? undefined : i
    const c = text[i]!
    if (state === 'after') {
      const top = stack.at(-1)
      if (top === undefined) return i
      if (c === ',') state = top === '{' ? 'key' : 'value'
      else if (c === (top === '{' ? '}' : ']')) stack.pop()
      else return i
      i++
    } else if (state === 'colon') {
      if (c !== ':') return i
      state = 'value'
      i++
    } else if (state === 'key' || state === 'keyOrClose') {
      if (state === 'keyOrClose' && c === '}') {
        stack.pop()
        state = 'after'
        i++
      } else if (c === '"') {
        const end = scanString(text, i)
        if (end < 0) return -end - 1
        state = 'colon'
        i = end
      } else return i
    } else if (state === 'valueOrClose' && c === ']') {
      stack.pop()
      state = 'after'
      i++
    } else if (c === '{' || c === '[') {
      stack.push(c)
      state = c === '{' ? 'keyOrClose' : 'valueOrClose'
      i++
    } else if (c === '"') {
      const end = scanString(text, i)
      if (end < 0) return -end - 1
      state = 'after'
      i = end
    } else {
      numberPattern.lastIndex = i
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i))
      const match = literal === undefined ? numberPattern.exec(text) : null
      if (literal !== undefined) i += literal.length
      else if (match !== null) i += match[0].length
      else {
        // point at the first character that cannot continue a literal
        const partial = ['true', 'false', 'null'].find((word) => word.startsWith(c))
        if (partial === undefined) return i
        let k = 0
        while (text[i + k] === partial[k]) k++
        return i + k
      }
      state = 'after'
    }
  }
}

/**
 * A description of a syntax error's place: `position 5 (line 1, column 6)`. The position comes
 * from the `SyntaxError` message when it names one, otherwise from `jsonErrorOffset`.
 * @example
 * import { describeJsonError } from './jsonSyntax.js'
 * describeJsonError('{\n"a":}') // 'position 6 (line 2, column 5)'
 */
export const describeJsonError = (text: string, syntaxErrorMessage = ''): string => {
  const named = /at position (\d+)/.exec(syntaxErrorMessage)?.[1]
  const offset =
    named !== undefined ? Math.min(Number(named), text.length) : (jsonErrorOffset(text) ?? text.length)
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return `position ${offset} (line ${line}, column ${column})`
}

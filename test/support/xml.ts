/** Test helper: a small well-formedness check for the SVG that nabla writes. */

/** Throws unless every start tag is closed in order (self-closing tags allowed); returns the element count. */
export const checkWellFormed = (xml: string): number => {
  const stack: string[] = []
  let elements = 0
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m
    if (close) {
      const open = stack.pop()
      if (open !== name) throw new Error(`</${name}> closes <${open}>`)
    } else {
      elements++
      if (!selfClose) stack.push(name!)
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`)
  return elements
}

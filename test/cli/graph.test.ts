/**
 * Tests of `nabla graph`: the SVG it writes is well-formed XML (checked by a small strict parser
 * written here, independent of Graphviz) and its text names every op of the example; `.dot` writes
 * the DOT text; bad usage exits with 2 and says why.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { graphExamples, runGraph } from '../../src/cli/graph.js'

interface XmlElement {
  readonly name: string
  readonly attributes: Record<string, string>
  readonly children: XmlElement[]
  readonly text: string[]
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * A strict parser for the XML subset SVG files use: prolog, DOCTYPE without internal subset,
 * comments, elements, attributes and character references. Throws on anything malformed.
 */
const parseXml = (src: string): XmlElement => {
  let i = 0
  const fail = (message: string): never => {
    throw new Error(`malformed XML at offset ${i}: ${message}`)
  }
  const decode = (raw: string): string =>
    raw.replace(/&([^;\s&<]*);?/g, (match, ref: string) => {
      if (!match.endsWith(';')) fail(`bare & in ${JSON.stringify(raw.slice(0, 40))}`)
      if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16))
      if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10))
      return entities[ref] ?? fail(`unknown entity &${ref};`)
    })
  const nameAt = (): string => {
    const m = /[A-Za-z_:][-A-Za-z0-9_:.]*/y
    m.lastIndex = i
    const found = m.exec(src)
    if (found === null) return fail('expected a name')
    i += found[0].length
    return found[0]
  }
  const skipSpace = (): void => {
    while (i < src.length && /\s/.test(src[i]!)) i++
  }
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  while (i < src.length) {
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4)
      if (end < 0) fail('unterminated comment')
      i = end + 3
    } else if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i)
      if (end < 0) fail('unterminated processing instruction')
      i = end + 2
    } else if (src.startsWith('<!DOCTYPE', i)) {
      if (root !== undefined || stack.length > 0) fail('DOCTYPE after the root')
      const end = src.indexOf('>', i)
      if (end < 0 || src.slice(i, end).includes('[')) fail('unsupported DOCTYPE')
      i = end + 1
    } else if (src.startsWith('</', i)) {
      i += 2
      const name = nameAt()
      skipSpace()
      if (src[i] !== '>') fail('expected > after a closing tag')
      i++
      const open = stack.pop()
      if (open?.name !== name) fail(`</${name}> closes <${open?.name}>`)
    } else if (src[i] === '<') {
      i++
      if (root !== undefined && stack.length === 0) fail('a second root element')
      const element: XmlElement = { name: nameAt(), attributes: {}, children: [], text: [] }
      for (;;) {
        const before = i
        skipSpace()
        if (src.startsWith('/>', i) || src[i] === '>') break
        if (i === before) fail('expected whitespace between attributes')
        const name = nameAt()
        skipSpace()
        if (src[i] !== '=') fail(`attribute ${name} has no value`)
        i++
        skipSpace()
        const quote = src[i]
        if (quote !== '"' && quote !== "'") return fail(`attribute ${name} is not quoted`)
        const end = src.indexOf(quote, i + 1)
        if (end < 0) fail('unterminated attribute')
        const raw = src.slice(i + 1, end)
        if (raw.includes('<')) fail(`< inside attribute ${name}`)
        if (name in element.attributes) fail(`duplicate attribute ${name}`)
        element.attributes[name] = decode(raw)
        i = end + 1
      }
      const parent = stack.at(-1)
      if (parent === undefined) root = element
      else parent.children.push(element)
      if (src.startsWith('/>', i)) i += 2
      else {
        i++
        stack.push(element)
      }
    } else {
      const end = src.indexOf('<', i)
      const raw = src.slice(i, end < 0 ? src.length : end)
      const top = stack.at(-1)
      if (top === undefined) {
        if (raw.trim() !== '') fail('text outside the root element')
      } else top.text.push(decode(raw))
      i += raw.length
    }
  }
  if (stack.length > 0) fail(`<${stack.at(-1)!.name}> is never closed`)
  return root ?? fail('no root element')
}

const textsOf = (e: XmlElement): string[] => [...e.text, ...e.children.flatMap(textsOf)]

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-graph-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const captured = () => {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { log: (l: string) => out.push(l), error: (l: string) => err.push(l) } }
}

describe('the strict XML parser used here', () => {
  it('accepts well-formed XML and rejects malformed XML', () => {
    const doc = parseXml('<?xml version="1.0"?><!-- c --><a x="1 &amp; 2"><b/>t &lt; u<c y=\'q\'>v</c></a>')
    expect(doc.attributes.x).toBe('1 & 2')
    expect(textsOf(doc)).toEqual(['t < u', 'v'])
    for (const bad of ['<a><b></a></b>', '<a x=1/>', '<a>&</a>', '<a></a><b/>', '<a>', 'x<a/>', '<a x="<"/>'])
      expect(() => parseXml(bad), bad).toThrow(/malformed XML/)
  })
})

describe('nabla graph', () => {
  const expectedOps = {
    chain: ['add', 'mul', 'sigmoid', 'sub'],
    mlp: ['add', 'div', 'matmul', 'mul', 'sigmoid', 'sub', 'sum', 'tanh'],
  }
  for (const example of ['chain', 'mlp'] as const)
    it(`writes a well-formed SVG of the ${example} example that names every op`, async () => {
      const out = path.join(dir, `${example}.svg`)
      const { io, out: lines } = captured()
      expect(await runGraph(['--example', example, '--out', out], io)).toBe(0)
      const svg = parseXml(fs.readFileSync(out, 'utf8'))
      expect(svg.name).toBe('svg')
      const texts = textsOf(svg).map((t) => t.trim())
      const graph = graphExamples[example].trace()
      const ops = new Set(graph.nodes.filter((n) => n.kind === 'op').map((n) => n.op))
      expect([...ops].sort()).toEqual(expectedOps[example])
      for (const op of expectedOps[example]) expect(texts, op).toContain(op)
      // one SVG group per node and per edge
      const groups: string[] = []
      const walk = (e: XmlElement): void => {
        if (e.name === 'g' && e.attributes.class !== undefined) groups.push(e.attributes.class)
        e.children.forEach(walk)
      }
      walk(svg)
      const edges = graph.nodes.reduce((k, n) => k + n.inputs.length, 0)
      expect(groups.filter((c) => c === 'node')).toHaveLength(graph.nodes.length)
      expect(groups.filter((c) => c === 'edge')).toHaveLength(edges)
      expect(lines).toEqual([`nabla graph: wrote ${out} (${graph.nodes.length} nodes, ${edges} edges)`])
    })

  it('shows the chain gradients: ∂C/∂w₃ = a₂ σ′(z₃) 2(a₃ − y) in the picture', async () => {
    const out = path.join(dir, 'chain-values.svg')
    expect(await runGraph(['--example=chain', `--out=${out}`], captured().io)).toBe(0)
    const texts = textsOf(parseXml(fs.readFileSync(out, 'utf8'))).map((t) => t.trim())
    // the example's chain by hand: a₀ = 0.8, (w, b) = (0.5, −0.2), (−1.2, 0.3), (1.5, 0.1), y = 1
    const sig = (z: number) => 1 / (1 + Math.exp(-z))
    const a1 = sig(0.5 * 0.8 - 0.2)
    const a2 = sig(-1.2 * a1 + 0.3)
    const a3 = sig(1.5 * a2 + 0.1)
    const dw3 = a2 * a3 * (1 - a3) * 2 * (a3 - 1)
    expect(texts).toContain(`grad ${Number(dw3.toPrecision(4))}`)
    expect(texts).toContain(`value ${Number(((a3 - 1) ** 2).toPrecision(4))}`)
  })

  it('writes DOT for a .dot file', async () => {
    const out = path.join(dir, 'mlp.dot')
    expect(await runGraph(['--example', 'mlp', '--out', out], captured().io)).toBe(0)
    const dot = fs.readFileSync(out, 'utf8')
    expect(dot.startsWith('digraph nabla {')).toBe(true)
    expect(dot).toContain('<b>matmul</b>')
  })

  it('exits with 2 and a reason on bad usage, and 0 with the usage for --help', async () => {
    const cases: [string[], RegExp][] = [
      [[], /--example is required/],
      [['--example', 'chain'], /--out is required/],
      [['--example', 'resnet', '--out', path.join(dir, 'x.svg')], /unknown example "resnet"/],
      [['--example'], /--example needs a value/],
      [['--frobnicate'], /unknown argument --frobnicate/],
    ]
    for (const [argv, reason] of cases) {
      const { io, err } = captured()
      expect(await runGraph(argv, io)).toBe(2)
      expect(err.join('\n')).toMatch(reason)
    }
    const { io, out } = captured()
    expect(await runGraph(['--help'], io)).toBe(0)
    // the same layout as the other commands' help: Usage line, description, Options table
    expect(out.join('\n')).toMatch(
      /^Usage: nabla graph --example chain\|mlp --out FILE\n[\s\S]*\nOptions:\n {2}--example NAME {8}/,
    )
    const { io: jpgIO, err } = captured()
    expect(await runGraph(['--example', 'chain', '--out', path.join(dir, 'x.jpg')], jpgIO)).toBe(2)
    expect(err.join('\n')).toContain('--out must end in .svg, .png, .dot or .gv')
  })

  it('writes a PNG (not SVG text) for a .png file, with the labels drawn', async () => {
    const out = path.join(dir, 'chain.png')
    expect(await runGraph(['--example', 'chain', '--out', out], captured().io)).toBe(0)
    const png = fs.readFileSync(out)
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)]
    expect(width).toBeGreaterThan(500)
    expect(height).toBeGreaterThan(width) // the chain is drawn top to bottom
    expect(png.length).toBeGreaterThan(50_000) // text and boxes, not an empty canvas
  })

  it('exits with 1 when the file cannot be written', async () => {
    const { io, err } = captured()
    const out = path.join(dir, 'no-such-dir', 'chain.svg')
    expect(await runGraph(['--example', 'chain', '--out', out], io)).toBe(1)
    expect(err.join('\n')).toContain('no-such-dir')
  })
})

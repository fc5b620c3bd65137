/**
 * `nabla graph --example chain|mlp --out FILE.svg`: draws the backward pass of a small example as a
 * picture. It traces the example with `traceGraph`, renders the graph to DOT with `toDot`, and lays
 * it out to SVG with `@viz-js/viz` (Graphviz compiled to WebAssembly, an optional dependency loaded
 * only here). An `--out` ending in `.dot` or `.gv` writes the DOT text instead.
 *
 * The examples:
 * - `chain`: 3Blue1Brown's chain of one neuron per layer, three layers,
 *   `C = (a₃ − y)²`, `aₗ = σ(wₗ aₗ₋₁ + bₗ)`.
 * - `mlp`: a 2-3-1 network (tanh hidden layer, sigmoid output) on a batch of four points with a
 *   mean squared error.
 *
 * @module cli/graph
 */
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { type ComputationGraph, toDot, traceGraph } from '../inspect/index.js'
import { writeFileAtomic } from '../models/fs.js'
import {
  type AnyTensor,
  add,
  matmul,
  mean,
  mul,
  scalar,
  sigmoid,
  square,
  sub,
  tanh,
  tensor,
} from '../tensor/index.js'

/**
 * An example the `graph` command can draw.
 * @example
 * import { graphExamples, type GraphExample } from './graph.js'
 * const example: GraphExample = graphExamples.chain
 */
export interface GraphExample {
  readonly title: string
  readonly trace: () => ComputationGraph
}

const f64 = { dtype: 'float64' } as const

/** One neuron: σ(w·a + b). */
const neuron = (w: AnyTensor, a: AnyTensor, b: AnyTensor): AnyTensor => sigmoid(add(mul(w, a), b))

/**
 * The examples of `nabla graph`, by name.
 * @example
 * import { toDot } from 'nabla'
 * import { graphExamples } from './graph.js'
 * toDot(graphExamples.chain.trace(), { title: graphExamples.chain.title })
 */
export const graphExamples: { readonly chain: GraphExample; readonly mlp: GraphExample } = {
  chain: {
    title: '3Blue1Brown chain: C = (a₃ − y)², aₗ = σ(wₗ aₗ₋₁ + bₗ), a₀ = 0.8, y = 1',
    trace: () =>
      traceGraph(
        (p: { w1: AnyTensor; b1: AnyTensor; w2: AnyTensor; b2: AnyTensor; w3: AnyTensor; b3: AnyTensor }) => {
          const a1 = neuron(p.w1, scalar(0.8, f64), p.b1)
          const a2 = neuron(p.w2, a1, p.b2)
          const a3 = neuron(p.w3, a2, p.b3)
          return square(sub(a3, 1))
        },
        {
          w1: scalar(0.5, f64),
          b1: scalar(-0.2, f64),
          w2: scalar(-1.2, f64),
          b2: scalar(0.3, f64),
          w3: scalar(1.5, f64),
          b3: scalar(0.1, f64),
        },
      ),
  },
  mlp: {
    title: 'MLP 2-3-1: L = mean((σ(tanh(x W₁ + b₁) W₂ + b₂) − y)²)',
    trace: () => {
      const x = tensor(
        [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ],
        f64,
      )
      const y = tensor([[0], [1], [1], [0]], f64)
      return traceGraph(
        (p: { w1: AnyTensor; b1: AnyTensor; w2: AnyTensor; b2: AnyTensor }) => {
          const hidden = tanh(add(matmul(x, p.w1), p.b1))
          const out = sigmoid(add(matmul(hidden, p.w2), p.b2))
          return mean(square(sub(out, y)))
        },
        {
          w1: tensor(
            [
              [0.5, -0.4, 0.3],
              [0.2, 0.6, -0.7],
            ],
            f64,
          ),
          b1: tensor([0.1, -0.1, 0], f64),
          w2: tensor([[0.7], [-0.5], [0.4]], f64),
          b2: tensor([0.05], f64),
        },
      )
    },
  },
}

/**
 * Lays out DOT text as SVG with `@viz-js/viz`, imported on first use.
 * @example
 * import { renderSvg } from './graph.js'
 * const svg = await renderSvg('digraph { a -> b }') // '<?xml …><svg …>…</svg>'
 */
export const renderSvg = async (dot: string): Promise<string> => {
  let viz: typeof import('@viz-js/viz')
  try {
    viz = await import('@viz-js/viz')
  } catch {
    throw new Error(
      'nabla graph: SVG output needs the optional dependency @viz-js/viz (npm install @viz-js/viz), or write DOT with --out FILE.dot',
    )
  }
  const instance = await viz.instance()
  return instance.renderString(dot, { format: 'svg', engine: 'dot' })
}

/** Folders searched for TrueType fonts for PNG output (resvg in WebAssembly has no system fonts). */
const fontFolders = ['/usr/share/fonts', '/usr/local/share/fonts', '/Library/Fonts', 'C:\\Windows\\Fonts']

const findFonts = (folder: string, depth = 0): string[] => {
  try {
    return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory()) return depth < 4 ? findFonts(full, depth + 1) : []
      return /sans.*\.ttf$/i.test(entry.name) ? [full] : []
    })
  } catch {
    return []
  }
}

let resvgReady: Promise<typeof import('@resvg/resvg-wasm')> | undefined

/**
 * Renders SVG text to PNG bytes with `@resvg/resvg-wasm` (optional; imported on first use), using
 * the sans-serif TrueType fonts found on the machine for the labels. Without the package, or
 * without any font, it refuses with a message saying what to do instead.
 * @example
 * import { renderPng } from './graph.js'
 * const png = await renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
 */
export const renderPng = async (svg: string): Promise<Uint8Array> => {
  resvgReady ??= (async () => {
    let resvg: typeof import('@resvg/resvg-wasm')
    try {
      resvg = await import('@resvg/resvg-wasm')
    } catch {
      throw new Error(
        'nabla graph: PNG output needs the optional dependency @resvg/resvg-wasm (npm install @resvg/resvg-wasm), or write SVG with --out FILE.svg',
      )
    }
    const wasm = createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm')
    await resvg.initWasm(fs.readFileSync(wasm))
    return resvg
  })()
  const resvg = await resvgReady
  const fonts = fontFolders.flatMap((folder) => findFonts(folder))
  if (fonts.length === 0)
    throw new Error(
      'nabla graph: PNG output needs a sans-serif TrueType font (none found under /usr/share/fonts); write SVG with --out FILE.svg',
    )
  const image = new resvg.Resvg(svg, {
    font: {
      fontBuffers: fonts.slice(0, 8).map((file) => new Uint8Array(fs.readFileSync(file))),
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
      serifFamily: 'DejaVu Sans',
    },
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
  })
  return image.render().asPng()
}

const usage = `Usage: nabla graph --example chain|mlp --out FILE

Draws the computation graph of an example with every node's forward value and its gradient
(∂out/∂node).

Options:
  --example NAME        chain (3Blue1Brown's chain of neurons) or mlp (a small network)
  --out FILE            FILE.svg (picture), FILE.png (picture, needs @resvg/resvg-wasm),
                        FILE.dot or FILE.gv (Graphviz DOT text)
  -h, --help            show this help`

/**
 * Where the command writes its messages (the console by default; tests capture them).
 * @example
 * import { runGraph } from './graph.js'
 * const lines: string[] = []
 * await runGraph(['--help'], { log: (l) => lines.push(l), error: (l) => lines.push(l) })
 */
export interface GraphIO {
  readonly log: (line: string) => void
  readonly error: (line: string) => void
}

const consoleIO: GraphIO = { log: (l) => console.log(l), error: (l) => console.error(l) }

const parse = (argv: readonly string[]): { example?: string; out?: string; help: boolean; bad?: string } => {
  const result: { example?: string; out?: string; help: boolean; bad?: string } = { help: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined]
    if (flag === '--help' || flag === '-h') result.help = true
    else if (flag === '--example' || flag === '--out') {
      const value = inline ?? argv[++i]
      if (value === undefined || value === '') return { ...result, bad: `${flag} needs a value` }
      if (flag === '--example') result.example = value
      else result.out = value
    } else return { ...result, bad: `unknown argument ${arg}` }
  }
  return result
}

/**
 * Runs `nabla graph` with the arguments after the word `graph`; resolves to the exit code (0 done,
 * 1 failed, 2 bad usage).
 * @example
 * import { runGraph } from './graph.js'
 * const code = await runGraph(['--example', 'chain', '--out', 'chain.svg']) // 0; chain.svg written
 */
export const runGraph = async (argv: string[], io: GraphIO = consoleIO): Promise<number> => {
  const args = parse(argv)
  if (args.help) {
    io.log(usage)
    return 0
  }
  if (args.bad !== undefined || args.example === undefined || args.out === undefined) {
    io.error(
      `nabla graph: ${args.bad ?? (args.example === undefined ? '--example is required' : '--out is required')}`,
    )
    io.error(usage)
    return 2
  }
  const name = args.example
  if (name !== 'chain' && name !== 'mlp') {
    io.error(`nabla graph: unknown example "${name}"; choose chain or mlp`)
    return 2
  }
  const example = graphExamples[name]
  try {
    const graph = example.trace()
    const dot = toDot(graph, { title: example.title })
    const ext = path.extname(args.out).toLowerCase()
    if (!['.svg', '.png', '.dot', '.gv'].includes(ext)) {
      io.error(`nabla graph: --out must end in .svg, .png, .dot or .gv, got ${args.out}`)
      return 2
    }
    const text = ext === '.dot' || ext === '.gv' ? dot : await renderSvg(dot)
    await writeFileAtomic(args.out, ext === '.png' ? await renderPng(text) : text, 'nabla graph')
    const edges = graph.nodes.reduce((n, node) => n + node.inputs.length, 0)
    io.log(`nabla graph: wrote ${args.out} (${graph.nodes.length} nodes, ${edges} edges)`)
    return 0
  } catch (error) {
    io.error(error instanceof Error ? error.message : String(error))
    return 1
  }
}

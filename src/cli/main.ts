/**
 * The `nabla` command line. A table maps each command to a one-line summary and a lazily imported
 * runner `(argv) => Promise<exit status>`; adding a command is one entry. Exit status: 0 on
 * success, 1 when the work fails (a one-line `nabla <command>: …` message naming the problem), 2 on
 * a bad command line (unknown command or flag, bad value).
 *
 * Run it with `npx nabla …`, `npm start` (which is `nabla train` on MNIST), or `tsx src/cli/main.ts …`.
 *
 * @module cli/main
 */
import { readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UsageError } from './args.js'

/**
 * A command of the CLI.
 * @example
 * import { commands } from './main.js'
 * const status = await commands.train!.run(['--dataset', 'xor'])
 */
export interface Command {
  readonly summary: string
  readonly run: (argv: readonly string[]) => Promise<number>
}

/**
 * The commands, by name.
 * @example
 * import { commands } from './main.js'
 * Object.keys(commands) // ['train', 'eval', 'predict', 'gradcheck', 'graph', 'export']
 */
export const commands: Readonly<Record<string, Command>> = {
  train: {
    summary: 'train an MLP classifier (mnist, mnist-idx DIR, iris, spirals, xor) and write the run',
    run: async (argv) => (await import('./train.js')).runTrain(argv),
  },
  eval: {
    summary: 'evaluate a trained run (--params FILE) on its test set',
    run: async (argv) => (await import('./eval.js')).runEval(argv),
  },
  predict: {
    summary: 'classify rows of features (--params FILE --input FILE)',
    run: async (argv) => (await import('./predict.js')).runPredict(argv),
  },
  gradcheck: {
    summary: "check the model's gradients against finite differences",
    run: async (argv) => (await import('./gradcheck.js')).runGradcheck(argv),
  },
  graph: {
    summary: 'draw the backward pass of an example as a picture (--example chain|mlp --out FILE.svg)',
    run: async (argv) => (await import('./graph.js')).runGraph([...argv]),
  },
  export: {
    summary: 'write a trained run as an ONNX model (--params FILE --out FILE)',
    run: async (argv) => (await import('./export.js')).runExport(argv),
  },
}

/**
 * The top-level help text.
 * @example
 * import { mainHelp } from './main.js'
 * process.stdout.write(mainHelp())
 */
export const mainHelp = (): string => {
  const width = Math.max(...Object.keys(commands).map((c) => c.length))
  return `Usage: nabla <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Options:
  -h, --help            show this help
  -v, --version         show the version

Run 'nabla <command> --help' for the options of a command.
`
}

/**
 * The version in nabla's package.json (found from this module's folder upwards, so it works from
 * the sources and from the built package alike).
 * @example
 * import { packageVersion } from './main.js'
 * packageVersion() // '0.1.0'
 */
export const packageVersion = (): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (manifest.name === 'nabla' && typeof manifest.version === 'string') return manifest.version
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) return 'unknown'
  }
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim()

/**
 * Runs the CLI on `argv` (without the node and script paths); returns the exit status.
 * @example
 * import { main } from './main.js'
 * process.exitCode = await main(['train', '--dataset', 'spirals', '--epochs', '5'])
 */
export const main = async (argv: readonly string[]): Promise<number> => {
  const [name, ...rest] = argv
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`nabla ${packageVersion()}\n`)
    return 0
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined
    if (topic !== undefined && Object.hasOwn(commands, topic)) return commands[topic]!.run(['--help'])
    process.stdout.write(mainHelp())
    return name === undefined ? 2 : 0
  }
  if (!Object.hasOwn(commands, name)) {
    process.stderr.write(
      `nabla: unknown command '${name}' (commands: ${Object.keys(commands).join(', ')}; see nabla --help)\n`,
    )
    return 2
  }
  try {
    return await commands[name]!.run(rest)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`nabla ${name}: ${oneLine(error.message)} (see nabla ${name} --help)\n`)
      return 2
    }
    const message = oneLine(error instanceof Error ? error.message : String(error))
    // a NablaError of this command already starts with its name
    process.stderr.write(`nabla ${message.startsWith(`${name}: `) ? message : `${name}: ${message}`}\n`)
    if (process.env.NABLA_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`)
    return 1
  }
}

/** Whether this module is the program being run (not imported). */
const isEntry = (): boolean => {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntry()) {
  const status = await main(process.argv.slice(2))
  // the kernels' helper threads must not keep a finished command alive
  process.stdout.write('', () => process.exit(status))
}

/**
 * `npm run fuzz -- --runs N [--seed S] [--steps K] [--order 1|2]`: generates N random programs
 * (nabla/testing's `arbProgramCase`) and checks each with `checkProgram`: checkGrads at order 1 and
 * 2 in float64, input immutability, values under a trace, and the forward pass in float32 and
 * float64 with casts. Prints a summary: how many programs ran, how long it took, and each failure
 * with its shrunk program. Exits 1 when anything failed.
 *
 * Runs go in batches of 250 with seeds S, S+1, …; fast-check stops a batch at its first failure
 * and shrinks it, so one run can report several distinct failures.
 */
import * as fc from 'fast-check'
import { toFlat } from '../src/index.js'
import { arbProgramCase, checkProgram, minimumMargin, type ProgramCase } from '../src/testing/index.js'

const argument = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value < 0) {
    console.error(`fuzz: --${name} must be a non-negative integer, got ${process.argv[i + 1]}`)
    process.exit(2)
  }
  return value
}

const runs = argument('runs', 1000)
const seed = argument('seed', 20261128)
const maxSteps = argument('steps', 6)
const order = argument('order', 2) === 1 ? 1 : 2
const batch = 250

interface Failure {
  readonly kind: string
  readonly seed: number
  readonly problem: string
  readonly program: string
  readonly inputs: string
}

const property = (kind: 'gradients' | 'forward') =>
  fc.property(
    kind === 'gradients'
      ? arbProgramCase({ maxSteps })
      : arbProgramCase({ maxSteps, dtypes: ['float32', 'float64'], casts: true }),
    (c: ProgramCase) => {
      // finite differences across a kink or jump are meaningless: such inputs are skipped, counted
      if (kind === 'gradients') fc.pre(c.program.margin(c.inputs) >= minimumMargin)
      const problem = checkProgram(c, { gradients: kind === 'gradients', order, seed: 7 })
      if (problem !== undefined) throw new Error(problem)
    },
  )

const failures: Failure[] = []
let checked = 0
let skipped = 0
const started = performance.now()
for (const kind of ['gradients', 'forward'] as const) {
  // the forward-only pass is cheap: a fifth of the runs
  const total = kind === 'gradients' ? runs : Math.ceil(runs / 5)
  let done = 0
  for (let b = 0; done < total; b++) {
    const numRuns = Math.min(batch, total - done)
    const batchSeed = seed + b
    const details = fc.check(property(kind), { seed: batchSeed, numRuns })
    skipped += details.numSkips
    done += details.failed ? details.numRuns : numRuns
    checked += details.failed ? details.numRuns : numRuns
    if (details.failed) {
      const [c] = details.counterexample ?? []
      failures.push({
        kind,
        seed: batchSeed,
        problem:
          details.errorInstance instanceof Error
            ? details.errorInstance.message
            : String(details.errorInstance),
        program: c === undefined ? '(none)' : String(c.program),
        inputs:
          c === undefined ? '' : c.inputs.map((t, i) => `v${i} = ${JSON.stringify(toFlat(t))}`).join('; '),
      })
    }
    process.stderr.write(`\r${kind}: ${done}/${total} programs, ${failures.length} failures`)
  }
  process.stderr.write('\n')
}
const seconds = (performance.now() - started) / 1000

console.log(
  `fuzz: ${checked} programs (${runs} gradient-checked at order ${order}, ${Math.ceil(runs / 5)} forward-only in float32/float64), seed ${seed}, ${seconds.toFixed(1)} s, ${failures.length} failure${failures.length === 1 ? '' : 's'}; ${skipped} generated cases skipped for inputs within ${minimumMargin} of a kink`,
)
for (const f of failures) {
  console.log(`\n${f.kind} failure (batch seed ${f.seed}): ${f.problem}`)
  console.log(f.program)
  console.log(`  inputs (${f.kind === 'gradients' ? 'float64' : 'as declared'}): ${f.inputs}`)
}
process.exit(failures.length === 0 ? 0 : 1)

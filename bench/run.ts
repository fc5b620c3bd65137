/**
 * `npm run bench`: nabla against TensorFlow.js (cpu and wasm back ends) and jax-js, the peers in a
 * process of their own (bench/peerProcess.ts) so that no library's memory use changes another's, on
 * matmul, an MLP training step, a LeNet-size CNN training step, a chain of tiny ops, a large
 * elementwise add, data in and out (1e6 values) and memory over many steps; PyTorch from Debian's
 * python3-torch in a child process when it is installed; the user-loop cases in a fresh child
 * process. The implementations of a case are measured in alternation (bench/measure.ts), across
 * the two processes, so a ratio is not moved by the machine's speed drifting between them. Prints a table with nabla's
 * advantage over each peer, issue 15's targets as met or NOT met, and for each GFLOP/s target what
 * it asks against the machine's ceiling (one thread's SIMD peak, measured first, times the
 * threads); writes bench/results.json as `[{ case, impl, median, min, max, unit, samples }]`.
 * `--quick` shortens every measurement (about five minutes in all); `--only=<text>` runs the
 * cases whose name contains the text.
 *
 * @module bench/run
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { kernels } from '../src/tensor/kernels/index.js'
import { benchCases, prepareChecked, runsHere } from './cases/index.js'
import { fusedCaseName, jitMemoryResults } from './cases/jit.js'
import { memoryResults } from './cases/memory.js'
import { peakCaseName } from './cases/peak.js'
import { torchResults } from './cases/torch.js'
import type { Case, Implementation } from './cases/types.js'
import { budgets, localSampler, measureInterleaved, type Result, type Sampler } from './measure.js'
import { type RemotePeers, startRemotePeers } from './remotePeers.js'
import { table } from './report.js'
import { ceilingLines, eagerTargets, jitTargets, referenceLines, targetLines } from './targets.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const budget = quick ? budgets.quick : budgets.full

const main = async (): Promise<void> => {
  const backend = kernels()
  // no manual thread start: helper threads start by themselves at the first product big enough
  // to use them, as in a user's program
  console.log(
    `nabla bench${quick ? ' --quick' : ''}: Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, kernels ${backend.name} (helper threads start at the first large product)`,
  )
  // the peers run in a process of their own (bench/peerProcess.ts); nabla's cases are built here
  // without them
  const remote = await startRemotePeers(quick)
  if (typeof remote === 'string') console.log(`note: ${remote}; nabla runs alone`)
  else for (const note of remote.notes) console.log(`note: ${note}`)
  const peers = typeof remote === 'string' ? undefined : remote
  const cases = benchCases({ peers: { tf: undefined, jax: undefined, notes: [] }, quick }).filter(
    (c) => only === undefined || c.name.includes(only),
  )
  const results: Result[] = []
  for (const c of cases) results.push(...(await runCase(c, peers)))
  peers?.close()
  if (only === undefined || 'memory'.includes(only))
    results.push(...memoryResults(quick ? 500 : 2000), ...jitMemoryResults(quick ? 500 : 2000))
  if (only === undefined || only === 'torch') {
    const names = {
      mlp: 'MLP 784-128-10 b128 step',
      chain: 'chain 1000 ops [4] fwd+bwd',
      fused: fusedCaseName,
    }
    const torch = torchResults(quick, names)
    if (torch.note !== undefined) console.log(`note: ${torch.note}`)
    results.push(...torch.results)
  }
  if (only === undefined || 'user loop'.includes(only)) results.push(...userLoopResults())
  const better = new Map(cases.map((c) => [c.name, c.higherIsBetter]))
  console.log(`\n${table(results, (name) => better.get(name) ?? name.startsWith('user loop'))}\n`)
  for (const line of targetLines([...eagerTargets, ...jitTargets], results)) console.log(line)
  const peak = results.find((r) => r.case === peakCaseName)
  for (const line of ceilingLines(eagerTargets, results, peak, availableParallelism())) console.log(line)
  for (const line of referenceLines(eagerTargets, results)) console.log(line)
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`)
  console.log('wrote bench/results.json')
}

const say = (name: string, impl: string, text: string): void =>
  console.log(`  ${name.padEnd(28)} ${impl.padEnd(12)} ${text}`)

/** An implementation of a case ready to sample, here or in the peers' process. */
interface Member {
  readonly impl: string
  readonly sampler: Sampler
  readonly cleanup: () => unknown
}

/** Prepares one implementation here (and calls it once); undefined when it cannot run. */
const prepareHere = async (implementation: Implementation): Promise<Member | undefined> => {
  const workload = await prepareChecked(implementation)
  if (workload === undefined) return undefined
  return { impl: implementation.impl, sampler: localSampler(workload), cleanup: () => workload.cleanup?.() }
}

/**
 * Measures a group of a case's implementations in alternation (bench/measure.ts): prepares each
 * (one that fails or cannot run is reported and left out), samples them round by round, frees them.
 */
const runGroup = async (
  c: Case,
  group: readonly (() => Promise<Member | undefined>)[],
  names: readonly string[],
): Promise<Result[]> => {
  const members: Member[] = []
  try {
    for (const [i, make] of group.entries()) {
      try {
        const member = await make()
        if (member !== undefined) members.push(member)
      } catch (error) {
        say(c.name, names[i]!, `failed: ${String(error)}`)
      }
    }
    const summaries = await measureInterleaved(
      members.map((m) => m.sampler),
      budget,
    )
    return members.map(({ impl }, i) => {
      const summary = summaries[i]!
      say(c.name, impl, `${summary.median.toPrecision(4)} ${c.unit}`)
      return { case: c.name, impl, ...summary, unit: c.unit }
    })
  } catch (error) {
    say(c.name, members.map((m) => m.impl).join(', '), `failed: ${String(error)}`)
    return []
  } finally {
    for (const member of members) await member.cleanup()
  }
}

/**
 * One case: nabla's implementations here and the peers' in their process. Those that must run by
 * themselves (`alone`: TensorFlow.js's cpu back end, since one TF.js back end is active at a time)
 * are measured one by one first, then all the others in alternation; results in the case's order,
 * nabla's first.
 */
const runCase = async (c: Case, peers: RemotePeers | undefined): Promise<Result[]> => {
  const own = c.implementations.filter((i) => runsHere(i.impl))
  const theirs = peers?.cases.find((p) => p.name === c.name)
  const remote = (impl: string) => async () => {
    const made = await peers!.prepare(c.name, impl)
    return made === undefined ? undefined : { impl, ...made }
  }
  const results: Result[] = []
  for (const impl of theirs?.alone ?? []) results.push(...(await runGroup(c, [remote(impl)], [impl])))
  const together = (theirs?.impls ?? []).filter((impl) => !theirs?.alone.includes(impl))
  results.push(
    ...(await runGroup(
      c,
      [...own.map((i) => () => prepareHere(i)), ...together.map(remote)],
      [...own.map((i) => i.impl), ...together],
    )),
  )
  const order = [...own.map((i) => i.impl), ...(theirs?.impls ?? [])]
  return results.sort((a, b) => order.indexOf(a.impl) - order.indexOf(b.impl))
}

/**
 * The user-loop cases, run in a fresh child process (bench/user-loop.ts) so that nothing this
 * process did (the thread start above, warm kernels) helps them: what a user's program gets.
 */
const userLoopResults = (): Result[] => {
  try {
    const script = new URL('./user-loop.ts', import.meta.url).pathname
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', script, ...(quick ? ['--quick'] : [])],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
    const results = JSON.parse(output.trim().split('\n').at(-1) ?? '[]') as Result[]
    for (const r of results)
      console.log(`  ${r.case.padEnd(28)} ${r.impl.padEnd(12)} ${r.median.toPrecision(4)} ${r.unit}`)
    return results
  } catch (error) {
    console.log(`  user loop failed: ${String(error)}`)
    return []
  }
}

await main()
process.exit(0)

/**
 * `npm run bench`: nabla against TensorFlow.js (cpu and wasm back ends) and jax-js, in one process,
 * on matmul, an MLP training step, a LeNet-size CNN training step, a chain of tiny ops, a large elementwise add, data in and
 * out (1e6 values) and memory over
 * many steps. Prints a table with nabla's advantage over each peer and writes bench/results.json
 * as `[{ case, impl, median, min, max, unit }]`. `--quick` shortens every measurement (under a
 * minute in all); `--only=<text>` runs the cases whose name contains the text.
 *
 * @module bench/run
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { kernels } from '../src/tensor/kernels/index.js'
import { addCase } from './cases/add.js'
import { chainCase } from './cases/chain.js'
import { cnnCase } from './cases/cnn.js'
import { ioCases } from './cases/io.js'
import {
  fusedCase,
  fusedCaseName,
  gradOfJitMlpImplementation,
  jitAddImplementation,
  jitChainImplementation,
  jitDonatedAddImplementation,
  jitDonatedMlpImplementation,
  jitMemoryResults,
  jitMlpImplementation,
  withImplementation,
} from './cases/jit.js'
import { matmulCases } from './cases/matmul.js'
import { memoryResults } from './cases/memory.js'
import { mlpCase } from './cases/mlp.js'
import { torchResults } from './cases/torch.js'
import type { Case } from './cases/types.js'
import { budgets, measure, type Result } from './measure.js'
import { loadPeers } from './peers.js'
import { table } from './report.js'
import { eagerTargets, jitTargets, targetLines } from './targets.js'

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
  const peers = await loadPeers()
  for (const note of peers.notes) console.log(`note: ${note}`)
  const context = { peers, quick }
  const cases: Case[] = [
    ...matmulCases(context),
    withImplementation(
      withImplementation(
        withImplementation(mlpCase(context), gradOfJitMlpImplementation),
        jitMlpImplementation,
      ),
      jitDonatedMlpImplementation,
    ),
    cnnCase(context),
    withImplementation(chainCase(context), jitChainImplementation),
    withImplementation(
      withImplementation(addCase(context), jitAddImplementation),
      jitDonatedAddImplementation,
    ),
    ...ioCases(context),
    fusedCase(context),
  ].filter((c) => only === undefined || c.name.includes(only))
  const results: Result[] = []
  for (const c of cases)
    for (const { impl, prepare } of c.implementations) {
      try {
        const prepared = await prepare()
        if (prepared === undefined) continue
        const figure = await measure(prepared, budget)
        prepared.cleanup?.()
        results.push({ case: c.name, impl, ...figure, unit: c.unit })
        console.log(`  ${c.name.padEnd(28)} ${impl.padEnd(12)} ${figure.median.toPrecision(4)} ${c.unit}`)
      } catch (error) {
        console.log(`  ${c.name.padEnd(28)} ${impl.padEnd(12)} failed: ${String(error)}`)
      }
    }
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
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`)
  console.log('wrote bench/results.json')
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

/**
 * Every case of `npm run bench`, in the order they run. The main process builds them without the
 * peers (nabla's implementations only); the peers' process (bench/peerProcess.ts) builds the same
 * list with the peers loaded and runs their implementations.
 *
 * @module bench/cases
 */
import { addCase } from './add.js'
import { chainCase } from './chain.js'
import { cnnCase } from './cnn.js'
import { ioCases } from './io.js'
import {
  fusedCase,
  gradOfJitMlpImplementation,
  jitAddImplementation,
  jitChainImplementation,
  jitDonatedAddImplementation,
  jitDonatedMlpImplementation,
  jitMlpImplementation,
  withImplementation,
} from './jit.js'
import { matmulCases } from './matmul.js'
import { mlpCase } from './mlp.js'
import { peakCase } from './peak.js'
import { sumOfSquaresCase } from './sumOfSquares.js'
import type { Case, CaseContext, Implementation, Prepared } from './types.js'

/** The cases, each with the implementations the context's peers allow. */
export const benchCases = (context: CaseContext): Case[] => [
  peakCase(),
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
  withImplementation(withImplementation(addCase(context), jitAddImplementation), jitDonatedAddImplementation),
  ...ioCases(context),
  fusedCase(context),
  sumOfSquaresCase(context),
]

/** Whether an implementation is nabla's own (the others are the peers'). */
export const isNabla = (impl: string): boolean => impl.startsWith('nabla')

/**
 * Whether an implementation runs in nabla's process: nabla's own, and the machine's references
 * (`machine: …`, plain JavaScript that shows what the machine does in the same rounds, under the
 * same allocator state as nabla). The peers run in their own process.
 */
export const runsHere = (impl: string): boolean => isNabla(impl) || impl.startsWith('machine:')

/**
 * Prepares an implementation and calls it once, so that one that fails is reported and left out
 * before anything is timed (what it made is freed then); undefined when it cannot run here.
 */
export const prepareChecked = async ({ prepare }: Implementation): Promise<Prepared | undefined> => {
  const workload = await prepare()
  if (workload === undefined) return undefined
  try {
    await workload.run()
  } catch (error) {
    workload.cleanup?.()
    throw error
  }
  return workload
}

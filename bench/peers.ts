/**
 * The peers nabla is measured against, loaded in the peers' process (bench/peerProcess.ts) and in
 * the user-loop process: TensorFlow.js (the umbrella package, which carries the gradient
 * registrations) on its `cpu` and `wasm` back ends, and jax-js on its `wasm` device. A peer that fails to load is left out of the run with a note, never a failure.
 *
 * @module bench/peers
 */

/** TensorFlow.js, as imported. */
export type Tf = typeof import('@tensorflow/tfjs')
/** jax-js, as imported. */
export type Jax = typeof import('@jax-js/jax')

/** The peers that loaded. */
export interface Peers {
  readonly tf: Tf | undefined
  readonly jax: Jax | undefined
  readonly notes: readonly string[]
}

const quietly = async <T>(load: () => Promise<T>): Promise<T> => {
  const warn = console.warn
  console.warn = () => {}
  try {
    return await load()
  } finally {
    console.warn = warn
  }
}

/** Imports the peers that are installed and work here. */
export const loadPeers = async (): Promise<Peers> => {
  const notes: string[] = []
  let tf: Tf | undefined
  let jax: Jax | undefined
  try {
    tf = await quietly(async () => {
      const module = await import('@tensorflow/tfjs')
      await import('@tensorflow/tfjs-backend-wasm')
      return module
    })
  } catch (error) {
    notes.push(`TensorFlow.js did not load: ${String(error)}`)
  }
  try {
    jax = await import('@jax-js/jax')
    await jax.init('wasm')
    jax.defaultDevice('wasm')
  } catch (error) {
    jax = undefined
    notes.push(`jax-js did not load: ${String(error)}`)
  }
  return { tf, jax, notes }
}

/** Switches TensorFlow.js to a back end (its tensors live on one back end at a time). */
export const useTfBackend = async (tf: Tf, backend: 'cpu' | 'wasm'): Promise<void> => {
  await quietly(async () => {
    await tf.setBackend(backend)
    await tf.ready()
  })
  if (tf.getBackend() !== backend) throw new Error(`TensorFlow.js back end ${backend} is unavailable`)
}

/** A deterministic stream of floats in [-1, 1) (a 32-bit LCG), so every impl sees the same data. */
export const randomFloats = (count: number, seed: number): Float32Array => {
  const out = new Float32Array(count)
  let state = seed >>> 0
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out[i] = state / 2 ** 31 - 1
  }
  return out
}

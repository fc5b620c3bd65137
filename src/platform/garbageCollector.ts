/**
 * Keeping V8's collector out of a trap that a loop of fresh results walks into. An eager training
 * step makes ~1.6 MB of new tensor storage (a 784×128 MLP's gradient, update and activations), a
 * 1e6-element add 4 MB; every result is an `ArrayBuffer` whose memory V8 counts as external. V8
 * collects the young generation when ~32 MB of such buffers have piled up, frees the dead ones
 * afterwards on a background thread, and right after each young collection checks whether to
 * start a full one, counting the external memory allocated since the last full collection. Once
 * one full collection has run in a program whose heap is small (a training script's ~13 MB), its
 * allocation limit leaves less room than those 32 MB not yet freed, so from then on every young
 * collection starts a full one: measured here, a full collection every ~27 steps of the MLP
 * (11–16 per 300 steps against none), its marking on the second core while the product's helper
 * thread needs it, and the step at 500–630 steps/s instead of 780–790. A long loop falls in by
 * itself (the first full collection came after ~15 s of steps), and so does any program that
 * collected fully once before its loop (loading data, say).
 *
 * Freeing dead buffers during the young collection instead (V8's
 * `--no-concurrent-array-buffer-sweeping`) takes them out of that count before the check: 1–6 full
 * collections per 300 steps after a forced one, 620–715 steps/s; a loop of 1e6-element adds
 * 14.5–15.7 GB/s against 11–14 with 13–20 full collections. The cost is the frees themselves,
 * made within each young collection's pause (the jitted and convolutional steps measured no slower). `tuneGarbageCollector` sets that flag once
 * per process where V8 and Node's `v8.setFlagsFromString` are (Node; elsewhere it does nothing),
 * at the first large result, like the allocator priming beside it; the environment variable
 * `NABLA_TUNE_GC=0` turns it off.
 *
 * @module platform/garbageCollector
 */
import { processFlag } from './v8Flags.js'

/** The V8 flag `tuneGarbageCollector` sets. */
export const garbageCollectorFlag = '--no-concurrent-array-buffer-sweeping'

const collector = processFlag(garbageCollectorFlag, 'NABLA_TUNE_GC')

/**
 * Tunes V8's collector once per process (see the module comment) where the runtime is V8 and
 * `NABLA_TUNE_GC` does not turn it off; returns whether it is tuned.
 * @example
 * import { tuneGarbageCollector } from './garbageCollector.js'
 * tuneGarbageCollector() // true under Node; the flag is set by the first call
 */
export const tuneGarbageCollector = (): boolean => collector.set()

/** Whether `tuneGarbageCollector` has tuned the collector in this process. */
export const garbageCollectorTuned = (): boolean => collector.isSet()

/**
 * Whether splitting a product across helper threads pays, decided from measurements of this
 * process rather than a fixed size. A split product pays only when a second core is free for it:
 * on a quiet machine a 512³ product runs ~1.5× faster split, but when other programs keep the
 * cores busy the helper thread waits to be scheduled (or is woken onto the caller's own core) and
 * the same split runs ~10–20 % slower than the calling thread alone, and at the sizes of a small
 * network's layers (128×784×128) the split often loses even on a quiet machine.
 *
 * So each size class (half an octave of multiply-adds, per precision: a float64 product costs about
 * twice a float32 one per multiply-add, so one class for both would compare the two ways in
 * whichever precisions each last ran) keeps the last few costs per multiply-add of both ways, and
 * the way with the lower median runs (a median, so that one product the operating system happened
 * to interrupt does not flip the choice); now and then a product of the class runs the other way (a
 * probe) so that a change of load is noticed: the `probeEvery`-th product first, and then, as long
 * as each probe comes out dearer, twice as many products later each time, up to `longestInterval`
 * products apart. A probe costs what the dearer way costs more: a 512² product probed on the
 * calling thread alone takes ~1.7× the split one, so probing every 16th product cost ~4 % of a
 * steady loop's time, where one in 128 costs 0.5 %. A probe that comes out cheaper than the
 * preferred way's median starts the intervals over and is confirmed at once: the following products
 * run the other way too for as long as each stays cheaper, so its stale costs are replaced within a
 * few products and the median flips. Without that, the costs measured during a busy moment (the
 * first products of a size, when the machine was loaded or memory was being grown) kept the dearer
 * way preferred for `probeEvery` times half the window — about fifty products, most of a short
 * benchmark. A probe that was merely lucky costs one more product the other way. When the medians
 * flip (three slow products of the preferred way in a row do it), the way they left is probed
 * `afterFlip` products later (a quarter of `probeEvery`) and then at doubling intervals again, not
 * after the interval its probes had grown to while it was preferred: on a noisy machine a burst of
 * slow split products otherwise kept an MLP's or a 512² loop's products on one thread for 50–128
 * products at a time, each ~1.4–1.7× dearer. Both ways give bit-identical results (the split runs
 * the same kernel over blocks of rows or columns), so the choice only moves time.
 *
 * @module kernels/wasm/splitChoice
 */
import type { Precision } from './lanes.js'

/** How one way of running a size class has done lately. */
interface Estimate {
  /** The last `window` costs (milliseconds per multiply-add), oldest overwritten first. */
  readonly costs: number[]
  samples: number
}

interface SizeClass {
  readonly single: Estimate
  readonly split: Estimate
  calls: number
  /** Whether the last product ran the way not preferred and came out cheaper than the preferred one. */
  confirming: boolean
  /** The call of the last probe, and the calls from it to the next. */
  lastProbe: number
  interval: number
  /** Whether the product being run is a probe (set by `choose`, read by `record`). */
  probing: boolean
  /** The way the medians preferred at the last choice (undefined before both ways have samples). */
  preferSplit: boolean | undefined
}

/** Samples of each way a size class takes before the cheaper one is preferred. */
const firstSamples = 3

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Measured costs of split and single-thread products, per size class. */
export class SplitChoice {
  readonly #classes = new Map<number, SizeClass>()
  readonly #probeEvery: number
  readonly #window: number
  readonly #longestInterval: number
  readonly #afterFlip: number

  /**
   * @param probeEvery the products of a size class from its first to its first probe (the way
   *   that is not preferred), and between probes again after one came out cheaper
   * @param window how many recent costs of each way the median is taken over
   * @param longestInterval the most products between probes, which double up to it while each
   *   probe comes out dearer
   * @param afterFlip the products from a change of the preferred way to the first probe of the way
   *   it left, whose intervals then double again
   */
  constructor(
    probeEvery = 16,
    window = 5,
    longestInterval = 8 * probeEvery,
    afterFlip = Math.max(2, probeEvery >> 2),
  ) {
    this.#probeEvery = probeEvery
    this.#window = window
    this.#longestInterval = Math.max(probeEvery, longestInterval)
    this.#afterFlip = Math.max(1, Math.min(afterFlip, this.#longestInterval))
  }

  #classOf(macs: number, precision: Precision): SizeClass {
    // half-octaves of one precision even, of the other odd: no string built per product
    const key = 2 * Math.floor(2 * Math.log2(Math.max(1, macs))) + (precision === 'f64' ? 1 : 0)
    let found = this.#classes.get(key)
    if (found === undefined) {
      found = {
        single: { costs: [], samples: 0 },
        split: { costs: [], samples: 0 },
        calls: 0,
        confirming: false,
        lastProbe: 0,
        interval: this.#probeEvery,
        probing: false,
        preferSplit: undefined,
      }
      this.#classes.set(key, found)
    }
    return found
  }

  /** Whether the next product of `macs` multiply-adds (of `precision`) should be split across threads. */
  choose(macs: number, precision: Precision = 'f32'): boolean {
    const size = this.#classOf(macs, precision)
    size.calls++
    const { single, split } = size
    // first a few of each, split first (what the size threshold alone would do)
    if (split.samples < firstSamples || single.samples < firstSamples) return split.samples <= single.samples
    const splitCheaper = median(split.costs) <= median(single.costs)
    // a flip of the preferred way probes the way it left soon, not after the interval its probes
    // had grown to while it was preferred (a few slow products in a row flip the medians)
    if (size.preferSplit !== undefined && splitCheaper !== size.preferSplit) {
      size.lastProbe = size.calls
      size.interval = this.#afterFlip
    }
    size.preferSplit = splitCheaper
    size.probing = !size.confirming && size.calls - size.lastProbe >= size.interval
    if (size.probing) size.lastProbe = size.calls
    return size.confirming || size.probing ? !splitCheaper : splitCheaper
  }

  /** Records that a product of `macs` multiply-adds (of `precision`) took `milliseconds`, split or not. */
  record(macs: number, wasSplit: boolean, milliseconds: number, precision: Precision = 'f32'): void {
    if (!(milliseconds >= 0) || macs <= 0) return
    const size = this.#classOf(macs, precision)
    const cost = milliseconds / macs
    const [estimate, other] = wasSplit ? [size.split, size.single] : [size.single, size.split]
    estimate.costs[estimate.samples % this.#window] = cost
    estimate.samples++
    // a product of the way still not preferred that beat the preferred way's median asks for another
    const preferred = median(other.costs)
    size.confirming =
      other.samples >= firstSamples &&
      estimate.samples > firstSamples &&
      (wasSplit ? median(estimate.costs) > preferred : median(estimate.costs) >= preferred) &&
      cost < preferred
    if (size.probing)
      size.interval = size.confirming ? this.#probeEvery : Math.min(2 * size.interval, this.#longestInterval)
    size.probing = false
  }
}

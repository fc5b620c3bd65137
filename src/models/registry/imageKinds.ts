/**
 * The image layers in the registry — `conv2d`, `maxPool2d`, `avgPool2d`, `flatten` and the `cnn`
 * classifier — with the arithmetic that gives their output and parameter shapes from a
 * configuration alone: `⌊(size + padding − dilation·(kernel − 1) − 1) / stride⌋ + 1` per axis, the
 * rule `conv2d` and the pools apply, with `'same'` padding resolved as they resolve it.
 *
 * @module models/registry/imageKinds
 */
import type { DType } from '../../tensor/index.js'
import { cnn } from '../layers/cnn.js'
import { avgPool2dLayer, conv2dLayer, flattenLayer, maxPool2dLayer } from '../layers/conv.js'
import {
  activationName,
  at,
  type ConfigSite,
  choice,
  dtype,
  fail,
  imageShape,
  padding,
  positiveInteger,
  rate,
  sizeOrPair,
  sizes,
  strictConfig,
} from './fields.js'
import { defineKind, type LayerShapes, type ShapeSpec } from './kind.js'

type Pair = readonly [number, number]
type PaddingOption = 'valid' | 'same' | number | readonly [Pair, Pair]

const pair = (v: number | Pair | undefined, fallback: number): Pair =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v

const resolvePadding = (
  p: PaddingOption | undefined,
  size: Pair,
  kernel: Pair,
  stride: Pair,
): [Pair, Pair] => {
  if (p === undefined || p === 'valid')
    return [
      [0, 0],
      [0, 0],
    ]
  if (typeof p === 'number')
    return [
      [p, p],
      [p, p],
    ]
  if (p !== 'same') return p as [Pair, Pair]
  const axis = (i: 0 | 1): Pair => {
    const total = Math.max(0, (Math.ceil(size[i] / stride[i]) - 1) * stride[i] + kernel[i] - size[i])
    return [Math.floor(total / 2), total - Math.floor(total / 2)]
  }
  return [axis(0), axis(1)]
}

/**
 * The `[height, width]` a sliding window (convolution or pooling) leaves of an image, or
 * `undefined` when the window does not fit once.
 * @example
 * import { windowOutput } from './imageKinds.js'
 * windowOutput([28, 28], { kernel: 5 }) // [24, 24]
 * windowOutput([28, 28], { kernel: 5, padding: 'same', stride: 2 }) // [14, 14]
 */
export const windowOutput = (
  size: Pair,
  options: {
    readonly kernel: number | Pair
    readonly stride?: number | Pair
    readonly dilation?: number | Pair
    readonly padding?: PaddingOption
  },
): Pair | undefined => {
  const dilation = pair(options.dilation, 1)
  const k = pair(options.kernel, 1)
  const kernel: Pair = [dilation[0] * (k[0] - 1) + 1, dilation[1] * (k[1] - 1) + 1]
  const stride = pair(options.stride, 1)
  const pad = resolvePadding(options.padding, size, kernel, stride)
  const out = [0, 1].map(
    (i) => Math.floor((size[i]! + pad[i]![0] + pad[i]![1] - kernel[i]!) / stride[i]!) + 1,
  )
  return out[0]! >= 1 && out[1]! >= 1 ? [out[0]!, out[1]!] : undefined
}

const spec = (shape: readonly number[], d: DType): ShapeSpec => ({ shape, dtype: d })

const tooSmall = (site: ConfigSite, input: readonly number[], what: string): never =>
  fail(at(site, 'inputShape'), `large enough for ${what}`, input)

/** conv2d: `[C, H, W]` → `[outChannels, H', W']`, filters `[O, C/groups, kH, kW]`. */
const conv2dKind = defineKind({
  kind: 'conv2d',
  codec: strictConfig(
    'conv2d',
    { inputShape: imageShape, outChannels: positiveInteger, kernel: sizeOrPair },
    {
      stride: sizeOrPair,
      padding,
      dilation: sizeOrPair,
      groups: positiveInteger,
      activation: activationName,
      dtype,
    },
  ),
  fromConfig: (c) =>
    conv2dLayer(c.inputShape, c.outChannels, c.kernel, {
      ...(c.stride === undefined ? {} : { stride: c.stride }),
      ...(c.padding === undefined ? {} : { padding: c.padding }),
      ...(c.dilation === undefined ? {} : { dilation: c.dilation }),
      ...(c.groups === undefined ? {} : { groups: c.groups }),
      ...(c.activation === undefined ? {} : { activation: c.activation }),
      ...(c.dtype === undefined ? {} : { dtype: c.dtype }),
    } as never),
  shapes: (c, site): LayerShapes => {
    const d = c.dtype ?? 'float32'
    const [channels, h, w] = c.inputShape
    const groups = c.groups ?? 1
    if (channels % groups !== 0 || c.outChannels % groups !== 0)
      fail(
        at(site, 'groups'),
        `a divisor of the input channels (${channels}) and of outChannels (${c.outChannels})`,
        groups,
      )
    const out = windowOutput([h, w], c)
    if (out === undefined) tooSmall(site, c.inputShape, `the ${pair(c.kernel, 1).join('×')} kernel`)
    const [kh, kw] = pair(c.kernel, 1)
    return {
      inputShape: c.inputShape,
      outputShape: [c.outChannels, ...out!],
      dtype: d,
      params: { w: spec([c.outChannels, channels / groups, kh, kw], d), b: spec([c.outChannels], d) },
      featureMaps: [],
    }
  },
})

const poolCodec = <K extends string>(kind: K) =>
  strictConfig(kind, { inputShape: imageShape, window: sizeOrPair }, { stride: sizeOrPair, padding, dtype })

const poolShapes = (
  c: {
    readonly inputShape: readonly [number, number, number]
    readonly window: number | Pair
    readonly stride?: number | Pair
    readonly padding?: PaddingOption
    readonly dtype?: DType
  },
  site: ConfigSite,
): LayerShapes => {
  const [channels, h, w] = c.inputShape
  const window = pair(c.window, 1)
  const stride = c.stride ?? c.window
  const pads = resolvePadding(c.padding, [h, w], window, pair(stride, 1))
  pads.forEach((amounts, axis) => {
    if (amounts.some((p) => p >= window[axis]!))
      fail(at(site, 'padding'), `smaller than the window (${window[axis]}) on each axis`, c.padding)
  })
  const out = windowOutput([h, w], {
    kernel: window,
    stride,
    ...(c.padding === undefined ? {} : { padding: c.padding }),
  })
  if (out === undefined) tooSmall(site, c.inputShape, `the ${window.join('×')} window`)
  return {
    inputShape: c.inputShape,
    outputShape: [channels, ...out!],
    dtype: c.dtype ?? 'float32',
    params: {},
    featureMaps: [],
  }
}

const poolOptions = (c: {
  readonly window: number | Pair
  readonly stride?: number | Pair
  readonly padding?: PaddingOption
  readonly dtype?: DType
}) => ({
  window: c.window,
  ...(c.stride === undefined ? {} : { stride: c.stride }),
  ...(c.padding === undefined ? {} : { padding: c.padding }),
  ...(c.dtype === undefined ? {} : { dtype: c.dtype }),
})

/** maxPool2d: `[C, H, W]` → `[C, H', W']`, no parameters. */
const maxPool2dKind = defineKind({
  kind: 'maxPool2d',
  codec: poolCodec('maxPool2d'),
  fromConfig: (c) => maxPool2dLayer(c.inputShape, poolOptions(c) as never),
  shapes: poolShapes,
})

/** avgPool2d: `[C, H, W]` → `[C, H', W']`, no parameters. */
const avgPool2dKind = defineKind({
  kind: 'avgPool2d',
  codec: poolCodec('avgPool2d'),
  fromConfig: (c) => avgPool2dLayer(c.inputShape, poolOptions(c) as never),
  shapes: poolShapes,
})

/** flatten: `[...S]` → `[size of S]`, no parameters. */
const flattenKind = defineKind({
  kind: 'flatten',
  codec: strictConfig('flatten', { inputShape: sizes }, { dtype }),
  fromConfig: (c) => flattenLayer(c.inputShape, c.dtype === undefined ? {} : { dtype: c.dtype }),
  shapes: (c): LayerShapes => ({
    inputShape: c.inputShape,
    outputShape: [c.inputShape.reduce((a, b) => a * b, 1)],
    dtype: c.dtype ?? 'float32',
    params: {},
    featureMaps: [],
  }),
})

/**
 * cnn: blocks of a stride-1 convolution then max pooling by `pool`, then dense layers. Its
 * parameters are `{ conv: [{ w, b }…], dense: [{ w, b }…] }`; the feature maps of one image
 * (`input`, then `conv.i` after each convolution) are checked against the budget.
 */
const cnnKind = defineKind({
  kind: 'cnn',
  codec: strictConfig(
    'cnn',
    {
      inputShape: imageShape,
      channels: sizes,
      kernel: positiveInteger,
      padding: choice(['valid', 'same'] as const),
      pool: positiveInteger,
      hidden: sizes,
      classes: positiveInteger,
      activation: activationName,
      dtype,
    },
    // run files written before dropout existed have no dropout field
    { dropout: rate },
  ),
  fromConfig: (c) => cnn(c as never),
  shapes: (c, site): LayerShapes => {
    const d = c.dtype
    const { kernel, pool } = c
    const params: { readonly w: ShapeSpec; readonly b: ShapeSpec }[] = []
    const featureMaps: LayerShapes['featureMaps'][number][] = [
      { name: 'input', shape: c.inputShape, dtype: d },
    ]
    let [channels, h, w] = c.inputShape
    c.channels.forEach((out, i) => {
      params.push({ w: spec([out, channels, kernel, kernel], d), b: spec([out], d) })
      const conv = windowOutput([h, w], { kernel, padding: c.padding })
      const pooled = conv === undefined ? undefined : windowOutput(conv, { kernel: pool, stride: pool })
      if (conv !== undefined) featureMaps.push({ name: `conv.${i}`, shape: [out, ...conv], dtype: d })
      if (pooled === undefined)
        tooSmall(
          site,
          c.inputShape,
          `convolution block ${i} (kernel ${kernel}, pool ${pool}) but it is ${h}×${w} there`,
        )
      ;[channels, h, w] = [out, pooled![0], pooled![1]]
    })
    const dense = [channels * h * w, ...c.hidden, c.classes]
    return {
      inputShape: c.inputShape,
      outputShape: [c.classes],
      dtype: d,
      params: {
        conv: params,
        dense: dense.slice(1).map((out, i) => ({ w: spec([dense[i]!, out], d), b: spec([out], d) })),
      },
      featureMaps,
    }
  },
})

/**
 * The image kinds, in the order the registry lists them.
 * @example
 * import { imageKinds } from './imageKinds.js'
 * imageKinds.map((k) => k.kind) // ['conv2d', 'maxPool2d', 'avgPool2d', 'flatten', 'cnn']
 */
export const imageKinds = [conv2dKind, maxPool2dKind, avgPool2dKind, flattenKind, cnnKind] as const

/**
 * Training curves as a picture: a Vega-Lite specification of the loss and accuracy per epoch,
 * rendered to SVG headlessly by Vega (`View.toSVG()` with no renderer). `vega` and `vega-lite` are
 * optional dependencies loaded on first use, so importing nabla never needs them; without them
 * rendering is a `MissingDependencyError`.
 *
 * The picture has two panels side by side: on the left the losses (training loss, and any metric
 * whose name ends in `loss`), on the right every other metric (titled "accuracy" when they all are
 * accuracies), each against the epoch, one coloured line with points per series.
 *
 * @module plot
 */
import { ArgumentError } from '../tensor/index.js'
import { MissingDependencyError } from './data/dataset.js'

/**
 * What a curve is drawn from: per epoch, the training loss and any metrics.
 * @example
 * import { renderCurves } from 'nabla'
 * await renderCurves([{ epoch: 1, trainLoss: 0.7, metrics: { testAccuracy: 0.9 } }])
 */
export interface CurvePoint {
  readonly epoch: number
  readonly trainLoss: number
  readonly metrics?: Readonly<Record<string, number>>
}

/**
 * One value of one series, as the chart's data rows.
 * @example
 * import { curveRows } from 'nabla'
 * curveRows([{ epoch: 1, trainLoss: 0.7 }])[0] // { epoch: 1, series: 'train loss', panel: 'loss', value: 0.7 }
 */
export interface CurveRow {
  readonly epoch: number
  readonly series: string
  readonly panel: 'loss' | 'metric'
  readonly value: number
}

/**
 * Options of the plot.
 * @example
 * import { renderCurves } from 'nabla'
 * const history = [{ epoch: 1, trainLoss: 0.7 }, { epoch: 2, trainLoss: 0.4 }]
 * await renderCurves(history, { title: 'MNIST' })
 */
export interface CurveOptions {
  /** The title over both panels (default "Training curves"). */
  readonly title?: string
}

const humanise = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()

/**
 * The chart's data rows: `train loss` and every metric per epoch; non-finite values are dropped.
 * @example
 * import { curveRows } from 'nabla'
 * curveRows([{ epoch: 1, trainLoss: 0.5, metrics: { testAccuracy: 0.9 } }])
 * // [{ epoch: 1, series: 'train loss', panel: 'loss', value: 0.5 },
 * //  { epoch: 1, series: 'test accuracy', panel: 'metric', value: 0.9 }]
 */
export const curveRows = (history: readonly CurvePoint[]): CurveRow[] => {
  if (!Array.isArray(history) || history.length === 0)
    throw new ArgumentError('curveRows', 'history must list at least one epoch')
  return history.flatMap((h) => {
    const rows: CurveRow[] = [{ epoch: h.epoch, series: 'train loss', panel: 'loss', value: h.trainLoss }]
    for (const [name, value] of Object.entries<number>(h.metrics ?? {}))
      rows.push({
        epoch: h.epoch,
        series: humanise(name),
        panel: /loss$/i.test(name) ? 'loss' : 'metric',
        value,
      })
    return rows.filter((r) => Number.isFinite(r.value))
  })
}

const panel = (which: CurveRow['panel'], title: string) => ({
  title,
  width: 320,
  height: 220,
  transform: [{ filter: { field: 'panel', equal: which } }],
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
    y: { field: 'value', type: 'quantitative', title, scale: { zero: false } },
    color: { field: 'series', type: 'nominal', title: null },
  },
})

/**
 * The Vega-Lite specification of the training curves (plain JSON: save it, or render it anywhere).
 * @example
 * import { curvesSpec } from 'nabla'
 * const history = [{ epoch: 1, trainLoss: 0.7, metrics: { testAccuracy: 0.9 } }] // e.g. fit(…).history
 * const spec = curvesSpec(history) // { $schema, title, background, data, hconcat: [loss, metrics] }
 */
export const curvesSpec = (
  history: readonly CurvePoint[],
  options?: CurveOptions,
): Record<string, unknown> => {
  const rows = curveRows(history)
  const metricNames = [...new Set(rows.filter((r) => r.panel === 'metric').map((r) => r.series))]
  const hasMetrics = metricNames.length > 0
  const metricTitle = metricNames.every((n) => /accuracy$/.test(n)) ? 'accuracy' : 'metric'
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options?.title ?? 'Training curves',
    background: 'white',
    data: { values: rows },
    hconcat: hasMetrics ? [panel('loss', 'loss'), panel('metric', metricTitle)] : [panel('loss', 'loss')],
  }
}

type VegaLite = { compile: (spec: unknown) => { spec: unknown } }
type Vega = {
  parse: (spec: unknown) => unknown
  View: new (
    runtime: unknown,
    options: { renderer: 'none' },
  ) => { toSVG: () => Promise<string>; finalize: () => void }
}

const load = async <T>(name: string): Promise<T> => {
  try {
    return (await import(name)) as T
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new MissingDependencyError(
        'renderCurves',
        `the optional package '${name}' is not installed; install it with npm install ${name}`,
      )
    throw error
  }
}

/**
 * Renders the training curves to an SVG document (Vega-Lite compiled to Vega, drawn headlessly).
 * @example
 * import { writeFileSync } from 'node:fs'
 * import { renderCurves } from 'nabla'
 * const history = [{ epoch: 1, trainLoss: 0.7, metrics: { testAccuracy: 0.9 } }] // e.g. fit(…).history
 * writeFileSync('curves.svg', await renderCurves(history, { title: 'MNIST' }))
 */
export const renderCurves = async (
  history: readonly CurvePoint[],
  options?: CurveOptions,
): Promise<string> => {
  const spec = curvesSpec(history, options)
  const vegaLite = await load<VegaLite>('vega-lite')
  const vega = await load<Vega>('vega')
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/**
 * Training curves: the data rows and Vega-Lite specification from a history, and the SVG rendered
 * headlessly by Vega — well-formed XML (checked by a small tag-balance parser here), with one point
 * symbol per value and the series names in its legend.
 */
import { describe, expect, it } from 'vitest'
import { ArgumentError } from '../../src/index.js'
import { curveRows, curvesSpec, renderCurves } from '../../src/models/plot.js'
import { checkWellFormed } from '../support/xml.js'

const history = [
  { epoch: 1, trainLoss: 0.9, metrics: { testAccuracy: 0.8, testLoss: 0.7 } },
  { epoch: 2, trainLoss: 0.5, metrics: { testAccuracy: 0.9, testLoss: 0.45 } },
  { epoch: 3, trainLoss: 0.3, metrics: { testAccuracy: 0.93, testLoss: Number.NaN } },
]

describe('training curves', () => {
  it('turns a history into rows: losses on one panel, other metrics on the other, non-finite dropped', () => {
    const rows = curveRows(history)
    expect(rows.filter((r) => r.series === 'train loss').map((r) => r.value)).toEqual([0.9, 0.5, 0.3])
    expect(rows.filter((r) => r.series === 'test accuracy').map((r) => [r.epoch, r.panel])).toEqual([
      [1, 'metric'],
      [2, 'metric'],
      [3, 'metric'],
    ])
    expect(rows.filter((r) => r.series === 'test loss').map((r) => [r.epoch, r.panel])).toEqual([
      [1, 'loss'],
      [2, 'loss'],
    ])
    expect(() => curveRows([])).toThrow(ArgumentError)
  })

  it('builds a two-panel Vega-Lite spec (one panel without metrics)', () => {
    const spec = curvesSpec(history, { title: 'MNIST' })
    expect(spec.title).toBe('MNIST')
    expect((spec.hconcat as { title: string }[]).map((p) => p.title)).toEqual(['loss', 'accuracy'])
    const mixed = curvesSpec([{ epoch: 1, trainLoss: 1, metrics: { testAccuracy: 0.5, f1: 0.4 } }])
    expect((mixed.hconcat as { title: string }[]).map((p) => p.title)).toEqual(['loss', 'metric'])
    expect((curvesSpec([{ epoch: 1, trainLoss: 1 }]).hconcat as unknown[]).length).toBe(1)
  })

  it('renders an SVG document holding both curves', async () => {
    const svg = await renderCurves(history, { title: 'MNIST run' })
    expect(svg.startsWith('<svg')).toBe(true)
    expect(checkWellFormed(svg)).toBeGreaterThan(20)
    // one line per series, through one vertex per epoch, going the way the values go
    const lines = new Map(
      [
        ...svg.matchAll(
          /<path aria-label="[^"]*series: ([^"]+)"[^>]*aria-roledescription="line mark" d="([^"]+)"/g,
        ),
      ].map((m) => [
        m[1]!,
        [...m[2]!.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((v) => [Number(v[1]), Number(v[2])]),
      ]),
    )
    expect([...lines.keys()].sort()).toEqual(['test accuracy', 'test loss', 'train loss'])
    const ys = (series: string) => lines.get(series)!.map(([, y]) => y!)
    const xs = (series: string) => lines.get(series)!.map(([x]) => x!)
    expect(ys('train loss').length).toBe(3)
    expect(ys('test loss').length).toBe(2)
    // SVG y grows downwards: a falling loss has rising y, a rising accuracy falling y
    expect(ys('train loss')).toEqual([...ys('train loss')].sort((a, b) => a - b))
    expect(ys('test accuracy')).toEqual([...ys('test accuracy')].sort((a, b) => b - a))
    expect(xs('train loss')).toEqual([...xs('train loss')].sort((a, b) => a - b))
    // one point symbol per value
    const points = svg.match(/aria-roledescription="point"/g) ?? []
    expect(points.length).toBe(curveRows(history).length)
    for (const text of ['MNIST run', 'epoch', 'train loss', 'test accuracy', 'test loss'])
      expect(svg).toContain(text)
  })
})

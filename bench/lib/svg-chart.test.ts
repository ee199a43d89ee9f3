import { describe, expect, it } from 'vitest'
import { barChartSvg, escapeXml } from './svg-chart.js'

const widths = (svg: string) => [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]))

describe('barChartSvg', () => {
  it('draws one labelled bar per value, longest for the largest', () => {
    const svg = barChartSvg({ file: 'x.svg', title: 'Latency', unit: 'ms', bars: [
      { group: 'p50', series: 'SSE', value: 1 },
      { group: 'p50', series: 'Reality', value: 2 },
    ] })
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    const [sse, reality] = widths(svg)
    expect(reality).toBeCloseTo(sse! * 2, 0)
    expect(svg).toContain('>SSE<')
    expect(svg).toContain('>2 ms<')
    expect(svg).toContain('>p50<')
  })
  it('on a log axis, a 10× larger value is not a 10× longer bar', () => {
    const svg = barChartSvg({ file: 'x.svg', title: 'Traffic', unit: 'B', log: true, bars: [
      { group: 'g', series: 'a', value: 10 },
      { group: 'g', series: 'b', value: 1000 },
    ] })
    const [a, b] = widths(svg)
    expect(a).toBeGreaterThan(0)
    expect(b! / a!).toBeLessThan(10)
    expect(svg).toContain('log scale')
  })
  it('with scalePerGroup, the largest bar of every group is full width', () => {
    const svg = barChartSvg({ file: 'x.svg', title: 't', unit: 'ms', scalePerGroup: true, bars: [
      { group: 'p50', series: 'a', value: 1 },
      { group: 'p99', series: 'a', value: 100 },
    ] })
    const [p50, p99] = widths(svg)
    expect(p50).toBeCloseTo(p99!, 5)
    expect(svg).toContain('each group has its own scale')
  })
  it('escapes text so series names cannot break the document', () => {
    const svg = barChartSvg({ file: 'x.svg', title: 'a < b & "c"', unit: 'ms', bars: [{ group: 'g', series: '<script>', value: 1 }] })
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('&lt;script&gt;')
    expect(escapeXml(`'`)).toBe('&apos;')
  })
  it('refuses charts with no bars, negative or non-finite values, and zero on a log axis', () => {
    expect(() => barChartSvg({ file: 'x.svg', title: 't', unit: 'ms', bars: [] })).toThrow(/no bars/)
    expect(() => barChartSvg({ file: 'x.svg', title: 't', unit: 'ms', bars: [{ group: 'g', series: 's', value: -1 }] })).toThrow(/invalid value/)
    expect(() => barChartSvg({ file: 'x.svg', title: 't', unit: 'ms', bars: [{ group: 'g', series: 's', value: Number.NaN }] })).toThrow(/invalid value/)
    expect(() => barChartSvg({ file: 'x.svg', title: 't', unit: 'ms', log: true, bars: [{ group: 'g', series: 's', value: 0 }] })).toThrow(/cannot show/)
  })
})

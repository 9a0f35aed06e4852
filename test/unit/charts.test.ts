import { describe, expect, it } from "vitest";
import {
  barChart,
  countUnit,
  durationUnit,
  histogramChart,
  intervalChart,
  pctUnit,
  shareUnit,
  stackedBarChart,
  timeSeriesChart,
  waterfallChart,
  type Chart,
} from "../../src/charts/definitions.js";
import { chartFigure, chartSvg } from "../../src/charts/render.js";
import { interval } from "../../src/domain/stats.js";

type Series = { type: string; name: string; id?: string; data: unknown[]; markLine?: { data: { name: string; xAxis: number }[] }; markArea?: { data: unknown[] } };
const seriesOf = (c: Chart) => (c.option as { series: Series[] }).series;
/** A data item's [value, category, display…] (items are arrays, or objects with the array as value). */
const item = (d: unknown) => (Array.isArray(d) ? d : (d as { value: unknown[] }).value);

const charts: Chart[] = [
  barChart({ name: "bars", title: "Bars", panels: [{ title: "Share", bars: [{ label: "a", value: 0.5 }], unit: shareUnit, max: 1, markers: [{ value: 0.75, label: "target" }] }] }),
  waterfallChart({ name: "waterfall", title: "Waterfall", steps: [{ label: "wait", value: 780 }, { label: "pay", value: 12 }], totalLabel: "total" }),
  histogramChart({ name: "hist", title: "Histogram", bins: [{ from: 0, to: 60, count: 3 }], markers: [{ value: 30, label: "median" }], yLabel: "transfers", countWord: "transfers" }),
  stackedBarChart({ name: "stack", title: "Stack", series: [{ key: "fee", label: "Fee", color: "#000" }], rows: [{ label: "row", values: { fee: 0.1 }, display: "all-in 0.10%" }], unit: pctUnit(3) }),
  timeSeriesChart({ name: "ts", title: "Series", times: [100, 101], series: [{ key: "n", label: "n", values: [1, 2], color: "#000" }], unit: countUnit, shaded: [{ from: 100, to: 101, label: "down" }] }),
  intervalChart({ name: "intervals", title: "Intervals", points: [{ label: "a", mean: 600, low: 540, high: 660 }], unit: durationUnit(660) }),
];

describe("chart definitions", () => {
  it("are plain JSON (no functions), so one option serves the report, its script and the dashboard's events", () => {
    for (const c of charts) expect(JSON.parse(JSON.stringify(c.option)), c.name).toEqual(c.option);
  });

  it("put durations on the axis in the unit a reader expects", () => {
    expect(durationUnit(45)).toMatchObject({ factor: 1, axisLabel: "{value} s" });
    expect(durationUnit(780)).toMatchObject({ factor: 1 / 60, axisLabel: "{value} min" });
    expect(durationUnit(3 * 3600)).toMatchObject({ factor: 1 / 3600, axisLabel: "{value} h" });
    expect(durationUnit(5 * 86_400)).toMatchObject({ factor: 1 / 86_400, axisLabel: "{value} d" });
    expect(durationUnit(780).display(780)).toBe("13 minutes");
  });

  it("draw one bar per datum on the unit's scale, with the reader's text and dashed markers", () => {
    const [bars] = seriesOf(charts[0]!);
    expect(bars!.data.map(item)).toEqual([[50, "a", "50%"]]);
    expect(bars!.markLine!.data).toMatchObject([{ name: "target", xAxis: 75 }]);
  });

  it("start each waterfall step where the one before ended, and close with the total", () => {
    const [start, steps] = seriesOf(charts[1]!);
    expect(start!.data.map(item).map((d) => d[0])).toEqual([0, 13, 0]);
    expect(steps!.data.map(item)).toEqual([
      [13, "wait", "13 minutes"],
      [0.2, "pay", "12 seconds"],
      [13.2, "total", "13 minutes"],
    ]);
  });

  it("stand each histogram bar over the middle of its band, its count and band in the tooltip", () => {
    const [hist] = seriesOf(charts[2]!);
    expect(hist!.data).toEqual([[30, 3, "0 seconds to 1 minute: 3 transfers"]]);
    expect((charts[2]!.option as { dataZoom: unknown[] }).dataZoom).toMatchObject([{ type: "slider", xAxisIndex: 0 }]);
  });

  it("give each time series point its time in milliseconds and shade the spans given", () => {
    const [line] = seriesOf(charts[4]!);
    expect(line!.data).toEqual([
      [100_000, 1, "1"],
      [101_000, 2, "2"],
    ]);
    expect(line!.markArea!.data).toEqual([[{ name: "down", xAxis: 100_000 }, { xAxis: 101_000 }]]);
  });

  it("draw a series of {label, mean, low, high} as whiskers from low to high and a dot at the mean", () => {
    const points = ["fast", "standard"].map((label, i) => ({ label, ...interval([60 + 600 * i, 70 + 600 * i, 80 + 600 * i])! }));
    const chart = intervalChart({ name: "sweep-p50-intervals", title: "Median settlement time, 95% interval over replications", points, unit: durationUnit(700) });
    const [whiskers, means] = seriesOf(chart);
    // 60, 70, 80 seconds: mean 70, sd 10, t(2) = 4.303, so 70 ± 24.8 seconds; on a minute scale
    const [fast, standard] = points;
    expect(fast).toMatchObject({ mean: 70 });
    expect(fast!.high - fast!.mean).toBeCloseTo((4.303 * 10) / Math.sqrt(3), 9);
    const fastText = "mean 1.2 minutes, 95% interval 45 seconds to 1.6 minutes";
    const standardText = "mean 11 minutes, 95% interval 11 minutes to 12 minutes";
    expect(whiskers!.data).toEqual([
      [Number((fast!.low / 60).toPrecision(6)), "fast", fastText, ""],
      [Number((fast!.high / 60).toPrecision(6)), "fast", fastText, ""],
      ["-", "fast", "", ""],
      [Number((standard!.low / 60).toPrecision(6)), "standard", standardText, ""],
      [Number((standard!.high / 60).toPrecision(6)), "standard", standardText, ""],
      ["-", "standard", "", ""],
    ]);
    expect(means!.data.map(item).map((d) => [d[0], d[1], d[3]])).toEqual([
      [1.16667, "fast", "1.2 minutes"],
      [11.1667, "standard", "11 minutes"],
    ]);
    expect(chartSvg(chart)).toMatch(/^<svg [^>]*viewBox="0 0 900 \d+"/);
  });
});

describe("charts rendered on the server", () => {
  it("give an SVG of the chart's height and the same bytes every time", () => {
    for (const c of charts) {
      const svg = chartSvg(c);
      expect(svg, c.name).toMatch(new RegExp(`^<svg width="900" height="${c.height}"`));
      expect(chartSvg(c), c.name).toBe(svg);
      expect(svg).not.toMatch(/\bzr\d+-/);
    }
  });

  it("keep a label that holds </script> inside the chart's option", () => {
    const evil = barChart({ name: "evil", title: "t", panels: [{ bars: [{ label: "</script><script>alert(1)</script>", value: 1 }], unit: countUnit }] });
    const html = chartFigure(evil);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const json = /<script type="application\/json">(.*)<\/script><\/div>$/.exec(html)![1]!;
    expect(JSON.parse(json)).toEqual(evil.option);
  });
});

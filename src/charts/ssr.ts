/**
 * Charts in the HTML reports: each chart rendered to SVG on the server with ECharts' server-side
 * rendering (so the file is complete without script, offline and in print), with its option
 * beside it for the report's script to draw it live (./runtime.ts).
 */
import * as echarts from "echarts/core";
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";
import { escapeHtml as esc } from "../report/escape.js";
import type { Chart } from "./definitions.js";

// The parts of ECharts the definitions use (all in the browser build the reports carry).
echarts.use([BarChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent, SVGRenderer]);

/** Width the reports render at (the page's column); the SVG scales to the page. */
export const REPORT_CHART_WIDTH = 900;

/**
 * The chart as one <svg>. ECharts numbers the SVG's classes and ids with per-process counters
 * (zr0-cls-86, zr1-c3…); they are renumbered in order of appearance and named after the
 * chart, so that the same chart gives the same bytes and two charts on a page never share one.
 */
export function chartSvg(chart: Chart, width = REPORT_CHART_WIDTH): string {
  const instance = echarts.init(null, null, { renderer: "svg", ssr: true, width, height: chart.height });
  try {
    instance.setOption(chart.option);
    const names = new Map<string, string>();
    return instance.renderToSVGString().replace(/\bzr\d+-[a-z]+-?\d+\b/g, (id) => {
      let name = names.get(id);
      if (name === undefined) names.set(id, (name = `chart-${chart.name}-${names.size}`));
      return name;
    });
  } finally {
    instance.dispose();
  }
}

/** A chart in a report: `<div class="chart" data-chart>` holding the SVG and its option as JSON. */
export function chartFigure(chart: Chart): string {
  // "<" escaped in the JSON, so no text in it can close the <script> element.
  const json = JSON.stringify(chart.option).replace(/</g, "\\u003c");
  return `<div class="chart" data-chart="${esc(chart.name)}" role="figure" aria-label="${esc(chart.title)}">${chartSvg(chart)}<script type="application/json">${json}</script></div>`;
}

/**
 * Charts in the HTML reports: each chart rendered to SVG on the server with ECharts' server-side
 * rendering (so the file is complete without script, offline and in print), with its option
 * beside it, which the report's script draws live with ECharts' browser build (hover values,
 * zoom). The dashboard serves the same build (offline, from node_modules).
 *
 * The build is ECharts' "common" one (line, bar, scatter and pie series; grid, tooltip, legend,
 * title, dataZoom, markLine and markArea; SVG and canvas renderers): every part ./definitions.ts
 * uses, as registered here for the server.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as echarts from "echarts/core";
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";
import { escapeHtml as esc } from "../report/escape.js";
import type { Chart } from "./definitions.js";

echarts.use([BarChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent, SVGRenderer]);

let build: string | undefined;

/** The text of echarts.common.min.js (read once). */
export function echartsBrowserBuild(): string {
  return (build ??= readFileSync(createRequire(import.meta.url).resolve("echarts/dist/echarts.common.min.js"), "utf8"));
}

/**
 * For each `div.chart` of a report: draws its option (the JSON beside the server-rendered SVG)
 * live in a new element (div.live) in the same place, and marks the chart `hydrated`; the page's CSS then
 * hides the static SVG on screen and the live one in print (where the static SVG scales to the page).
 */
export const HYDRATE_SCRIPT = `(function () {
  "use strict";
  document.querySelectorAll("div.chart[data-chart]").forEach(function (el) {
    var json = el.querySelector('script[type="application/json"]');
    var svg = el.querySelector("svg");
    if (!json || !svg || typeof echarts === "undefined") return;
    var live = document.createElement("div");
    live.className = "live";
    live.style.height = svg.getAttribute("height") + "px";
    el.appendChild(live);
    el.classList.add("hydrated");
    var chart = echarts.init(live, null, { renderer: "svg" });
    chart.setOption(JSON.parse(json.textContent));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();`;

/**
 * The chart as one <svg>, 900 pixels wide (the report's column; it scales to the page). ECharts
 * numbers the SVG's classes and ids with per-process counters (zr0-cls-86, zr1-c3…); they are
 * renumbered in order of appearance and named after the chart, so that the same chart gives the
 * same bytes and two charts on a page never share one.
 */
export function chartSvg(chart: Chart, width = 900): string {
  const instance = echarts.init(null, null, { renderer: "svg", ssr: true, width, height: chart.height });
  try {
    instance.setOption(chart.option);
    const names = new Map<string, string>();
    return instance.renderToSVGString().replace(/\bzr\d+-[a-z]+-?\d+\b/g, (id) => {
      if (!names.has(id)) names.set(id, `chart-${chart.name}-${names.size}`);
      return names.get(id)!;
    });
  } finally {
    instance.dispose();
  }
}

/** A chart in a report: `<div class="chart" data-chart>` holding the SVG and its option as JSON ("<" escaped, so no text in it can close the <script>). */
export function chartFigure(chart: Chart): string {
  const json = JSON.stringify(chart.option).replace(/</g, "\\u003c");
  return `<div class="chart" data-chart="${esc(chart.name)}" role="figure" aria-label="${esc(chart.title)}">${chartSvg(chart)}<script type="application/json">${json}</script></div>`;
}

/**
 * The charts' browser side: ECharts' browser build, from node_modules (offline), which the
 * dashboard serves and the reports inline, and the script that makes a report's server-rendered
 * charts interactive (hover values, zoom).
 *
 * The build is ECharts' "common" one (line, bar, scatter and pie series; grid, tooltip, legend,
 * title, dataZoom, markLine and markArea; SVG and canvas renderers): every part ./definitions.ts
 * uses, as ./ssr.ts registers on the server.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

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

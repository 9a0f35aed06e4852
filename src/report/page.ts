/**
 * The HTML shell shared by the reports: one self-contained page with inline CSS and no external
 * request. Its only scripts are ECharts' browser build and the script that draws the charts live
 * (src/charts/render.ts); the Content-Security-Policy allows exactly those two (by hash) and no
 * connection, image or font from anywhere.
 */
import { createHash } from "node:crypto";
import { echartsBrowserBuild, HYDRATE_SCRIPT } from "../charts/render.js";
import { TOOLTIP_CLASS } from "../charts/definitions.js";
import { escapeHtml as esc } from "./escape.js";

const CSS = `
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#ffffff; --soft:#f5f7fa; --ok:#15803d; --bad:#b91c1c; --accent:#2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 64px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 16px; margin-bottom: 24px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); margin: 0; }
h1 { font-size: 28px; margin: 4px 0 8px; }
h2 { font-size: 20px; margin: 40px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 6px; }
p { margin: 8px 0; }
.lede { font-size: 16px; }
.meta, .note, .source { color: var(--muted); font-size: 13px; }
.headline { font-size: 20px; font-weight: 600; margin: 12px 0 16px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; margin: 12px 0; }
.kpi { background: var(--soft); border-radius: 6px; padding: 10px 12px; }
.kpi .v { font-size: 20px; font-weight: 600; display: block; }
.kpi .k { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 10px 0 4px; font-size: 13.5px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.met { color: var(--ok); font-weight: 600; }
.notmet { color: var(--bad); font-weight: 600; }
.nodata { color: var(--muted); }
.chart { margin: 8px 0; position: relative; }
.chart > svg { display: block; max-width: 100%; height: auto; }
.${TOOLTIP_CLASS} { font-size: 13px; }
@media screen { .chart.hydrated > svg { display: none; } }
@media print { .chart > .live { display: none; } }
pre { background: var(--soft); border-radius: 6px; padding: 12px; overflow-x: auto; font-size: 12.5px; line-height: 1.45; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
ul.lines { padding-left: 20px; }
details summary { cursor: pointer; color: var(--accent); }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 12px; }
@media print { h2 { break-after: avoid; } .chart, table { break-inside: avoid; } }
`;

let scripts: { html: string; sources: string } | undefined;

/** The report's scripts as <script> elements, and the CSP sources that allow them (their SHA-256). */
function chartScripts(): { html: string; sources: string } {
  const texts = [echartsBrowserBuild(), HYDRATE_SCRIPT];
  return (scripts ??= {
    html: texts.map((t) => `<script>${t}</script>`).join("\n"),
    sources: texts.map((t) => `'sha256-${createHash("sha256").update(t).digest("base64")}'`).join(" "),
  });
}

/** A whole document. `body` is trusted HTML built from escaped parts. */
export function page(title: string, body: string): string {
  const { html: scriptHtml, sources } = chartScripts();
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Our two scripts only, no external fetch of any kind: the report must open offline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${sources}; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body><main>",
    body,
    "</main>",
    scriptHtml,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export interface Column<Row> {
  header: string;
  /** Right-aligned, tabular figures. */
  num?: boolean;
  /** Already-escaped cell HTML. */
  cell: (row: Row) => string;
}

/** A table from rows; cells are escaped by the column functions (use `esc`). */
export function table<Row>(columns: Column<Row>[], rows: readonly Row[], caption?: string): string {
  const head = columns.map((c) => `<th${c.num ? ' class="num"' : ""} scope="col">${esc(c.header)}</th>`).join("");
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td${c.num ? ' class="num"' : ""}>${c.cell(r)}</td>`).join("")}</tr>`).join("\n");
  return `<table>${caption ? `<caption class="note">${esc(caption)}</caption>` : ""}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A headline figure card. */
export function kpi(value: string, label: string): string {
  return `<div class="kpi"><span class="v">${esc(value)}</span><span class="k">${esc(label)}</span></div>`;
}

/** "met" / "not met" / "no data" with its class. */
export function verdict(met: boolean | null): string {
  return met === null ? '<span class="nodata">no data</span>' : met ? '<span class="met">met</span>' : '<span class="notmet">not met</span>';
}

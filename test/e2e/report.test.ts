import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packagePath } from "../../src/paths.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import { writeResultsJson, type SimulationResults } from "../../src/sim/results.js";
import { renderReport } from "../../src/report/html.js";
import { complianceOutcomes, costBreakdown, histogramBins, stageWaterfall } from "../../src/report/measures.js";
import { formatDuration, formatInt, formatPct, formatShare } from "../../src/report/format.js";
import { specOfScenario } from "../../src/report/spec.js";
import { durationUnit } from "../../src/charts/definitions.js";
import { loadG20Targets } from "../../src/measure/g20-targets.js";
import { g20Scorecard } from "../../src/measure/scorecard.js";
import { SKIP_BROWSER_TESTS, hoverChart, launchBrowser, liveOption, type Browser } from "./browser.js";

const SCREENSHOT = packagePath("docs", "screenshots", "report.png");

/** A small run with something in every chart: both directions, fees, FX, Fast transfers, sanctioned recipients and travel-rule holds. */
const scenario = parseScenario({
  name: "report-in-a-browser",
  description: "A short two-way run for the browser test of the HTML report.",
  seed: 11,
  chains: { us: { profile: "local" }, uk: { profile: "local" } },
  liquidity: { us: "500000", uk: "500000" },
  fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000", fastPremiumBps: 10 } },
  workload: {
    transfers: 48,
    durationSeconds: 120,
    senders: 8,
    fastShare: 0.3,
    sanctionedShare: 0.1,
    travelRuleDataShare: 0.7,
    amount: { medianUsd: 1500, sigma: 1 },
    mix: [
      { from: "us", to: "uk", input: "USD", output: "GBP", weight: 2 },
      { from: "uk", to: "us", input: "GBP", output: "USD", weight: 2 },
      { from: "us", to: "uk", input: "USD", output: "USD", weight: 1 },
    ],
  },
});

describe.skipIf(SKIP_BROWSER_TESTS)("the HTML report in a browser", () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "corridor-report-"));
    browser = await launchBrowser({ width: 1100, height: 900 });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders every chart of a generated report, shows each one's values on hover, zooms the histogram, and prints the static charts", async () => {
    const results = await simulate({ scenario });
    const resultsFile = join(dir, "results.json");
    writeResultsJson(resultsFile, results);
    // The report is made from results.json as written (what `corridor report` reads).
    const fromFile = JSON.parse(readFileSync(resultsFile, "utf8")) as SimulationResults;
    const targets = loadG20Targets();
    const html = renderReport(fromFile, { command: "corridor simulate <report-in-a-browser> --seed 11", targets });
    // The run's results carry the scorecard end to end (bank account to bank account), and the report shows it with its assumptions.
    const e2e = fromFile.summary.g20?.endToEnd;
    expect(e2e?.counts.outcomes).toBe(fromFile.summary.g20?.counts.outcomes);
    expect(e2e?.checks.map((c) => c.measure)).toEqual(expect.arrayContaining(["speed", "speedRest", "costAverage"]));
    expect(html).toContain('<section id="g20-end-to-end">');
    expect(html).toContain("Assumptions the verdicts rest on");
    const reportFile = join(dir, "report.html");
    writeFileSync(reportFile, html);

    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    // Nothing but the file itself is ever requested.
    page.on("request", (r) => {
      if (r.url() !== pathToFileURL(reportFile).href) problems.push(`request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(reportFile).href);
    await expect(page.locator("h1").innerText()).resolves.toBe("report-in-a-browser");

    // Each chart drawn live by the report's own ECharts over its server-rendered SVG.
    await page.locator("div.chart.hydrated").first().waitFor();
    const charts = await page.$$eval("div.chart[data-chart]", (els) =>
      els.map((el) => {
        const live = el.querySelector(".live svg")?.getBoundingClientRect();
        return { name: el.getAttribute("data-chart"), live: !!live, width: live?.width ?? 0, height: live?.height ?? 0, shapes: el.querySelectorAll(".live svg path").length };
      }),
    );
    expect(charts.map((c) => c.name).sort()).toEqual(["compliance", "cost", "g20", "latency", "waterfall"]);
    for (const c of charts) {
      expect(c.live, c.name!).toBe(true);
      expect(c.width, c.name!).toBeGreaterThan(100);
      expect(c.height, c.name!).toBeGreaterThan(50);
      expect(c.shapes, c.name!).toBeGreaterThan(5);
    }

    // Hovering a bar shows its value, as the test computes it from the transfers.
    const live = (name: string) => page.locator(`div.chart[data-chart="${name}"] > .live`);
    const transfers = fromFile.transfers;
    const secs = transfers.filter((t) => t.state === "settled").map((t) => t.settlementSeconds!);
    const bins = histogramBins(secs);
    const tallest = bins.reduce((a, b) => (b.count > a.count ? b : a));
    const inTallest = secs.filter((s) => s >= tallest.from && s < tallest.to).length;
    const band = durationUnit(bins[bins.length - 1]!.to);
    const latencyTip = await hoverChart(page, live("latency"), 0, [((tallest.from + tallest.to) / 2) * band.factor, tallest.count / 2]);
    expect(latencyTip).toContain(`${formatDuration(tallest.from)} to ${formatDuration(tallest.to)}: ${formatInt(inTallest)} transfers`);

    const mean = stageWaterfall(transfers).totalMeanSeconds;
    const span = durationUnit(mean);
    expect(await hoverChart(page, live("waterfall"), 1, [(mean * span.factor) / 2, "From sending to payout (mean)"])).toContain(formatDuration(mean));

    const spec = specOfScenario(fromFile.scenario);
    const sc = g20Scorecard(transfers, targets, { scenario: { ...fromFile.scenario, spec } });
    expect(await hoverChart(page, live("g20"), 0, [(sc.speed.share! * 100) / 2, "This run, all corridors"])).toContain(formatShare(sc.speed.share));

    const cost = costBreakdown(transfers).overall;
    const costTip = await hoverChart(page, live("cost"), 0, [cost.feePct / 2, "All corridors"]);
    expect(costTip).toContain(formatPct(cost.feePct, 3));
    expect(costTip).toContain(formatPct(cost.fxPct, 3));

    const denied = complianceOutcomes(transfers).byReason.find((x) => x.denied > 0)!;
    expect(await hoverChart(page, live("compliance"), 0, [denied.denied / 2, denied.label])).toMatch(new RegExp(`Denied at screening\\s+${denied.denied}\\b`));

    // The wheel over a chart scrolls the page; dragging the right handle of the histogram's slider halfway zooms in.
    const histogram = live("latency");
    const plot = (await histogram.boundingBox())!;
    const scrolled = await page.evaluate(() => window.scrollY);
    await page.mouse.move(plot.x + plot.width / 2, plot.y + plot.height / 2);
    await page.mouse.wheel(0, 200);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(scrolled);
    await histogram.scrollIntoViewIfNeeded();
    type Zoomable = { grid: { right: number }[]; dataZoom: { start: number; end: number }[] };
    const box = (await histogram.boundingBox())!;
    const handle = { x: box.x + box.width - (await liveOption<Zoomable>(histogram)).grid[0]!.right, y: box.y + box.height - 14 }; // the slider: 16 px high, 6 px above the bottom
    await page.mouse.move(handle.x, handle.y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, handle.y, { steps: 5 });
    await page.mouse.up();
    const zoomed = (await liveOption<Zoomable>(histogram)).dataZoom[0]!;
    expect(zoomed.start).toBe(0);
    expect(zoomed.end).toBeGreaterThan(20);
    expect(zoomed.end).toBeLessThan(80);

    // In print, the server-rendered SVGs (they scale to the page) and not the live charts.
    await page.emulateMedia({ media: "print" });
    for (const name of ["latency", "g20"]) {
      await expect(page.locator(`div.chart[data-chart="${name}"] > svg`).isVisible()).resolves.toBe(true);
      await expect(live(name).isVisible()).resolves.toBe(false);
    }
    await page.emulateMedia({ media: "screen" });
    expect(problems).toEqual([]);

    await page.mouse.move(0, 0);
    mkdirSync(packagePath("docs", "screenshots"), { recursive: true });
    // The top of the report (headline figures and the G20 scorecard): the whole page is several screens long.
    const bottom = await page.$eval('div.chart[data-chart="g20"]', (el) => el.getBoundingClientRect().bottom + window.scrollY);
    await page.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: 0, y: 0, width: 1100, height: Math.ceil(bottom + 16) } });
    await page.close();
  }, 90_000);
});

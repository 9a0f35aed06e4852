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
import { loadG20Targets } from "../../src/measure/g20-targets.js";
import { SKIP_BROWSER_TESTS, launchBrowser, type Browser } from "./browser.js";

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

  it("renders every chart of a generated report with bars of non-zero size", async () => {
    const results = await simulate({ scenario });
    const resultsFile = join(dir, "results.json");
    writeResultsJson(resultsFile, results);
    // The report is made from results.json as written (what `corridor report` reads).
    const fromFile = JSON.parse(readFileSync(resultsFile, "utf8")) as SimulationResults;
    const html = renderReport(fromFile, { command: "corridor simulate <report-in-a-browser> --seed 11", targets: loadG20Targets() });
    const reportFile = join(dir, "report.html");
    writeFileSync(reportFile, html);

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(reportFile).href);
    await expect(page.locator("h1").innerText()).resolves.toBe("report-in-a-browser");

    const charts = await page.$$eval("svg[data-chart]", (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const bars = [...svg.querySelectorAll("rect.bar")].map((r) => r.getBoundingClientRect());
        return {
          name: svg.getAttribute("data-chart"),
          width: box.width,
          height: box.height,
          bars: bars.length,
          visibleBars: bars.filter((b) => b.width > 0 && b.height > 0).length,
        };
      }),
    );
    expect(charts.map((c) => c.name).sort()).toEqual(["compliance", "cost", "g20", "latency", "waterfall"]);
    for (const c of charts) {
      expect(c.width, c.name!).toBeGreaterThan(100);
      expect(c.height, c.name!).toBeGreaterThan(50);
      expect(c.visibleBars, `${c.name}: ${c.visibleBars} of ${c.bars} bars visible`).toBeGreaterThan(0);
    }
    // A report is inert: no script ran, nothing failed.
    expect(errors).toEqual([]);

    mkdirSync(packagePath("docs", "screenshots"), { recursive: true });
    // The top of the report (headline figures and the G20 scorecard): the whole page is several screens long.
    const bottom = await page.$eval('svg[data-chart="g20"]', (svg) => svg.getBoundingClientRect().bottom + window.scrollY);
    await page.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: 0, y: 0, width: 1100, height: Math.ceil(bottom + 16) } });
    await page.close();
  }, 90_000);
});

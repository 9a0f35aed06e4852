import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { packagePath } from "../../src/paths.js";
import { PRESET_CURRENCIES } from "../../src/spec/presets.js";
import { startDemoServer, type DemoServer } from "../../src/server/server.js";
import { SKIP_BROWSER_TESTS, hoverChart, launchBrowser, liveOption, type Browser } from "./browser.js";

const SCREENSHOT = packagePath("docs", "screenshots", "dashboard.png");

const count = async (page: Page, testid: string) => Number((await page.getByTestId(testid).innerText()).replace(/[^0-9]/g, ""));

type Lines = { series: { name: string; data: [number, number, string][] }[] };

/** Polls `fn` until it returns a truthy value (or fails after `ms`). */
async function until<T>(what: string, fn: () => Promise<T>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A new page whose script errors and console errors are collected (a test ends by expecting none). */
async function watchedPage(browser: Browser) {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  return { page, problems };
}

describe.skipIf(SKIP_BROWSER_TESTS)("the live dashboard in a browser", () => {
  let demo: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    demo = await startDemoServer({ port: 0, corridor: { seed: 3, senders: 12, reviewSeconds: 4, settings: { arrivalPerMinute: 120 } } });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  }, 30_000);

  it("shows transfers settling, a fee change taking effect and a sanctioned payment denied and refunded", async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(demo.url);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toContain("Dollars to pounds");
    await until("the live feed", async () => (await page.getByTestId("chip-live").innerText()).includes("Live"));

    // Counters rise as transfers settle.
    const first = await until("a first settlement", async () => {
      const n = await count(page, "kpi-settled");
      return n >= 2 ? n : 0;
    });
    await until("more settlements", async () => (await count(page, "kpi-settled")) > first);
    expect(await count(page, "kpi-sent")).toBeGreaterThanOrEqual(first);
    await expect(page.locator("#transfers tbody tr[data-outcome=settled]").count()).resolves.toBeGreaterThan(0);
    // Hovering the settlement-time chart's tallest band shows its count (the chart moves on as payments settle: retried).
    const latency = page.locator('[data-chart="latency"]');
    await until("the tallest band's count on hover", async () => {
      const bands = (await liveOption<Lines>(latency)).series[0]!.data;
      const [middle, payments, band] = bands.reduce((a, b) => (b[1] > a[1] ? b : a));
      const tip = await hoverChart(page, latency, 0, [middle, payments / 2]);
      return payments > 0 && band.endsWith(`: ${payments} payments`) && tip.includes(band);
    });
    await page.mouse.move(0, 0);

    // The fee slider: 0.10% -> 1.50%; the next settled payments show the new fee.
    const feeOf = async () => Number((await page.getByTestId("latest-fee").innerText()).replace(/[^0-9.]/g, ""));
    expect(await feeOf()).toBeLessThan(0.5);
    await page.getByTestId("ctl-feeBps").fill("150");
    await until("the fee confirmation", async () => (await page.locator("#toast").innerText()).includes("Fee set to 1.50%"));
    await expect(page.getByTestId("val-feeBps").innerText()).resolves.toBe("1.50%");
    await until("a payment charged the new fee", async () => (await feeOf()) >= 1.5, 30_000);
    await until("the log to record the fee change", async () => (await page.locator("#log").innerText()).includes("Fee set to 1.50%"));

    // A payment to an OFAC-listed address: denied with its reason, then refunded in full.
    await page.getByTestId("btn-sanctionedTransfer").click();
    const denial = page.locator('[data-testid=compliance-feed] li[data-reason="SANCTIONED_RECIPIENT"]');
    await until("the denial", async () => (await denial.count()) > 0, 30_000);
    const text = await denial.first().innerText();
    expect(text).toContain("Denied");
    expect(text).toContain("SANCTIONED_RECIPIENT");
    expect(text).toMatch(/sanctions list/);
    const row = page.locator('#transfers tbody tr[data-outcome=refunded][data-reason="SANCTIONED_RECIPIENT"]');
    await until("the refund", async () => (await row.count()) > 0, 30_000);
    await expect(row.first().innerText()).resolves.toContain("Refunded in full");
    expect(await count(page, "kpi-refunded")).toBeGreaterThanOrEqual(1);

    // A lower travel-rule threshold: payments without the parties' details are held, reviewed, then paid.
    await page.getByTestId("ctl-travelRuleThresholdUsd").fill("100");
    await until("the threshold confirmation", async () => (await page.locator("#toast").innerText()).includes("Travel-rule threshold set to USD 100"));
    const approved = page.locator('[data-testid=compliance-feed] li[data-reason="TRAVEL_RULE_MISSING"][data-outcome="approved"]');
    await until("a held payment approved after review", async () => (await approved.count()) > 0, 40_000);

    // Let the page settle into a representative picture for the README.
    await new Promise((r) => setTimeout(r, 2_000));
    mkdirSync(packagePath("docs", "screenshots"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it("answers bad control requests with stable error codes", async () => {
    const post = (body: string, type = "application/json") => fetch(`${demo.url}api/controls`, { method: "POST", headers: { "content-type": type }, body });
    const error = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

    let res = await post(JSON.stringify({ feeBps: 9_999 }));
    expect(res.status).toBe(400);
    expect(await error(res)).toMatchObject({ code: "CORRIDOR_DEMO_INVALID_CONTROLS", message: expect.stringContaining("feeBps") });

    res = await post(JSON.stringify({ feeBps: 10, unknown: true }));
    expect(res.status).toBe(400);
    expect((await error(res)).code).toBe("CORRIDOR_DEMO_INVALID_CONTROLS");

    res = await post(JSON.stringify({ action: "launchRockets" }));
    expect(res.status).toBe(400);
    expect((await error(res)).code).toBe("CORRIDOR_DEMO_INVALID_CONTROLS");

    res = await post("{not json");
    expect(res.status).toBe(400);
    expect((await error(res)).code).toBe("CORRIDOR_HTTP_MALFORMED_JSON");

    res = await post(JSON.stringify({ feeBps: 10 }), "text/plain");
    expect(res.status).toBe(415);
    expect((await error(res)).code).toBe("CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE");

    res = await post(JSON.stringify({ feeBps: 10, pad: "x".repeat(64 * 1024) }));
    expect(res.status).toBe(413);
    expect((await error(res)).code).toBe("CORRIDOR_HTTP_BODY_TOO_LARGE");

    res = await fetch(`${demo.url}api/controls`);
    expect(res.status).toBe(405);
    expect((await error(res)).code).toBe("CORRIDOR_HTTP_METHOD_NOT_ALLOWED");

    res = await fetch(`${demo.url}no/such/page`);
    expect(res.status).toBe(404);
    expect((await error(res)).code).toBe("CORRIDOR_HTTP_NOT_FOUND");

    // A good body still works after the bad ones, and a second outage while one is under way is refused.
    res = await post(JSON.stringify({ spreadBps: 20, action: "relayerOutage", seconds: 5 }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { settings: { spreadBps: number } }).settings.spreadBps).toBe(20);
    res = await post(JSON.stringify({ action: "relayerOutage" }));
    expect(res.status).toBe(409);
    expect((await error(res)).code).toBe("CORRIDOR_DEMO_BUSY");
  }, 30_000);
});

describe.skipIf(SKIP_BROWSER_TESTS)("the live dashboard of a three-chain corridor", () => {
  let demo: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    demo = await startDemoServer({ port: 0, corridor: { chains: ["us", "uk", "eu"], seed: 4, senders: 8, reviewSeconds: 3, settings: { arrivalPerMinute: 240 } } });
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  }, 30_000);

  it("shows every corridor that carried payments, each chain's pool, every currency's rate, and drains the chain picked", async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(demo.url);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toContain("Dollars, pounds and euros, across 3 chains");
    await until("payments on routes touching the third chain", async () => {
      const routes = await page.locator("#corridors tbody tr[data-route]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.route!));
      return routes.some((r) => r.startsWith("eu:")) && routes.some((r) => r.includes("->eu:")) && routes.length >= 6;
    }, 40_000);
    await until("settlements", async () => (await count(page, "kpi-settled")) >= 3, 30_000);
    await expect(page.locator("#liquidity [data-chain]").count()).resolves.toBe(3);
    await expect(page.getByTestId("pool-eu").innerText()).resolves.toContain("euros");
    // The travel-rule defaults are each jurisdiction's of the spec.
    await expect(page.getByTestId("travel-rule-now").innerText()).resolves.toBe("In force: USD 3,000 for US senders, EUR 1,000 for UK senders, every payment of EU senders.");
    await expect(page.getByTestId("chip-fx").innerText()).resolves.toMatch(/£0\.7497 · €0\.8684 per \$1/);
    // One line per currency other than the dollar; hovering shows each one's rate at that time.
    const fx = page.locator('[data-chart="fx"]');
    const lines = (await liveOption<Lines>(fx)).series;
    expect(lines.map((l) => l.name)).toEqual(["GBP", "EUR"]);
    const fxTip = await hoverChart(page, fx, 0, [lines[0]!.data.at(-2)![0], 0]);
    expect(fxTip).toContain("£0.7497 per $1 (normal)");
    expect(fxTip).toContain("€0.8684 per $1 (normal)");
    await page.mouse.move(0, 0);

    // Drain the EU pool (picked from the list), then shock the euro alone.
    await page.getByTestId("sel-drain-chain").selectOption("eu");
    await page.getByTestId("btn-drainLiquidity").click();
    await until("the drain", async () => (await page.locator("#log").innerText()).includes("from the EU pool"), 30_000);
    await page.getByTestId("sel-fx-currency").selectOption("EUR");
    await page.getByTestId("btn-fxShock").click();
    await until("the euro shock", async () => (await page.locator("#log").innerText()).includes("against the euro"), 15_000);
    const state = (await (await fetch(`${demo.url}api/state`)).json()) as { fx: { mids: Record<string, number> }; drain: { chain: string } | null };
    expect(state.fx.mids.GBP).toBeCloseTo(PRESET_CURRENCIES.GBP!.mid!, 6);
    expect(state.fx.mids.EUR).toBeCloseTo(PRESET_CURRENCIES.EUR!.mid! * 0.9, 6);
    expect(state.drain?.chain).toBe("eu");
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});

describe.skipIf(SKIP_BROWSER_TESTS)("the live dashboard of an Ethereum-like corridor in compressed time", () => {
  let demo: DemoServer;
  let browser: Browser;
  const SPEED = 60;

  beforeAll(async () => {
    demo = await startDemoServer({ port: 0, corridor: { profile: "ethereum", timeScale: SPEED, seed: 5, senders: 8, settings: { arrivalPerMinute: 60, fastShare: 0.5 } } });
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  }, 30_000);

  it("states the profile and the speed, and shows every settlement time in corridor time (wall time × speed)", async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(demo.url);
    const timing = await until("the timing line", async () => page.getByTestId("timing").innerText());
    expect(timing).toContain("Profile: Ethereum-like (12 s blocks, Standard final after 2–3 epochs");
    expect(timing).toContain("shown at 60× speed: 1 minute on screen = 1 hour of corridor time");
    await expect(page.getByTestId("chip-timing").innerText()).resolves.toBe("ethereum profile · 60× speed");

    type View = { id: string | null; tier: string; outcome: string; seconds: number | null };
    type State = { timing: { profile: string; timeScale: number }; recent: View[]; cost: { latest: View | null }; settlement: { p50: number | null; max: number | null } };
    const state = async () => (await (await fetch(`${demo.url}api/state`)).json()) as State;
    // A Standard payment waits for Ethereum finality: 65 to 96 blocks of 12 s (13 to 19.2 minutes of corridor time), so the
    // slowest settlement reaches 12 minutes and more (65 blocks every 200 ms: 13 wall seconds, block times to the second).
    const st: State = (await until("a Standard payment settled", async () => {
      const s = await state();
      return (s.settlement.max ?? 0) >= 12 * SPEED ? s : null;
    }, 60_000))!;
    expect(st.timing).toMatchObject({ profile: "ethereum", timeScale: SPEED });
    const settled = [...st.recent, ...(st.cost.latest ? [st.cost.latest] : [])].filter((v) => v.outcome === "settled");
    expect(settled.length).toBeGreaterThan(0);
    for (const v of settled) {
      const r = demo.corridor.record(v.id as `0x${string}`)!;
      // The chains' block times are wall seconds: the dashboard shows them × the speed.
      expect(v.seconds).toBe((r.stages.settled! - r.stages.initiated!) * SPEED);
    }
    expect(st.settlement.p50! % SPEED).toBe(0);
    // The page shows the slowest in minutes of corridor time.
    await until("the latency note in corridor time", async () => (await page.locator("#latency-note").innerText()).includes("in corridor time (wall time × 60"));
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});

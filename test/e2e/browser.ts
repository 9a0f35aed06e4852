/** Debian's Chromium driven by playwright-core: headless, sandbox off (containers), a fresh profile per launch. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { TOOLTIP_CLASS } from "../../src/charts/definitions.js";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Under CI a missing Chromium fails the browser tests (CI must not pass with tests that did not run); elsewhere they are skipped with a warning. */
const IN_CI = !!process.env.CI && !["0", "false"].includes(process.env.CI.toLowerCase());
export const SKIP_BROWSER_TESTS = !HAVE_CHROMIUM && !IN_CI;
if (SKIP_BROWSER_TESTS) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH); under CI=true they fail instead`);

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1440, height: 1000 }): Promise<Browser> {
  if (!HAVE_CHROMIUM) throw new Error(`no Chromium at ${CHROMIUM}: the browser tests cannot run (apt-get install chromium, or set CHROMIUM_PATH)`);
  const profile = mkdtempSync(join(tmpdir(), "corridor-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The ECharts chart drawn in an element of the page. */
type PageCharts = { echarts: { getInstanceByDom(el: Element): { getOption(): unknown; convertToPixel(finder: object, value: unknown): number[] } } };

/** The option of the chart drawn in `chart` now, as the page's ECharts holds it (the caller says which parts it reads). */
export function liveOption<T>(chart: Locator): Promise<T> {
  return chart.evaluate((el) => (window as unknown as PageCharts).echarts.getInstanceByDom(el).getOption()) as Promise<T>;
}

/**
 * Moves the mouse over a point of the ECharts chart drawn in `chart` (the element the chart was
 * initialised on) and returns the text of the tooltip that opens. `point` is in the data
 * coordinates of series `seriesIndex`: [x, y], a category by its name.
 */
export async function hoverChart(page: Page, chart: Locator, seriesIndex: number, point: [number | string, number | string]): Promise<string> {
  await chart.scrollIntoViewIfNeeded();
  const [x, y] = await chart.evaluate(
    (el, [s, p]) => (window as unknown as PageCharts).echarts.getInstanceByDom(el).convertToPixel({ seriesIndex: s }, p),
    [seriesIndex, point] as const,
  );
  const box = await chart.boundingBox();
  if (!box || x === undefined || y === undefined) throw new Error("the chart is not on the page");
  await page.mouse.move(box.x + x, box.y + y);
  const tooltip = chart.locator(`.${TOOLTIP_CLASS}`);
  await tooltip.waitFor({ state: "visible", timeout: 5_000 });
  return tooltip.innerText();
}

import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { loadFxSeries, parseFxSeries } from "../../src/data/fx-series.js";
import { DATA_DIR, dataset, manifest } from "../../src/data/manifest.js";
import { rowsOf } from "../../src/data/run-data.js";
import { DEFAULT_SANCTIONS_FILE, loadAddressList, loadSanctionsList, parseAddressList } from "../../src/data/sanctions-list.js";
import { resolveSpec } from "../../src/spec/spec.js";
import { historicalReplay } from "../../src/domain/fx/index.js";

describe("FX series loader", () => {
  it("loads the shipped monthly GBP-per-USD series from the package's data folder, its pair from the header", () => {
    expect(DATA_DIR).toMatch(/data$/);
    const series = loadFxSeries("fx-gbp-per-usd-monthly.csv");
    expect(series.pair).toEqual({ base: "USD", quote: "GBP" });
    expect(series.points).toHaveLength(666);
    expect(series.points[0]).toEqual({ date: "1971-01-01", rate: 0.4157 });
    const replay = historicalReplay(series, { windowStart: "2026-06" });
    expect(replay.numeraire).toBe("USD");
    expect(replay.perNumeraire("GBP", 0).toString()).toBe("0.7497");
    expect(loadFxSeries(join(DATA_DIR, "fx-gbp-per-usd-monthly.csv")).points).toHaveLength(666);
  });

  it("reads any pair from the header", () => {
    expect(parseFxSeries("date,EUR_per_usd\n2024-01-01,0.92\n", "fx.csv")).toEqual({ pair: { base: "USD", quote: "EUR" }, points: [{ date: "2024-01-01", rate: 0.92 }] });
  });

  it("names the file and line of a bad row or header", () => {
    expect(() => parseFxSeries("date,gbp_per_usd\n2024-01-01,0.8\n2024-02-01,abc\n", "fx.csv")).toThrow("fx.csv:3:");
    expect(() => parseFxSeries("when,rate\n", "fx.csv")).toThrow("fx.csv:1:");
    expect(() => parseFxSeries("date,usd_per_usd\n", "fx.csv")).toThrow("fx.csv:1:");
    expect(() => loadFxSeries("no-such-series.csv")).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_INVALID" }));
  });
});

describe("address list loader", () => {
  it("makes the OFAC SDN list of 2025-11-19 the default: 89 listings of any asset, 81 distinct EVM addresses", () => {
    expect(DEFAULT_SANCTIONS_FILE).toMatch(/data\/ofac-sdn-evm-addresses-2025-11-19\.csv$/);
    const list = loadSanctionsList();
    expect(list).toMatchObject({ listings: 89, asOf: "2025-11-19", asOfFrom: "manifest", dataset: "ofac-sdn", assets: { ETH: 77, USDT: 8, USDC: 2, ARB: 1, BSC: 1 } });
    expect(list.addresses.size).toBe(81);
    // an address listed for ETH and USDT is one address to screen
    expect(list.addresses.has("0x19aa5fe80d33a56d56c78e82ea5e50e5d80b4dff")).toBe(true);
    // Tornado Cash, delisted on 2025-03-21, is not on it
    expect(list.addresses.has("0x03893a7c7463ae47d46bc7f091665f1893656003")).toBe(false);
    expect(loadAddressList()).toEqual(list.addresses);
  });

  it("keeps the 2024-09-27 snapshot, with Tornado Cash, for as-of scenarios", () => {
    const old = loadSanctionsList(dataset("ofac-sdn-2024-09-27").path);
    expect(old).toMatchObject({ listings: 152, asOf: "2024-09-27", asOfFrom: "manifest" });
    expect(old.addresses.has("0x03893a7c7463ae47d46bc7f091665f1893656003")).toBe(true);
  });

  it("skips comments and blank lines, and reads the CSV format with or without its header", () => {
    expect([...parseAddressList("# header\n\n0x1111111111111111111111111111111111111111  # alice\n").addresses]).toEqual(["0x1111111111111111111111111111111111111111"]);
    const csv = parseAddressList("address,asset\n0x1111111111111111111111111111111111111111,ETH\n0x1111111111111111111111111111111111111111,USDC\n0x2222222222222222222222222222222222222222,usdt\n");
    expect(csv).toMatchObject({ listings: 3, assets: { ETH: 1, USDC: 1, USDT: 1 } });
    expect([...csv.addresses]).toEqual(["0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222"]);
    expect(parseAddressList("0x1111111111111111111111111111111111111111,ETH\n").listings).toBe(1);
  });

  it("names the file and line of an invalid address, a bad checksum, a bad asset or an extra column", () => {
    expect(() => parseAddressList("0x1111111111111111111111111111111111111111\n0x123\n", "list.txt")).toThrow('list.txt:2: not an address (or a bad checksum): "0x123"');
    expect(() => parseAddressList("0x03893a7c7463AE47D46bc7f091665f1893656004", "l.txt")).toThrow("l.txt:1:");
    expect(() => parseAddressList("0x1111111111111111111111111111111111111111,<script>", "l.csv")).toThrow('l.csv:1: not an asset ticker: "<script>"');
    expect(() => parseAddressList("address,asset\n0x1111111111111111111111111111111111111111,ETH,x", "l.csv")).toThrow("l.csv:2: expected an address, or address,asset");
    // a header anywhere but first is not one
    expect(() => parseAddressList("0x1111111111111111111111111111111111111111\naddress,asset", "l.csv")).toThrow("l.csv:2:");
  });

  it("dates a list: the date given, else a '# as of' line, else the manifest, else a date in the file name, else refuses", () => {
    const dir = mkdtempSync(join(tmpdir(), "lists-"));
    const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    const dated = file("list.txt", "# as of 2026-01-05\n0x1111111111111111111111111111111111111111\n");
    expect(loadSanctionsList(dated)).toMatchObject({ asOf: "2026-01-05", asOfFrom: "file" });
    expect(loadSanctionsList(dated, "2026-02-01")).toMatchObject({ asOf: "2026-02-01", asOfFrom: "given" });
    expect(loadSanctionsList(file("sdn-2026-03-04.csv", "address,asset\n0x1111111111111111111111111111111111111111,ETH\n"))).toMatchObject({ asOf: "2026-03-04", asOfFrom: "file name" });
    const undated = file("list2.txt", "0x1111111111111111111111111111111111111111\n");
    expect(() => loadSanctionsList(undated)).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_DATE_INVALID", message: expect.stringContaining("no as-of date") }));
    expect(() => loadSanctionsList(undated, "2026-13-01")).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_DATE_INVALID" }));
    expect(() => loadSanctionsList(file("bad.txt", "# as of yesterday\n"))).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_DATE_INVALID", message: expect.stringContaining("bad.txt:1:") }));
    // a bad date in the name is no date
    expect(() => loadSanctionsList(file("sdn-2026-02-30.txt", "0x1111111111111111111111111111111111111111\n"))).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_DATE_INVALID" }));
  });

  it("reports a missing file with CORRIDOR_DATA_INVALID", () => {
    expect(() => loadAddressList("/nonexistent/list.txt")).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_INVALID" }));
    expect(() => loadSanctionsList("/nonexistent/list.txt", "2026-01-01")).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_INVALID" }));
  });
});

describe("data manifest", () => {
  it("dates and sources every file in data/, and every file it names exists with rows", () => {
    const files = (readdirSync(DATA_DIR, { recursive: true }) as string[]).map((f) => f.split(sep).join("/")).filter((f) => f !== "README.md" && f !== "manifest.json" && !statSync(join(DATA_DIR, f)).isDirectory());
    expect(manifest().map((d) => d.file).sort()).toEqual(files.sort());
    const readme = readFileSync(join(DATA_DIR, "README.md"), "utf8");
    for (const d of manifest()) {
      expect(d.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(rowsOf(dataset(d.name))).toBeGreaterThan(0);
      // data/README.md names each file with its date
      expect(readme).toContain(`\`${d.file}\``);
      expect(readme).toContain(d.asOf);
    }
  });

  it("dates each FX series by its last month, and takes the presets' mids from them (EUR/USD from data, not written by hand)", () => {
    for (const d of manifest().filter((x) => x.kind === "fxSeries")) {
      const points = loadFxSeries(d.file).points;
      expect(points[points.length - 1]!.date).toBe(d.asOf);
    }
    const { currencies } = resolveSpec({ chains: { us: {}, uk: {}, eu: {} } });
    expect(currencies.EUR).toMatchObject({ mid: 0.8684, series: "fx-eur-per-usd-monthly.csv" });
    expect(currencies.EUR!.source).toMatch(/^EUR per USD, 2026-06 monthly average, US Federal Reserve H\.10 \(FRED series EXUSEU/);
    expect(currencies.GBP).toMatchObject({ mid: 0.7497, series: "fx-gbp-per-usd-monthly.csv" });
    // a mid the scenario gives is not the data's: no source goes with it
    expect(resolveSpec({ currencies: { EUR: { mid: 0.9 } }, chains: { us: {}, eu: {} } }).currencies.EUR!.source).toBeUndefined();
  });

  it("refuses an unknown data set by name", () => {
    expect(() => dataset("nope")).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_INVALID" }));
  });
});

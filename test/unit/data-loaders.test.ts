import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DATA_DIR, loadFxSeries, parseFxSeries } from "../../src/data/fx-series.js";
import { DEFAULT_SANCTIONS_FILE, loadAddressList, parseAddressList } from "../../src/data/sanctions-list.js";
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
  it("loads the shipped OFAC list as lowercase addresses", () => {
    expect(DEFAULT_SANCTIONS_FILE).toMatch(/data\/ofac-sdn-eth-addresses\.txt$/);
    const list = loadAddressList();
    expect(list.size).toBe(152);
    expect(list.has("0x03893a7c7463ae47d46bc7f091665f1893656003")).toBe(true);
  });

  it("skips comments and blank lines", () => {
    const list = parseAddressList("# header\n\n0x1111111111111111111111111111111111111111  # alice\n");
    expect([...list]).toEqual(["0x1111111111111111111111111111111111111111"]);
  });

  it("names the file and line of an invalid address or a bad checksum", () => {
    expect(() => parseAddressList("0x1111111111111111111111111111111111111111\n0x123\n", "list.txt")).toThrow('list.txt:2: not an address (or a bad checksum): "0x123"');
    expect(() => parseAddressList("0x03893a7c7463AE47D46bc7f091665f1893656004", "l.txt")).toThrow("l.txt:1:");
  });

  it("reports a missing file with CORRIDOR_DATA_INVALID", () => {
    expect(() => loadAddressList("/nonexistent/list.txt")).toThrow(expect.objectContaining({ code: "CORRIDOR_DATA_INVALID" }));
  });
});

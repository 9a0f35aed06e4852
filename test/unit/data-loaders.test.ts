import { describe, expect, it } from "vitest";
import { DEFAULT_FX_SERIES_FILE, loadFxSeries, parseFxSeries } from "../../src/data/fx-series.js";
import { DEFAULT_SANCTIONS_FILE, loadAddressList, parseAddressList } from "../../src/data/sanctions-list.js";
import { historicalReplay } from "../../src/domain/fx/index.js";

describe("FX series loader", () => {
  it("loads the shipped monthly GBP-per-USD series from the package's data folder", () => {
    expect(DEFAULT_FX_SERIES_FILE).toMatch(/data\/fx-gbp-per-usd-monthly\.csv$/);
    const series = loadFxSeries();
    expect(series).toHaveLength(666);
    expect(series[0]).toEqual({ date: "1971-01-01", gbpPerUsd: 0.4157 });
    expect(historicalReplay(series, { windowStart: "2026-06" }).mid(0).toString()).toBe("0.7497");
  });

  it("names the file and line of a bad row", () => {
    expect(() => parseFxSeries("date,gbp_per_usd\n2024-01-01,0.8\n2024-02-01,abc\n", "fx.csv")).toThrow("fx.csv:3:");
    expect(() => parseFxSeries("when,rate\n", "fx.csv")).toThrow("fx.csv:1:");
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

/**
 * Loads a monthly FX series for historicalReplay: a CSV whose header names the pair,
 * `date,<quote>_per_<base>` in lowercase ISO 4217 codes, then one `YYYY-MM-DD,<rate>` row per month
 * (the rate in units of quote per base). The currency presets (src/spec/presets.ts) name the
 * shipped files by their `series`.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import type { FxPoint, FxSeries } from "../domain/fx/historical.js";
import { DATA_DIR, datasetAt } from "./manifest.js";

/** A file in data/ (a relative name) or the path itself (an absolute one). */
export function dataFile(file: string): string {
  return isAbsolute(file) ? file : resolve(DATA_DIR, file);
}

const HEADER = /^date,([a-z]{3})_per_([a-z]{3})$/;

/** Parses the CSV text; `source` names the file in errors. */
export function parseFxSeries(text: string, source = "<fx series>"): FxSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").trim().toLowerCase();
  const names = HEADER.exec(header);
  if (!names || names[1] === names[2]) {
    throw new CorridorError(ErrorCode.DataInvalid, `${source}:1: expected a header "date,<quote>_per_<base>" with two different currency codes, got "${header}"`, {
      file: source,
      line: 1,
    });
  }
  const pair = { base: names[2]!.toUpperCase(), quote: names[1]!.toUpperCase() };
  const points: FxPoint[] = [];
  lines.slice(1).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const [date = "", value = ""] = line.split(",").map((c) => c.trim());
    const rate = Number(value);
    if (!/^\d{4}-\d{2}(-\d{2})?$/.test(date) || !value || !Number.isFinite(rate) || rate <= 0) {
      throw new CorridorError(ErrorCode.DataInvalid, `${source}:${i + 2}: expected "YYYY-MM-DD,<positive rate>", got "${line}"`, { file: source, line: i + 2 });
    }
    points.push({ date, rate });
  });
  return { pair, points };
}

/** Reads and parses a series file: a name relative to data/ or an absolute path. */
export function loadFxSeries(file: string): FxSeries {
  const path = dataFile(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new CorridorError(ErrorCode.DataInvalid, `cannot read FX series ${path}`, { file: path }, cause);
  }
  return parseFxSeries(text, path);
}

/**
 * A currency preset's mid from its shipped series: the last month's rate, with the series file and
 * where the figure comes from (the manifest's source and the month), so no mid is written by hand.
 */
export function seriesMid(file: string): { mid: number; series: string; source: string } {
  const series = loadFxSeries(file);
  const last = series.points[series.points.length - 1];
  if (!last) throw new CorridorError(ErrorCode.DataInvalid, `FX series ${file} has no rows`, { file });
  const shipped = datasetAt(dataFile(file));
  const origin = shipped ? `${shipped.source} (data/${shipped.file})` : dataFile(file);
  return { mid: last.rate, series: file, source: `${series.pair.quote} per ${series.pair.base}, ${last.date.slice(0, 7)} monthly average, ${origin}` };
}

/** Loads the monthly GBP-per-USD series (date,gbp_per_usd CSV) for historicalReplay. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import type { FxPoint } from "../domain/fx/historical.js";

/** data/fx-gbp-per-usd-monthly.csv in the package (this file is src/data/, two levels below the root). */
export const DEFAULT_FX_SERIES_FILE = fileURLToPath(new URL("../../data/fx-gbp-per-usd-monthly.csv", import.meta.url));

/** Parses the CSV text; `source` names the file in errors. */
export function parseFxSeries(text: string, source = "<fx series>"): FxPoint[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").trim().toLowerCase();
  if (header !== "date,gbp_per_usd") {
    throw new CorridorError(ErrorCode.DataInvalid, `${source}:1: expected header "date,gbp_per_usd", got "${header}"`, { file: source, line: 1 });
  }
  const points: FxPoint[] = [];
  lines.slice(1).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const [date = "", value = ""] = line.split(",").map((c) => c.trim());
    const rate = Number(value);
    if (!/^\d{4}-\d{2}(-\d{2})?$/.test(date) || !value || !Number.isFinite(rate) || rate <= 0) {
      throw new CorridorError(ErrorCode.DataInvalid, `${source}:${i + 2}: expected "YYYY-MM-DD,<positive rate>", got "${line}"`, { file: source, line: i + 2 });
    }
    points.push({ date, gbpPerUsd: rate });
  });
  return points;
}

/** Reads and parses a series file (default: the shipped Fed H.10 monthly series). */
export function loadFxSeries(file: string = DEFAULT_FX_SERIES_FILE): FxPoint[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new CorridorError(ErrorCode.DataInvalid, `cannot read FX series ${file}`, { file }, cause);
  }
  return parseFxSeries(text, file);
}

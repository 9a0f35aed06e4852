/** Loads the G20 / FSB targets (data/g20-targets.json) for the scorecard. */
import { readFileSync } from "node:fs";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import { packagePath } from "../paths.js";
import { G20TargetsSchema, type G20Targets } from "./scorecard.js";

/** data/g20-targets.json in the package. */
export const DEFAULT_G20_TARGETS_FILE = packagePath("data", "g20-targets.json");

/** Validates parsed JSON; `source` names the file in errors. */
export function parseG20Targets(json: unknown, source = "<g20 targets>"): G20Targets {
  const r = G20TargetsSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ");
    throw new CorridorError(ErrorCode.DataInvalid, `${source}: not a G20 targets file: ${issues}`, { file: source, issues: r.error.issues });
  }
  return r.data;
}

/** Reads and validates a targets file (default: the shipped FSB targets). */
export function loadG20Targets(file: string = DEFAULT_G20_TARGETS_FILE): G20Targets {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new CorridorError(ErrorCode.DataInvalid, `cannot read G20 targets ${file}`, { file }, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CorridorError(ErrorCode.DataInvalid, `${file} is not valid JSON: ${(cause as Error).message}`, { file }, cause);
  }
  return parseG20Targets(json, file);
}

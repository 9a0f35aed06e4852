/**
 * The data manifest (data/manifest.json): every data set shipped in data/, with its file, what it
 * is, its source, licence and as-of date, in one place. `corridor data` lists it and each run writes
 * the data sets it used into results.json (src/data/run-data.ts).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { isCalendarDate } from "../domain/clock.js";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import { packagePath } from "../paths.js";

/** The package's data/ folder. */
export const DATA_DIR = packagePath("data");

export const DatasetKindSchema = z.enum(["sanctions", "fxSeries", "g20Targets", "chainProfiles", "gasPrices", "xmlSchema", "bankRails", "policyRates"]);
export type DatasetKind = z.infer<typeof DatasetKindSchema>;

export const DatasetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    kind: DatasetKindSchema,
    /** A file in data/ (or one folder down: iso20022/…). */
    file: z.string().regex(/^([A-Za-z0-9_-][A-Za-z0-9._-]*\/)?[A-Za-z0-9._-]+$/),
    what: z.string().min(1),
    source: z.string().min(1),
    licence: z.string().min(1),
    /** The date the data is as of, YYYY-MM-DD (a monthly series: its last month's first day). */
    asOf: z.string().refine(isCalendarDate, { message: "expected a calendar date YYYY-MM-DD" }),
  })
  .strict();
export type Dataset = z.infer<typeof DatasetSchema>;

const ManifestSchema = z.object({ note: z.string().optional(), datasets: z.array(DatasetSchema).min(1) }).strict();

let cached: Dataset[] | undefined;

/**
 * A JSON data file checked against its schema: CORRIDOR_DATA_INVALID naming the file when it cannot be
 * read or parsed ("cannot read the gas prices FILE: …") or does not match ("FILE: not a gas price file: issues").
 */
export function readDataJson<S extends z.ZodTypeAny>(file: string, schema: S, names: { it: string; a: string }): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new CorridorError(ErrorCode.DataInvalid, `cannot read ${names.it} ${file}: ${(cause as Error).message}`, { file }, cause);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ");
    throw new CorridorError(ErrorCode.DataInvalid, `${file}: not ${names.a}: ${issues}`, { file, issues: r.error.issues });
  }
  return r.data as z.output<S>;
}

/** The shipped data sets, in the manifest's order. */
export function manifest(): readonly Dataset[] {
  cached ??= readDataJson(resolve(DATA_DIR, "manifest.json"), ManifestSchema, { it: "the data manifest", a: "a data manifest" }).datasets;
  return cached;
}

/** A shipped data set by name. */
export function dataset(name: string): Dataset & { path: string } {
  const d = manifest().find((x) => x.name === name);
  if (!d) throw new CorridorError(ErrorCode.DataInvalid, `no data set "${name}" in data/manifest.json (known: ${manifest().map((x) => x.name).join(", ")})`, { name });
  return { ...d, path: resolve(DATA_DIR, d.file) };
}

/** The shipped data set a path is the file of, if any. */
export function datasetAt(path: string): (Dataset & { path: string }) | undefined {
  const abs = resolve(path);
  const d = manifest().find((x) => resolve(DATA_DIR, x.file) === abs);
  return d && { ...d, path: abs };
}

/**
 * The data sets a run uses, each with its file, source, as-of date and rows: the sanctions lists
 * its hooks screen against (the scenario's overrides resolved), the FX series its currencies' mids
 * come from, the G20 targets and the chain profiles. `corridor data` prints them; `corridor
 * simulate` prints the sanctions lists' dates and writes the whole list into results.json (`data`).
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { z } from "zod";
import type { HookSpec } from "../domain/compliance/registry.js";
import { DEFAULT_G20_TARGETS_FILE, loadG20Targets } from "../measure/g20-targets.js";
import { loadBankRails } from "../measure/end-to-end.js";
import { DEFAULT_HOOKS } from "../operator/default-hooks.js";
import { PACKAGE_ROOT } from "../paths.js";
import type { Scenario } from "../sim/scenario.js";
import { dataFile, loadFxSeries } from "./fx-series.js";
import { dataset, datasetAt, manifest, readDataJson, type Dataset } from "./manifest.js";
import { loadPolicyRates } from "./policy-rates.js";
import { DEFAULT_SANCTIONS_DATASET, DEFAULT_SANCTIONS_FILE, loadSanctionsList, resolveListFile, type SanctionsList } from "./sanctions-list.js";

export interface DataSetUse {
  /** What the run uses it for. */
  use: string;
  /** The manifest's name, for a shipped data set. */
  name?: string;
  /** data/<file> for a shipped file, else the path. */
  file: string;
  source: string;
  asOf: string;
  /** For a list: where its date came from (given, file, manifest, file name). */
  asOfFrom?: SanctionsList["asOfFrom"];
  /** Rows of data: listings, months, segments, profiles. */
  rows: number;
  /** For a sanctions list: distinct addresses. */
  addresses?: number;
}

/** Loads a sanctions list (a cache in a run); resolves nothing itself. */
export type SanctionsLoader = (file: string, asOf?: string) => SanctionsList;

const shown = (path: string) => {
  const rel = relative(PACKAGE_ROOT, path);
  return rel.startsWith("..") ? path : rel;
};

const ProfilesFile = z.object({ profiles: z.record(z.string(), z.unknown()) }).passthrough();

/** Rows of a shipped data set, counted from its file by its kind. */
export function rowsOf(d: Dataset & { path: string }): number {
  switch (d.kind) {
    case "sanctions":
      return loadSanctionsList(d.path).listings;
    case "fxSeries":
      return loadFxSeries(d.path).points.length;
    case "g20Targets":
      return Object.keys(loadG20Targets(d.path).segments).length;
    case "bankRails": {
      // Rails and holidays: each rail and each holiday is a row.
      const r = loadBankRails(d.path);
      return Object.keys(r.rails).length + Object.values(r.calendars).reduce((n, c) => n + c.holidays.length, 0);
    }
    case "chainProfiles":
    case "gasPrices":
      // One row per chain profile the file describes.
      return Object.keys(readDataJson(d.path, ProfilesFile, { it: d.kind === "gasPrices" ? "gas prices" : "chain profiles", a: `a ${d.name} file` }).profiles).length;
    case "xmlSchema":
      // An XSD's "rows": the types it defines.
      return (readFileSync(d.path, "utf8").match(/<xs:(complexType|simpleType) name=/g) ?? []).length;
    case "policyRates":
      return Object.keys(loadPolicyRates(d.path).rates).length;
  }
}

/** Every shipped data set (the manifest), with its rows. */
export function shippedDataSets(): DataSetUse[] {
  return manifest().map((m) => {
    const d = dataset(m.name);
    return { use: d.what, name: d.name, file: shown(d.path), source: d.source, asOf: d.asOf, rows: rowsOf(d) };
  });
}

function listUse(use: string, list: SanctionsList): DataSetUse {
  return {
    use,
    ...(list.dataset ? { name: list.dataset } : {}),
    file: shown(list.file),
    source: list.source ?? "a list supplied for this run",
    asOf: list.asOf,
    asOfFrom: list.asOfFrom,
    rows: list.listings,
    addresses: list.addresses.size,
  };
}

/** A list given for a run (`--sanctions-list`), as the default pipeline would screen with it. */
export function suppliedListUse(file: string, asOf?: string): DataSetUse {
  return listUse(`sanctions list (every transfer, instead of ${DEFAULT_SANCTIONS_DATASET})`, loadSanctionsList(file, asOf));
}

/** The sanctions lists a scenario's hooks screen against, as [use, file, asOf] (files resolved). */
export function sanctionsListsOf(scenario: Scenario, scenarioDir?: string): { use: string; file: string; asOf?: string }[] {
  const hooks: readonly HookSpec[] = scenario.compliance.hooks ?? DEFAULT_HOOKS;
  const out: { use: string; file: string; asOf?: string }[] = [];
  for (const h of hooks.filter((x) => x.hook === "sanctions")) {
    const o = h as { listFile?: string; asOf?: string; byJurisdiction?: Record<string, { listFile: string; asOf?: string }> };
    if (o.listFile) out.push({ use: "sanctions list (every transfer)", file: resolveListFile(o.listFile, scenarioDir), ...(o.asOf ? { asOf: o.asOf } : {}) });
    for (const [j, l] of Object.entries(o.byJurisdiction ?? {})) {
      out.push({ use: `sanctions list (transfers to or from ${j})`, file: resolveListFile(l.listFile, scenarioDir), ...(l.asOf ? { asOf: l.asOf } : {}) });
    }
  }
  // With no list screened, the workload still draws its listed recipients from the default list.
  if (out.length === 0 && scenario.workload.sanctionedShare > 0) out.push({ use: "listed recipients of the workload (no sanctions hook screens)", file: DEFAULT_SANCTIONS_FILE });
  return out;
}

/** The data sets a run of `scenario` uses (list files relative to `scenarioDir`, then to the package). */
export function runDataSets(scenario: Scenario, scenarioDir?: string, load: SanctionsLoader = loadSanctionsList): DataSetUse[] {
  const out: DataSetUse[] = sanctionsListsOf(scenario, scenarioDir).map((l) => listUse(l.use, load(l.file, l.asOf)));
  for (const c of Object.values(scenario.spec.currencies)) {
    if (!c.series) continue;
    const series = loadFxSeries(c.series);
    const shipped = datasetAt(dataFile(c.series));
    const use = `${c.code} per ${scenario.spec.numeraire}: the mid${scenario.fx.source === "historical" ? " and the historical replay" : ""}`;
    out.push({
      use,
      ...(shipped ? { name: shipped.name } : {}),
      file: shown(dataFile(c.series)),
      source: shipped?.source ?? c.source ?? "a series supplied for this run",
      asOf: shipped?.asOf ?? series.points[series.points.length - 1]!.date,
      rows: series.points.length,
    });
  }
  const g20 = datasetAt(DEFAULT_G20_TARGETS_FILE)!;
  out.push({ use: "G20 scorecard targets", name: g20.name, file: shown(g20.path), source: g20.source, asOf: g20.asOf, rows: rowsOf(g20) });
  for (const [name, use] of [
    ["chain-profiles", "chain profiles (block times, confirmations)"],
    ["bank-rails", "bank rails and holiday calendars (end-to-end scorecard)"],
    ["gas-prices", "gas and native-token prices (defaults per chain profile; the gas sensitivity table)"],
    ["policy-rates", "policy rates (the pools' cost of capital, unless the scenario's capital section gives a rate)"],
  ] as const) {
    const d = dataset(name);
    out.push({ use, name: d.name, file: shown(d.path), source: d.source, asOf: d.asOf, rows: rowsOf(d) });
  }
  return out;
}

/**
 * The scenario with another sanctions list (`corridor simulate|data --sanctions-list FILE
 * [--sanctions-as-of DATE]`): it replaces the list of the scenario's first sanctions hook (of the
 * default pipeline when the scenario gives none), or screens with it first when no hook does.
 * Without `asOf` the list's date comes from the file (src/data/sanctions-list.ts).
 */
export function withSanctionsList(scenario: Scenario, file: string, asOf?: string): Scenario {
  const hooks: HookSpec[] = [...(scenario.compliance.hooks ?? DEFAULT_HOOKS)];
  const i = hooks.findIndex((h) => h.hook === "sanctions");
  const list = { listFile: file, ...(asOf === undefined ? {} : { asOf }) };
  if (i >= 0) {
    const { listFile: _file, asOf: _asOf, ...rest } = hooks[i] as HookSpec & { listFile?: string; asOf?: string };
    hooks[i] = { ...rest, ...list };
  } else hooks.unshift({ hook: "sanctions", ...list });
  return { ...scenario, compliance: { ...scenario.compliance, hooks } };
}

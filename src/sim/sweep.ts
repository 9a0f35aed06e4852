/**
 * Sweeps: a grid of scenario variants, one per combination of `--vary` values.
 *
 *   --vary fee.bps=0,5,10 --vary tier=fast,standard   ->  6 grid points
 *
 * A `--vary` names a path into the scenario JSON (dotted, array indices as numbers:
 * `workload.amount.medianUsd`, `compliance.hooks.1.perTransfer`, `seed`) or one of the
 * shorthands below, then `=` and comma-separated values. Values are read as JSON where they
 * parse (numbers, true/false, quoted strings), as plain strings otherwise. Every grid point is
 * validated against the scenario schema before anything runs.
 */
import { z } from "zod";
import { CorridorError } from "../domain/errors.js";
import { formatIssues, ScenarioSchema, type Scenario } from "./scenario.js";
import { withPoolLiquidity } from "../liquidity/schema.js";

export type VaryValue = string | number | boolean | null | Record<string, unknown> | unknown[];

interface Shorthand {
  /** The scenario path it sets. */
  path: string;
  describe: string;
  /** Turns one value as typed into what is written at `path`; throws a message on a bad value. */
  map?: (value: VaryValue, raw: string) => unknown;
}

/** Shorthands for the paths a sweep varies most. */
export const VARY_SHORTHANDS: Record<string, Shorthand> = {
  tier: {
    path: "workload.fastShare",
    describe: "fast (every transfer Fast), standard (none), or a share of Fast transfers in [0, 1]",
    map: (v, raw) => {
      if (raw === "fast") return 1;
      if (raw === "standard") return 0;
      if (typeof v === "number" && v >= 0 && v <= 1) return v;
      throw new Error(`expected fast, standard or a share from 0 to 1, got "${raw}"`);
    },
  },
  "fx.spreadBps": {
    path: "fx.spreadBps",
    describe: "the FX spread in bps for every direction",
    map: (v, raw) => {
      if (typeof v !== "number" || !(v >= 0)) throw new Error(`expected a number of basis points, got "${raw}"`);
      return { default: v };
    },
  },
  transfers: { path: "workload.transfers", describe: "number of transfers" },
  fastShare: { path: "workload.fastShare", describe: "share of Fast transfers" },
};
/** `fee.<field>` sets the default fee schedule's field: fee.bps, fee.fixed, fee.min, fee.max, fee.fastPremiumBps. */
const FEE_PREFIX = "fee.";

export interface Vary {
  /** As typed: "fee.bps". */
  name: string;
  /** The scenario path it sets: "fees.default.bps". */
  path: string;
  /** The values as typed. */
  raw: string[];
  /** What is written at `path` for each value. */
  values: unknown[];
}

export interface GridPoint {
  /** "fee.bps=5 tier=fast". */
  label: string;
  /** Each varied name and its value as typed (numbers as numbers). */
  params: Record<string, string | number>;
  /** What to write where. */
  sets: { path: string; value: unknown }[];
}

const usage = (message: string, details: Record<string, unknown> = {}) => new CorridorError("CORRIDOR_USAGE_INVALID", message, details);

function parseValue(raw: string): VaryValue {
  try {
    return JSON.parse(raw) as VaryValue;
  } catch {
    return raw;
  }
}

/** Parses one `--vary name=v1,v2,...`. */
export function parseVary(arg: string): Vary {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw usage(`--vary ${arg}: expected <path>=<value>,<value>,… such as fee.bps=0,5,10`, { arg });
  const name = arg.slice(0, eq).trim();
  const list = arg.slice(eq + 1);
  if (!/^[A-Za-z_$][\w$]*(\.[\w$>\-:]+)*$/.test(name)) throw usage(`--vary ${arg}: "${name}" is not a dotted path such as workload.transfers`, { arg });
  const raw = list.split(",").map((v) => v.trim());
  if (raw.length === 0 || raw.some((v) => v === "")) throw usage(`--vary ${arg}: give one or more comma-separated values, none empty`, { arg });
  if (new Set(raw).size !== raw.length) throw usage(`--vary ${arg}: a value is repeated`, { arg });
  const shorthand = VARY_SHORTHANDS[name];
  const path = shorthand?.path ?? (name.startsWith(FEE_PREFIX) ? `fees.default.${name.slice(FEE_PREFIX.length)}` : name);
  const values = raw.map((r) => {
    const v = parseValue(r);
    if (!shorthand?.map) return v;
    try {
      return shorthand.map(v, r);
    } catch (e) {
      throw usage(`--vary ${name}=${r}: ${(e as Error).message}`, { arg });
    }
  });
  return { name, path, raw, values };
}

/** Every combination of the values, the first --vary outermost. */
export function expandGrid(varies: readonly Vary[]): GridPoint[] {
  const names = varies.map((v) => v.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw usage(`--vary ${dup} is given twice: give all its values in one --vary`);
  const paths = varies.map((v) => v.path);
  const clash = paths.find((p, i) => paths.indexOf(p) !== i);
  if (clash) throw usage(`two --vary options set the same scenario path ${clash}`);
  let points: GridPoint[] = [{ label: "", params: {}, sets: [] }];
  for (const v of varies) {
    const next: GridPoint[] = [];
    for (const p of points) {
      v.raw.forEach((raw, i) => {
        const typed = parseValue(raw);
        next.push({
          label: `${p.label}${p.label ? " " : ""}${v.name}=${raw}`,
          params: { ...p.params, [v.name]: typeof typed === "number" ? typed : raw },
          sets: [...p.sets, { path: v.path, value: v.values[i] }],
        });
      });
    }
    points = next;
  }
  return points;
}

/** A scenario as plain JSON (fee amounts as decimal strings): what a grid point starts from and what is written for it. */
export function scenarioJson(scenario: Scenario): Record<string, unknown> {
  // The resolved spec is derived from the chains, currencies and jurisdictions: not an input field.
  const { spec: _derived, ...input } = scenario;
  return JSON.parse(JSON.stringify(input, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}

const segmentsOf = (path: string) => path.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** Sets `path` in a copy of `json`; every segment but the last must exist. */
export function setPath(json: Record<string, unknown>, path: string, value: unknown, vary = path): Record<string, unknown> {
  const out = structuredClone(json);
  const segs = segmentsOf(path);
  let node: unknown = out;
  for (let i = 0; i < segs.length - 1; i++) {
    const k = segs[i]!;
    const next = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[k] : undefined;
    if (next === null || typeof next !== "object") {
      const at = segs.slice(0, i).join(".") || "the scenario";
      const keys = node !== null && typeof node === "object" ? Object.keys(node as object) : [];
      throw usage(`--vary ${vary}: unknown path ${path}: ${at} has no ${JSON.stringify(k)}${keys.length ? ` (it has ${keys.join(", ")})` : ""}`, { path });
    }
    node = next;
  }
  (node as Record<string | number, unknown>)[segs[segs.length - 1]!] = value;
  return out;
}

/** The scenario JSON of one grid point, validated: errors name the --vary, the field, what was expected and what was found. */
export function scenarioForPoint(base: Scenario, point: GridPoint, varies: readonly Vary[] = []): { json: Record<string, unknown>; scenario: Scenario } {
  let json = scenarioJson(base);
  point.sets.forEach((s) => {
    const v = varies.find((x) => x.path === s.path);
    json = setPath(json, s.path, s.value, v?.name ?? s.path);
  });
  // A pool varied under declared providers: their funding follows it (src/liquidity/schema.ts).
  const pools = point.sets.filter((s) => /^liquidity\.[^.]+$/.test(s.path)).map((s) => s.path.slice("liquidity.".length));
  if (pools.length > 0) json = withPoolLiquidity(json, Object.fromEntries(pools.map((c) => [c, String((json.liquidity as Record<string, unknown>)[c])])));
  const r = ScenarioSchema.safeParse(json);
  if (!r.success) {
    const unknown = r.error.issues.find((i) => i.code === z.ZodIssueCode.unrecognized_keys);
    if (unknown && unknown.code === z.ZodIssueCode.unrecognized_keys) {
      const at = unknown.path.join(".");
      const v = varies.find((x) => unknown.keys.some((k) => x.path === (at ? `${at}.${k}` : k)));
      throw usage(`--vary ${v?.name ?? unknown.keys[0]}: unknown path ${at ? `${at}.` : ""}${unknown.keys[0]} (the scenario has no such field)`, { path: at });
    }
    throw usage(`grid point ${point.label} is not a valid scenario:\n${formatIssues(r.error.issues, json)}`, { point: point.label });
  }
  return { json, scenario: r.data };
}

/** Folder-safe name of a grid point: "03-fee.bps=5_tier=fast". */
export function pointSlug(point: GridPoint, index: number, width = 2): string {
  return `${String(index + 1).padStart(width, "0")}-${point.label.replace(/\s+/g, "_").replace(/[^\w.=+-]/g, "_")}`.slice(0, 120);
}

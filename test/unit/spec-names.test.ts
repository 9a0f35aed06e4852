/**
 * The corridor spec is the only place chain names and currencies are declared: outside src/spec/
 * (the spec and its presets) and the tests, no source file (src/, scripts/, bin/, the Hardhat
 * config) names a preset chain or currency. Adding a preset
 * extends this check by itself.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { packagePath } from "../../src/paths.js";
import { PRESET_CHAINS, PRESET_CURRENCIES } from "../../src/spec/presets.js";

const ROOT = packagePath();
/** Every source file: src/ (but the spec), scripts/, bin/ and the Hardhat config. */
const SOURCES = () => [...files(packagePath("src")), ...files(packagePath("scripts")), ...files(packagePath("bin")), packagePath("hardhat.config.ts")];
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js|mjs|html|css)$/.test(f) ? [p] : [];
  });

const chains = Object.keys(PRESET_CHAINS);
const currencies = Object.keys(PRESET_CURRENCIES);
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1).toLowerCase();
const patterns: { what: string; re: RegExp }[] = [
  { what: "a chain name in quotes", re: new RegExp(`["'\`](${chains.join("|")})["'\`]`) },
  { what: "a chain name in a route key", re: new RegExp(`\\b(${chains.join("|")}):[A-Z]{3}\\b`) },
  { what: "a currency code", re: new RegExp(`\\b(${currencies.join("|")})\\b`) },
  { what: "a currency pair in a name", re: new RegExp(`(${currencies.map((c) => c.toLowerCase()).join("|")})Per(${currencies.map(cap).join("|")})`) },
];

describe("chain and currency names", () => {
  it("appear in the sources only in the spec and its presets", () => {
    const found: string[] = [];
    for (const file of SOURCES()) {
      const rel = relative(ROOT, file);
      if (rel.startsWith("src/spec/")) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          for (const p of patterns) if (p.re.test(line)) found.push(`${rel}:${i + 1}: ${p.what}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("the check itself sees a name where one is, in every kind of source", () => {
    const rels = SOURCES().map((f) => relative(ROOT, f));
    for (const f of ["src/sim/simulate.ts", "scripts/bench.ts", "hardhat.config.ts"]) expect(rels).toContain(f);
    expect(patterns.some((p) => p.re.test(`const home = "${chains[0]}";`))).toBe(true);
    expect(patterns.some((p) => p.re.test(`amount in ${currencies[1]}`))).toBe(true);
  });
});

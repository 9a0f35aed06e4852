import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { packagePath } from "../../src/paths.js";
import { toPacs008 } from "../../src/report/pacs008.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";

const dir = packagePath("scenarios");
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
/** Transfers and senders per run (a side): the document's shape is what is checked, not the volume. */
const TRANSFERS = 12;
const out = mkdtempSync(join(tmpdir(), "corridor-pacs008-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Each shipped scenario, run as shipped but for a dozen transfers (and senders), and its export. */
describe("the pacs.008 export of every shipped scenario", () => {
  it.each(files)("%s exports a document the official pacs.008.001.09 schema accepts", async (file) => {
    const raw = JSON.parse(readFileSync(join(dir, file), "utf8")) as { workload: { transfers: number; senders?: number } };
    const workload = { ...raw.workload, transfers: TRANSFERS, senders: Math.min(raw.workload.senders ?? TRANSFERS, TRANSFERS) };
    // The volume scenarios (high-volume, million) are about their day of traffic, which a dozen transfers are not: an hour of it.
    const volume = raw.workload.transfers > 10_000 ? { durationSeconds: 3600, bursts: [] } : {};
    const scenario = parseScenario({ ...raw, workload: { ...workload, ...volume } }, file);
    const results = await simulate({ scenario, scenarioDir: dir });
    const settled = results.transfers.filter((t) => t.state === "settled");
    expect(settled.length, "a run with nothing settled exports nothing").toBeGreaterThan(0);
    // toPacs008 resolves only with a document libxml2 found valid against the official XSD
    const xml = await toPacs008(results);
    const doc = new XMLParser({ parseTagValue: false, isArray: (name) => name === "CdtTrfTxInf" }).parse(xml) as {
      Document: { FIToFICstmrCdtTrf: { GrpHdr: { NbOfTxs: string }; CdtTrfTxInf: { RmtInf: { Ustrd: string | string[] } }[] } };
    };
    const body = doc.Document.FIToFICstmrCdtTrf;
    expect(body.GrpHdr.NbOfTxs).toBe(String(settled.length));
    expect(body.CdtTrfTxInf.map((tx) => [tx.RmtInf.Ustrd].flat()[0])).toEqual(settled.map((t) => `Corridor transfer ${t.id}`));
    if (file === "baseline.json") writeFileSync(join(out, "results.json"), JSON.stringify(results, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  });

  it("corridor export writes the baseline's document, and refuses a tampered results.json with libxml2's message", () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [packagePath("bin", "corridor.mjs"), ...args], { encoding: "utf8" });
    const results = join(out, "results.json");
    const good = cli("export", "--format", "pacs008", results, "--out", join(out, "good.xml"));
    expect(good.stderr).toBe("");
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^pacs\.008\.001\.09: .*good\.xml \(\d+ transactions, valid against the official ISO 20022 schema\)/);
    expect(readFileSync(join(out, "good.xml"), "utf8")).toContain('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09">');

    const tampered = readFileSync(results, "utf8").replace(/"currency":"GBP"/g, '"currency":"GBPX"');
    writeFileSync(join(out, "tampered.json"), tampered);
    const bad = cli("export", "--format", "pacs008", join(out, "tampered.json"), "--out", join(out, "bad.xml"));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error \[CORRIDOR_EXPORT_INVALID\]: the pacs\.008\.001\.09 document does not validate against the official ISO 20022 schema \(libxml2\):\nline \d+: Schemas validity error : Element '\{[^}]*\}(IntrBkSttlmAmt|InstdAmt)', attribute 'Ccy': \[facet 'pattern'\] The value 'GBPX' is not accepted by the pattern '\[A-Z\]\{3,3\}'/);
    expect(existsSync(join(out, "bad.xml"))).toBe(false);
  });
});


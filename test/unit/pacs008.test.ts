import { describe, expect, it } from "vitest";
import { isCorridorError } from "../../src/domain/errors.js";
import { base32FromHex, baseOneRate, toPacs008, truncateDecimal, uetrFromId, validatePacs008, type Pacs008Input } from "../../src/report/pacs008.js";
import { parseXml } from "../../src/report/xml.js";
import type { SimulationResults } from "../../src/sim/results.js";
import type { TransferOut } from "../../src/measure/transfer-out.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { transferOut } from "../helpers/transfer-out.js";

const T0 = Date.parse("2026-06-01T09:00:00Z") / 1000;
let next = 0;

function transfer(o: { corridor?: string; state?: string; amountIn?: string; fee?: string; amountOut?: string; rate?: string; settledAfter?: number; tier?: string }): TransferOut {
  const state = o.state ?? "settled";
  const settled = state === "settled";
  const n = ++next;
  const id = `0x${n.toString(16).padStart(2, "0")}${"c0ffee".repeat(10)}${"ab"}` as TransferOut["id"];
  const initiated = T0 + 12 * n;
  const t = transferOut(o.corridor, state);
  const sameCurrency = t.inputToken.currency === t.outputToken.currency;
  return {
    ...t,
    id,
    index: n,
    sender: "0x0a30C97A6e9D55C7A79A3ad56f50849a97727A57",
    recipient: "0xbF7271eE7b96DB89EBa95af018c6a94618c9384d",
    tier: o.tier ?? "standard",
    amountIn: o.amountIn ?? "801.51",
    fee: o.fee ?? "0.500755",
    amountOut: settled ? (o.amountOut ?? "599.857434") : null,
    feePct: 0.06,
    rate: settled ? (o.rate ?? (sameCurrency ? "1" : "0.748877042841586502")) : null,
    mid: settled ? "0.7496266695110976" : null,
    stages: settled ? { initiated, confirmed: initiated + 768, settled: initiated + (o.settledAfter ?? 780) } : { initiated, refunded: initiated + 800 },
    settlementSeconds: settled ? (o.settledAfter ?? 780) : null,
    srcTxHash: id,
  };
}

function results(transfers: TransferOut[]): Pacs008Input {
  const scenario = parseScenario({
    name: "pacs",
    seed: 42,
    startTime: "2026-06-01T09:00:00Z",
    chains: { us: {}, uk: {} },
    liquidity: { us: "1000", uk: "1000" },
    workload: { transfers: transfers.length, durationSeconds: 60, mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }] },
  });
  return {
    scenario,
    seed: 42,
    summary: { virtualSeconds: 3132 } as SimulationResults["summary"],
    deployment: { chains: { us: { chainId: 31001 }, uk: { chainId: 31002 } } } as unknown as SimulationResults["deployment"],
    transfers,
  };
}

const settledCross = transfer({});
const settledSame = transfer({ corridor: "uk:GBP->us:GBP", amountIn: "127.64", fee: "0.16382", amountOut: "127.47618", tier: "fast", settledAfter: 24 });
const refunded = transfer({ state: "refunded" });
const run = results([settledCross, refunded, settledSame]);
const xml = toPacs008(run);

/** The n-th (1-based) CdtTrfTxInf element's text. */
const txBlock = (doc: string, n: number) => doc.split("<CdtTrfTxInf>")[n]!.split("</CdtTrfTxInf>")[0]!;
const text = (block: string, tag: string) => new RegExp(`<${tag}(?: [^>]*)?>([^<]*)</${tag}>`).exec(block)?.[1];

describe("pacs.008 export", () => {
  it("writes a document that passes its own structural validation", () => {
    const v = validatePacs008(xml);
    expect(v.errors).toEqual([]);
    expect(v.ok).toBe(true);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">')).toBe(true);
  });

  it("includes settled transfers only, in order, and counts them in NbOfTxs", () => {
    expect(text(xml, "NbOfTxs")).toBe("2");
    expect(xml.split("<CdtTrfTxInf>")).toHaveLength(3);
    expect(xml).toContain(`Corridor transfer ${settledCross.id}`);
    expect(xml).toContain(`Corridor transfer ${settledSame.id}`);
    expect(xml).not.toContain(refunded.id.slice(0, 35));
  });

  it("stamps the group header with the run's virtual end time, not the wall clock", () => {
    // 09:00:00 + 3132 s of simulated time
    expect(text(xml, "CreDtTm")).toBe("2026-06-01T09:52:12+00:00");
    expect(text(xml, "MsgId")).toBe("CORRIDOR-42-20260601095212");
    expect(text(xml, "SttlmMtd")).toBe("CLRG");
    expect(toPacs008(run)).toBe(xml);
  });

  it("maps a cross-currency transfer field by field", () => {
    const tx = txBlock(xml, 1);
    expect(text(tx, "EndToEndId")).toBe(settledCross.id.slice(0, 35));
    expect(text(tx, "EndToEndId")).toHaveLength(35);
    expect(text(tx, "UETR")).toMatch(/^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/);
    expect(tx).toContain('<IntrBkSttlmAmt Ccy="GBP">599.85743</IntrBkSttlmAmt>');
    expect(tx).toContain('<InstdAmt Ccy="USD">801.51</InstdAmt>');
    expect(text(tx, "XchgRate")).toBe("0.7488770428");
    expect(text(tx, "IntrBkSttlmDt")).toBe("2026-06-01");
    expect(text(tx, "CdtDtTm")).toBe("2026-06-01T09:13:12+00:00");
    expect(text(tx, "ChrgBr")).toBe("DEBT");
    expect(tx).toContain('<Amt Ccy="USD">0.50075</Amt>');
    expect(tx).toContain("<Id>eip155:31001</Id>");
    expect(tx).toContain("<Id>eip155:31002</Id>");
    expect(tx).toContain(`<Id>${settledCross.sender}</Id>`);
    expect(tx).toContain("<Prtry>ETH</Prtry>");
    expect(tx).toContain(`<Id>${base32FromHex(settledCross.sender)}</Id>`);
    // truncated to 5 fraction digits, so the exact amounts go along as remittance text
    expect(tx).toContain("<Ustrd>Exact amounts: sent 801.51 USD, fee 0.500755 USD, paid 599.857434 GBP</Ustrd>");
  });

  it("gives each party and agent the country of its chain's jurisdiction in the spec", () => {
    const tx = txBlock(xml, 1); // us -> uk
    const dbtr = tx.split("<Dbtr>")[1]!.split("</Dbtr>")[0]!;
    const cdtr = tx.split("<Cdtr>")[1]!.split("</Cdtr>")[0]!;
    expect(text(dbtr, "CtryOfRes")).toBe(run.scenario.spec.jurisdictions.US!.country);
    expect(text(cdtr, "CtryOfRes")).toBe("GB");
    expect(tx.split("<DbtrAgt>")[1]!.split("</DbtrAgt>")[0]).toContain("<Ctry>US</Ctry>");
    expect(tx.split("<CdtrAgt>")[1]!.split("</CdtrAgt>")[0]).toContain("<Ctry>GB</Ctry>");
    // a third chain: its jurisdiction's country (the EU preset's)
    const three = results([transfer({ corridor: "eu:EUR->uk:GBP" })]);
    const scenario = parseScenario({ ...JSON.parse(JSON.stringify({ name: "three", seed: 42, startTime: "2026-06-01T09:00:00Z" })), chains: { us: {}, uk: {}, eu: {} }, liquidity: { us: "1", uk: "1", eu: "1" }, workload: { transfers: 1, durationSeconds: 60, mix: [{ from: "eu", to: "uk", input: "EUR", output: "GBP", weight: 1 }] } });
    const doc = toPacs008({ ...three, scenario });
    expect(validatePacs008(doc).errors).toEqual([]);
    expect(text(txBlock(doc, 1).split("<Dbtr>")[1]!, "CtryOfRes")).toBe(scenario.spec.jurisdictions.EU!.country);
  });

  it("leaves out the exchange rate for a same-currency transfer", () => {
    const tx = txBlock(xml, 2);
    expect(tx).not.toContain("<XchgRate>");
    expect(tx).toContain('<IntrBkSttlmAmt Ccy="GBP">127.47618</IntrBkSttlmAmt>');
    expect(tx).toContain("<Prtry>FAST</Prtry>");
    expect(tx).toContain("<Prtry>BURN-AND-MINT</Prtry>");
    expect(tx).not.toContain("Exact amounts");
  });

  it("escapes text it writes", () => {
    const doc = toPacs008(run, { msgId: "A&B<C>" });
    expect(doc).toContain("<MsgId>A&amp;B&lt;C&gt;</MsgId>");
    expect(validatePacs008(doc).ok).toBe(true);
    expect(parseXml(doc).children[0]!.children[0]!.children[0]!.text).toBe("A&B<C>");
  });

  it("refuses to write a message without a settled transfer", () => {
    try {
      toPacs008(results([refunded]));
      expect.unreachable();
    } catch (e) {
      expect(isCorridorError(e, "CORRIDOR_EXPORT_EMPTY")).toBe(true);
    }
  });
});

describe("pacs.008 validation", () => {
  const expectError = (doc: string, pattern: RegExp) => {
    const v = validatePacs008(doc);
    expect(v.ok).toBe(false);
    expect(v.errors.some((e) => pattern.test(e)), v.errors.join("\n")).toBe(true);
  };

  it("reports a missing required element with its path", () => {
    const doc = xml.replace(/\s*<ChrgBr>DEBT<\/ChrgBr>/, "");
    expectError(doc, /^Document\/FIToFICstmrCdtTrf\/CdtTrfTxInf\[1\]: missing required element <ChrgBr>$/);
  });

  it("reports elements out of the schema's order", () => {
    const doc = xml.replace(/(<XchgRate>[^<]*<\/XchgRate>)(\s*)(<ChrgBr>DEBT<\/ChrgBr>)/, "$3$2$1");
    expectError(doc, /CdtTrfTxInf\[1\]: <XchgRate> is out of order: in CdtTrfTxInf it must come before <ChrgBr>/);
    const dbtrLast = xml.replace(/(\s*<Dbtr>[\s\S]*?<\/Dbtr>)([\s\S]*?)(\s*<RmtInf>)/, "$2$1$3");
    expectError(dbtrLast, /<Dbtr> is out of order/);
  });

  it("reports a bad currency code", () => {
    expectError(xml.replace('Ccy="GBP"', 'Ccy="GB"'), /IntrBkSttlmAmt: Ccy="GB" is not a 3-letter currency code/);
    expectError(xml.replace('Ccy="USD"', 'Ccy="usd"'), /Ccy="usd" is not a 3-letter currency code/);
    expectError(xml.replace(' Ccy="USD"', ""), /InstdAmt: missing the Ccy attribute/);
  });

  it("reports amounts with more than 5 fraction digits, and other simple-type limits", () => {
    expectError(xml.replace("599.85743<", "599.857434<"), /IntrBkSttlmAmt: "599.857434" has 6 fraction digits; at most 5 are allowed/);
    expectError(xml.replace("801.51<", "-801.51<"), /InstdAmt: "-801.51" is not a non-negative decimal number/);
    expectError(xml.replace(/<EndToEndId>([^<]*)</, "<EndToEndId>$1X<"), /EndToEndId: .* is 36 characters long; the limit is 35/);
    expectError(xml.replace("<IntrBkSttlmDt>2026-06-01<", "<IntrBkSttlmDt>2026-02-30<"), /IntrBkSttlmDt: "2026-02-30" is not a calendar date/);
    expectError(xml.replace(/<CreDtTm>[^<]*</, "<CreDtTm>June 1st<"), /CreDtTm: "June 1st" is not an ISO date-time/);
    expectError(xml.replace("<ChrgBr>DEBT<", "<ChrgBr>OURS<"), /ChrgBr: "OURS" must be one of DEBT, CRED, SHAR, SLEV/);
    expectError(xml.replace("0.7488770428", "0.74887704284"), /XchgRate: .* has 11 fraction digits; at most 10/);
  });

  it("checks NbOfTxs against the transactions", () => {
    expectError(xml.replace("<NbOfTxs>2<", "<NbOfTxs>3<"), /NbOfTxs: says 3 but the message holds 2 CdtTrfTxInf/);
  });

  it("checks the namespace, unknown elements and that the account forms agree", () => {
    expectError(xml.replace("pacs.008.001.08", "pacs.008.001.02"), /namespace is "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.02"/);
    expectError(xml.replace("<ChrgBr>", "<Foo>x</Foo><ChrgBr>"), /unexpected element <Foo> in CdtTrfTxInf/);
    expectError(xml.replace(base32FromHex(settledCross.recipient), "A".repeat(32)), /CdtrAcct: Id\/Othr\/Id A+ is not the base32 form/);
  });

  it("rejects XML that is not well formed, naming the line", () => {
    expectError(xml.replace("</MsgId>", "</MsgID>"), /^not well-formed XML: line 5, column \d+: end tag <\/MsgID> does not match <MsgId>/);
    expectError(xml.replace("CORRIDOR-42", "CORRIDOR&42"), /not well-formed XML: .*"&" must start an entity/);
    expectError('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Document/>', /DOCTYPE declarations are not accepted/);
  });
});

describe("pacs.008 value formats", () => {
  it("truncates amounts toward zero to the allowed fraction digits", () => {
    expect(truncateDecimal("599.857434", 5)).toEqual({ text: "599.85743", exact: false });
    expect(truncateDecimal("801.510", 5)).toEqual({ text: "801.51", exact: true });
    expect(truncateDecimal("12.000009", 5)).toEqual({ text: "12", exact: false });
    expect(baseOneRate("1.333911111111111111")).toBe("1.3339111111");
    expect(baseOneRate("12345.6789012345")).toBe("12345.678901");
  });

  it("derives a UUIDv4 UETR and a lossless base32 account id", () => {
    expect(uetrFromId("0xf45395595b00da5fd1e5b255d3fe847618ba7e9b")).toBe("f4539559-5b00-4a5f-91e5-b255d3fe8476");
    expect(base32FromHex("0x0a30C97A6e9D55C7A79A3ad56f50849a97727A57")).toHaveLength(32);
    expect(base32FromHex("0x666f6f626172")).toBe("MZXW6YTBOI"); // RFC 4648 test vector "foobar"
  });
});

import { describe, expect, it } from "vitest";
import { XMLParser } from "fast-xml-parser";
import { CorridorError, isCorridorError } from "../../src/domain/errors.js";
import { assertValidIso20022 } from "../../src/report/iso20022.js";
import { base32FromHex, baseOneRate, PACS008_MESSAGE, toPacs008, truncateDecimal, uetrFromId, type Pacs008Input } from "../../src/report/pacs008.js";
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
const xml = await toPacs008(run);

/** The n-th (1-based) CdtTrfTxInf element's text. */
const txBlock = (doc: string, n: number) => doc.split("<CdtTrfTxInf>")[n]!.split("</CdtTrfTxInf>")[0]!;
const text = (block: string, tag: string) => new RegExp(`<${tag}(?: [^>]*)?>([^<]*)</${tag}>`).exec(block)?.[1];

/** The CorridorError a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<CorridorError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof CorridorError)) throw new Error(`expected a CorridorError, got ${String(e)}`);
  return e;
}

describe("pacs.008 export", () => {
  it("writes a pacs.008.001.09 document that the official schema accepts", async () => {
    expect(PACS008_MESSAGE).toBe("pacs.008.001.09");
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09">')).toBe(true);
    await expect(assertValidIso20022(xml, PACS008_MESSAGE)).resolves.toBeUndefined();
  });

  it("includes settled transfers only, in order, and counts them in NbOfTxs", () => {
    expect(text(xml, "NbOfTxs")).toBe("2");
    expect(xml.split("<CdtTrfTxInf>")).toHaveLength(3);
    expect(xml).toContain(`Corridor transfer ${settledCross.id}`);
    expect(xml).toContain(`Corridor transfer ${settledSame.id}`);
    expect(xml).not.toContain(refunded.id.slice(0, 35));
  });

  it("stamps the group header with the run's virtual end time, not the wall clock", async () => {
    // 09:00:00 + 3132 s of simulated time
    expect(text(xml, "CreDtTm")).toBe("2026-06-01T09:52:12+00:00");
    expect(text(xml, "MsgId")).toBe("CORRIDOR-42-20260601095212");
    expect(text(xml, "SttlmMtd")).toBe("CLRG");
    expect(await toPacs008(run)).toBe(xml);
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

  it("gives each party and agent the country of its chain's jurisdiction in the spec", async () => {
    const tx = txBlock(xml, 1); // us -> uk
    const dbtr = tx.split("<Dbtr>")[1]!.split("</Dbtr>")[0]!;
    const cdtr = tx.split("<Cdtr>")[1]!.split("</Cdtr>")[0]!;
    expect(text(dbtr, "CtryOfRes")).toBe(run.scenario.spec.jurisdictions.US!.country);
    expect(text(cdtr, "CtryOfRes")).toBe("GB");
    expect(tx.split("<DbtrAgt>")[1]!.split("</DbtrAgt>")[0]).toContain("<Ctry>US</Ctry>");
    expect(tx.split("<CdtrAgt>")[1]!.split("</CdtrAgt>")[0]).toContain("<Ctry>GB</Ctry>");
    // a third chain: its jurisdiction's country (the EU preset's)
    const three = results([transfer({ corridor: "eu:EUR->uk:GBP" })]);
    const scenario = parseScenario({ name: "three", seed: 42, startTime: "2026-06-01T09:00:00Z", chains: { us: {}, uk: {}, eu: {} }, liquidity: { us: "1", uk: "1", eu: "1" }, workload: { transfers: 1, durationSeconds: 60, mix: [{ from: "eu", to: "uk", input: "EUR", output: "GBP", weight: 1 }] } });
    const doc = await toPacs008({ ...three, scenario });
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

  it("escapes text it writes, and a parser reads it back", async () => {
    const doc = await toPacs008(run, { msgId: "A&B<C>'\"" });
    expect(doc).toContain("<MsgId>A&amp;B&lt;C&gt;&apos;&quot;</MsgId>");
    const parsed = new XMLParser({ parseTagValue: false }).parse(doc) as { Document: { FIToFICstmrCdtTrf: { GrpHdr: { MsgId: string } } } };
    expect(parsed.Document.FIToFICstmrCdtTrf.GrpHdr.MsgId).toBe("A&B<C>'\"");
  });

  it("refuses to write a message without a settled transfer", async () => {
    expect(isCorridorError(await rejection(toPacs008(results([refunded]))), "CORRIDOR_EXPORT_EMPTY")).toBe(true);
  });

  it("refuses to write a document the official schema rejects, with libxml2's message", async () => {
    // results.json comes from anywhere: a lowercase currency code passes its shape check but not the schema
    const t = transfer({});
    const e = await rejection(toPacs008(results([{ ...t, outputToken: { ...t.outputToken, currency: "gbp" } }])));
    expect(e.code).toBe("CORRIDOR_EXPORT_INVALID");
    expect(e.message).toContain("does not validate against the official ISO 20022 schema (libxml2)");
    expect(e.message).toMatch(/line \d+: Schemas validity error : Element '\{urn:iso:std:iso:20022:tech:xsd:pacs\.008\.001\.09\}IntrBkSttlmAmt', attribute 'Ccy': \[facet 'pattern'\] The value 'gbp' is not accepted by the pattern '\[A-Z\]\{3,3\}'/);
    // a message id longer than Max35Text
    const long = await rejection(toPacs008(run, { msgId: "M".repeat(36) }));
    expect(long.message).toMatch(/MsgId': \[facet 'maxLength'\] The value has a length of '36'; this exceeds the allowed maximum length of '35'/);
    // a control character makes the document ill-formed; libxml2's parser says where, and the message shows it escaped
    const esc = await rejection(toPacs008(results([{ ...t, sender: `0x0a30C97A6e9D55C7A79A3ad56f50849a97727A5\u001b` as TransferOut["sender"] }])));
    expect(esc.message).toMatch(/line \d+: parser error : .*\n.*<Nm>0x0a30C97A6e9D55C7A79A3ad56f50849a97727A5\\u001b/);
    expect(esc.message).not.toContain("\u001b");
  });
});

describe("pacs.008 validation against the official schema (libxml2)", () => {
  const rejects = async (doc: string, pattern: RegExp) => {
    const e = await rejection(assertValidIso20022(doc, PACS008_MESSAGE));
    expect(e.code).toBe("CORRIDOR_EXPORT_INVALID");
    expect(e.message).toMatch(pattern);
    expect((e.details.errors as string[]).length).toBeGreaterThan(0);
  };

  it("rejects a transaction without IntrBkSttlmAmt, naming the element expected", async () => {
    await rejects(xml.replace(/\s*<IntrBkSttlmAmt [^>]*>[^<]*<\/IntrBkSttlmAmt>/, ""), /Element '\{[^}]*\}IntrBkSttlmDt': This element is not expected\. Expected is .*IntrBkSttlmAmt/);
  });

  it("rejects a bad currency code", async () => {
    await rejects(xml.replace('Ccy="GBP"', 'Ccy="GB"'), /attribute 'Ccy': \[facet 'pattern'\] The value 'GB' is not accepted by the pattern '\[A-Z\]\{3,3\}'/);
  });

  it("rejects a 36-character MsgId", async () => {
    await rejects(xml.replace(/<MsgId>[^<]*</, `<MsgId>${"X".repeat(36)}<`), /line 5: Schemas validity error : Element '\{[^}]*\}MsgId': \[facet 'maxLength'\] The value has a length of '36'; this exceeds the allowed maximum length of '35'/);
  });

  it("rejects amounts with too many fraction digits, bad dates and codes", async () => {
    await rejects(xml.replace("599.85743<", "599.857434<"), /IntrBkSttlmAmt.*\[facet 'fractionDigits'\] The value '599.857434' has more fractional digits than are allowed \('5'\)/);
    await rejects(xml.replace("<IntrBkSttlmDt>2026-06-01<", "<IntrBkSttlmDt>2026-02-30<"), /IntrBkSttlmDt.*'2026-02-30' is not a valid value of the atomic type '\{[^}]*\}ISODate'/);
    await rejects(xml.replace("<ChrgBr>DEBT<", "<ChrgBr>OURS<"), /ChrgBr.*\[facet 'enumeration'\] The value 'OURS' is not an element of the set \{'DEBT', 'CRED', 'SHAR', 'SLEV'\}/);
  });

  it("rejects elements out of the schema's order and another namespace", async () => {
    await rejects(xml.replace(/(<XchgRate>[^<]*<\/XchgRate>)(\s*)(<ChrgBr>DEBT<\/ChrgBr>)/, "$3$2$1"), /Element '\{[^}]*\}XchgRate': This element is not expected/);
    await rejects(xml.replace("pacs.008.001.09", "pacs.008.001.08"), /No matching global declaration available for the validation root/);
  });

  it("rejects XML that is not well formed, naming the line", async () => {
    await rejects(xml.replace("</MsgId>", "</MsgID>"), /line 5: parser error : Opening and ending tag mismatch: MsgId line 5 and MsgID/);
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

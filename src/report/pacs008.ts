/**
 * Settled corridor transfers as an ISO 20022 pacs.008.001.08 message (FI to FI customer credit
 * transfer), so that payment people can read a run in the format their systems speak, and
 * `validatePacs008` to check such a document's structure.
 *
 * Mapping (one CdtTrfTxInf per settled transfer, in the order of results.json):
 *   GrpHdr/MsgId            "CORRIDOR-<seed>-<virtual end, yyyymmddhhmmss>" (or opts.msgId)
 *   GrpHdr/CreDtTm          the run's virtual end time (scenario start + simulated seconds,
 *                           or the last recorded stage if later), never the wall clock
 *   GrpHdr/SttlmInf         SttlmMtd CLRG, ClrSys/Prtry CORRIDOR
 *   PmtId/EndToEndId        the first 35 characters of the transfer id ("0x" + 33 hex digits)
 *   PmtId/UETR              a UUIDv4 made from the id's first 128 bits (version and variant bits set)
 *   RmtInf/Ustrd[1]         "Corridor transfer 0x<64 hex>": the full id, which fits no id field
 *   PmtTpInf                SvcLvl/Prtry STANDARD|FAST (tier), LclInstrm/Prtry BURN-AND-MINT|LOCK-AND-RELEASE
 *   IntrBkSttlmAmt          amountOut in the output currency
 *   IntrBkSttlmDt           UTC date of stages.settled
 *   SttlmTmIndctn           DbtDtTm = stages.initiated, CdtDtTm = stages.settled (block times)
 *   InstdAmt                amountIn in the input currency (the fee is inside it)
 *   XchgRate                the rate paid (output per input), cross-currency transfers only
 *   ChrgBr DEBT, ChrgsInf   the corridor fee in the input currency, taken by the debtor agent
 *   Dbtr/Nm, Cdtr/Nm        the sender's and recipient's addresses
 *   Dbtr/CtryOfRes,         the country of the source (debtor) and destination (creditor) chain's
 *   Cdtr/CtryOfRes          jurisdiction in the corridor spec (`jurisdictions[id].country`)
 *   DbtrAcct, CdtrAcct      Prxy (Tp/Prtry "ETH", Id = the address), and the mandatory
 *                           Id/Othr/Id = the address's 20 bytes in RFC 4648 base32 (32 characters),
 *                           SchmeNm/Prtry "ETH-ADDR-BASE32", Issr = the chain (eip155:<chainId>)
 *   DbtrAgt, CdtrAgt        FinInstnId/Nm "Corridor gateway, <chain> chain", PstlAdr/Ctry the
 *                           chain's jurisdiction's country (as above), Othr/Id
 *                           "eip155:<chainId>" (CAIP-2) with SchmeNm/Prtry "CAIP-2"
 *
 * Choices forced by the schema:
 * - The transfer id is 66 characters; every id field is Max35Text and UETR is a 128-bit UUID, so no
 *   field can hold it whole. EndToEndId carries a truncated form (132 bits, unique in practice), the
 *   UETR a derived one, and the remittance information the full id.
 * - An address is 42 characters; account Othr/Id is Max34Text and party Othr/Id Max35Text. The
 *   address goes whole into Prxy/Id (Max2048Text) and Nm, and losslessly in base32 into Othr/Id.
 * - Amounts allow at most 5 fraction digits; tokens have 6. Amounts are truncated (rounded toward
 *   zero, as everywhere in Corridor's money code) and, where that changes one, the exact amounts
 *   are given in a second RmtInf/Ustrd line.
 * - XchgRate (BaseOneRate) allows 10 fraction digits and 11 digits in all; the 18-decimal rate is
 *   truncated to fit.
 */
import { CorridorError } from "../domain/errors.js";
import type { SimulationResults } from "../sim/results.js";
import type { TransferOut } from "../measure/transfer-out.js";
import { escapeXml } from "./escape.js";
import { virtualEndSeconds } from "./measures.js";
import { PACS008_NAMESPACE, validatePacs008Tree } from "./pacs008-schema.js";
import { specOfScenario } from "./spec.js";
import { parseXml, XmlSyntaxError } from "./xml.js";

export { PACS008_NAMESPACE } from "./pacs008-schema.js";

export interface Pacs008Options {
  /** GrpHdr/MsgId (Max35Text); default derived from the seed and the virtual end time. */
  msgId?: string;
  /** GrpHdr/CreDtTm as unix seconds; default the run's virtual end time. */
  createdAt?: number;
}

export type Pacs008Input = Pick<SimulationResults, "scenario" | "seed" | "summary" | "transfers"> & { deployment?: SimulationResults["deployment"] };

// ---------------------------------------------------------------- value formats

/** Unix seconds as an ISO date-time with an explicit UTC offset (as CBPR+ asks). */
export function isoDateTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

/** Unix seconds as the UTC calendar date. */
export function isoDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** A decimal string truncated to `places` fraction digits (trailing zeros dropped); `exact` tells whether nothing was cut. */
export function truncateDecimal(value: string, places: number): { text: string; exact: boolean } {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new CorridorError("CORRIDOR_EXPORT_INVALID", `not a non-negative decimal amount: "${value}"`, { value });
  const int = m[1]!.replace(/^0+(?=\d)/, "");
  const frac = (m[2] ?? "").replace(/0+$/, "");
  const kept = frac.slice(0, places).replace(/0+$/, "");
  return { text: kept ? `${int}.${kept}` : int, exact: kept === frac };
}

/** A rate as BaseOneRate: at most 11 digits, at most 10 of them after the point (truncated). */
export function baseOneRate(rate: string): string {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!m) throw new CorridorError("CORRIDOR_EXPORT_INVALID", `not a rate: "${rate}"`, { rate });
  const int = m[1]!.replace(/^0+(?=\d)/, "");
  const intDigits = int === "0" ? 0 : int.length;
  if (intDigits > 11) throw new CorridorError("CORRIDOR_EXPORT_INVALID", `rate ${rate} has more than 11 integer digits`, { rate });
  return truncateDecimal(rate, Math.min(10, 11 - intDigits)).text;
}

/** A UUIDv4-shaped UETR from the first 128 bits of a 0x hex id (version nibble 4, variant 10xx). */
export function uetrFromId(id: string): string {
  const hex = id.replace(/^0x/, "").toLowerCase().padEnd(32, "0").slice(0, 32);
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = `${hex.slice(0, 12)}4${hex.slice(13, 16)}${variant}${hex.slice(17)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 (no padding) of a 0x hex string: a 20-byte address gives 32 characters. */
export function base32FromHex(hex: string): string {
  const bytes = hex.replace(/^0x/, "").match(/../g)?.map((b) => parseInt(b, 16)) ?? [];
  let bits = 0;
  let acc = 0;
  let out = "";
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

// ---------------------------------------------------------------- a tiny XML builder

type Node = { name: string; attrs?: Record<string, string>; children: Node[] | string };
const el = (name: string, children: Node[] | string, attrs?: Record<string, string>): Node => ({ name, children, ...(attrs ? { attrs } : {}) });

function serialize(node: Node, depth: number, out: string[]): void {
  const pad = "  ".repeat(depth);
  const attrs = Object.entries(node.attrs ?? {})
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join("");
  if (typeof node.children === "string") {
    out.push(`${pad}<${node.name}${attrs}>${escapeXml(node.children)}</${node.name}>`);
    return;
  }
  out.push(`${pad}<${node.name}${attrs}>`);
  for (const c of node.children) serialize(c, depth + 1, out);
  out.push(`${pad}</${node.name}>`);
}

// ---------------------------------------------------------------- the message

const TIER_CODE: Record<string, string> = { standard: "STANDARD", fast: "FAST" };
const MODE_CODE: Record<string, string> = { burnMint: "BURN-AND-MINT", lockRelease: "LOCK-AND-RELEASE" };

/** The settled transfers of a run as a pacs.008.001.08 document. Throws CORRIDOR_EXPORT_EMPTY when none settled. */
export function toPacs008(results: Pacs008Input, opts: Pacs008Options = {}): string {
  const settled = results.transfers.filter((t) => t.state === "settled" && t.amountOut !== null && t.stages.settled !== undefined);
  if (settled.length === 0) {
    throw new CorridorError("CORRIDOR_EXPORT_EMPTY", "no settled transfers to export: pacs.008 needs at least one credit transfer", { transfers: results.transfers.length });
  }
  const created = opts.createdAt ?? virtualEndSeconds(results);
  const stamp = new Date(created * 1000).toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const msgId = opts.msgId ?? `CORRIDOR-${results.seed}-${stamp}`.slice(0, 35);

  const spec = specOfScenario(results.scenario);
  /** The ISO 3166 country of the chain's jurisdiction in the spec, if the spec knows the chain. */
  const countryOf = (chain: string): string | undefined => {
    const c = spec.chains[chain];
    return c ? spec.jurisdictions[c.jurisdiction]?.country : undefined;
  };
  const chainRef = (chain: string) => {
    const id = results.deployment?.chains?.[chain]?.chainId;
    return id !== undefined ? `eip155:${id}` : `corridor:${chain}`.slice(0, 35);
  };
  const agent = (chain: string): Node[] => [
    el("FinInstnId", [
      el("Nm", `Corridor gateway, ${chain} chain`),
      ...(countryOf(chain) ? [el("PstlAdr", [el("Ctry", countryOf(chain)!)])] : []),
      el("Othr", [el("Id", chainRef(chain)), el("SchmeNm", [el("Prtry", chainRef(chain).startsWith("eip155:") ? "CAIP-2" : "CORRIDOR-CHAIN")])]),
    ]),
  ];
  const party = (address: string, chain: string): Node[] => [el("Nm", address), ...(countryOf(chain) ? [el("CtryOfRes", countryOf(chain)!)] : [])];
  const account = (address: string, chain: string): Node[] => [
    el("Id", [el("Othr", [el("Id", base32FromHex(address)), el("SchmeNm", [el("Prtry", "ETH-ADDR-BASE32")]), el("Issr", chainRef(chain))])]),
    el("Prxy", [el("Tp", [el("Prtry", "ETH")]), el("Id", address)]),
  ];

  const tx = (t: TransferOut): Node => {
    const out = truncateDecimal(t.amountOut!, 5);
    const instd = truncateDecimal(t.amountIn, 5);
    const fee = truncateDecimal(t.fee, 5);
    const cross = t.inputToken.currency !== t.outputToken.currency && t.rate !== null;
    const remittance = [el("Ustrd", `Corridor transfer ${t.id}`)];
    if (!out.exact || !instd.exact || !fee.exact) {
      remittance.push(el("Ustrd", `Exact amounts: sent ${t.amountIn} ${t.inputToken.currency}, fee ${t.fee} ${t.inputToken.currency}, paid ${t.amountOut} ${t.outputToken.currency}`));
    }
    return el("CdtTrfTxInf", [
      el("PmtId", [el("EndToEndId", t.id.slice(0, 35)), el("UETR", uetrFromId(t.id))]),
      el("PmtTpInf", [el("SvcLvl", [el("Prtry", TIER_CODE[t.tier] ?? t.tier.toUpperCase())]), el("LclInstrm", [el("Prtry", MODE_CODE[t.mode] ?? t.mode)])]),
      el("IntrBkSttlmAmt", out.text, { Ccy: t.outputToken.currency }),
      el("IntrBkSttlmDt", isoDate(t.stages.settled!)),
      el("SttlmTmIndctn", [
        ...(t.stages.initiated !== undefined ? [el("DbtDtTm", isoDateTime(t.stages.initiated))] : []),
        el("CdtDtTm", isoDateTime(t.stages.settled!)),
      ]),
      el("InstdAmt", instd.text, { Ccy: t.inputToken.currency }),
      ...(cross ? [el("XchgRate", baseOneRate(t.rate!))] : []),
      el("ChrgBr", "DEBT"),
      el("ChrgsInf", [el("Amt", fee.text, { Ccy: t.inputToken.currency }), el("Agt", agent(t.srcChain))]),
      el("Dbtr", party(t.sender, t.srcChain)),
      el("DbtrAcct", account(t.sender, t.srcChain)),
      el("DbtrAgt", agent(t.srcChain)),
      el("CdtrAgt", agent(t.dstChain)),
      el("Cdtr", party(t.recipient, t.dstChain)),
      el("CdtrAcct", account(t.recipient, t.dstChain)),
      el("RmtInf", remittance),
    ]);
  };

  const doc = el(
    "Document",
    [
      el("FIToFICstmrCdtTrf", [
        el("GrpHdr", [
          el("MsgId", msgId),
          el("CreDtTm", isoDateTime(created)),
          el("NbOfTxs", String(settled.length)),
          el("SttlmInf", [el("SttlmMtd", "CLRG"), el("ClrSys", [el("Prtry", "CORRIDOR")])]),
        ]),
        ...settled.map(tx),
      ]),
    ],
    { xmlns: PACS008_NAMESPACE },
  );
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  serialize(doc, 0, lines);
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------- validation

/**
 * Checks a pacs.008.001.08 document: well-formed XML (strict parser), the namespace, required
 * elements, element order (CdtTrfTxInf in the schema's full order), occurrence limits, text
 * lengths (Max35Text...), ISO dates and date-times, amounts (at most 5 fraction digits, 18 digits,
 * Ccy of 3 capital letters), BaseOneRate, codes, UETR, and NbOfTxs against the transactions.
 * Also checks that an account's base32 Othr/Id and its ETH proxy name the same address.
 */
export function validatePacs008(xml: string): { ok: boolean; errors: string[] } {
  let root;
  try {
    root = parseXml(xml);
  } catch (e) {
    if (e instanceof XmlSyntaxError) return { ok: false, errors: [`not well-formed XML: ${e.message}`] };
    throw e;
  }
  const errors = validatePacs008Tree(root);
  const body = root.children.find((c) => c.local === "FIToFICstmrCdtTrf");
  (body?.children.filter((c) => c.local === "CdtTrfTxInf") ?? []).forEach((tx, i) => {
    for (const role of ["DbtrAcct", "CdtrAcct"]) {
      const acct = tx.children.find((c) => c.local === role);
      const othr = acct?.children.find((c) => c.local === "Id")?.children.find((c) => c.local === "Othr");
      const scheme = othr?.children.find((c) => c.local === "SchmeNm")?.children.find((c) => c.local === "Prtry")?.text;
      const proxy = acct?.children.find((c) => c.local === "Prxy")?.children.find((c) => c.local === "Id")?.text;
      const id = othr?.children.find((c) => c.local === "Id")?.text;
      if (scheme === "ETH-ADDR-BASE32" && proxy !== undefined && id !== undefined && /^0x[0-9a-fA-F]{40}$/.test(proxy) && base32FromHex(proxy) !== id) {
        errors.push(`Document/FIToFICstmrCdtTrf/CdtTrfTxInf[${i + 1}]/${role}: Id/Othr/Id ${id} is not the base32 form of the proxy address ${proxy}`);
      }
    }
  });
  return { ok: errors.length === 0, errors };
}

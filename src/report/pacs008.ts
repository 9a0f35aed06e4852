/**
 * Settled corridor transfers as an ISO 20022 pacs.008.001.09 message (FI to FI customer credit
 * transfer), so that payment people can read a run in the format their systems speak. Built with
 * fast-xml-parser's XMLBuilder and checked by libxml2 against the official pacs.008.001.09 XSD
 * (iso20022.ts) before it is returned: a document the schema rejects is never written.
 *
 * Why .09 and not .08: SWIFT's CBPR+ uses pacs.008.001.08, but no official copy of its XSD could
 * be shipped; .09 is the nearest official schema at hand (data/README.md). The elements below
 * are those of the former .08 export; only the namespace changed.
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
import { XMLBuilder } from "fast-xml-parser";
import { CorridorError } from "../domain/errors.js";
import type { SimulationResults } from "../sim/results.js";
import type { TransferOut } from "../measure/transfer-out.js";
import { assertValidIso20022, iso20022Namespace, type Iso20022Message } from "./iso20022.js";
import { virtualEndSeconds } from "./measures.js";
import { specOfScenario } from "./spec.js";

/** The message written, and its namespace. */
export const PACS008_MESSAGE: Iso20022Message = "pacs.008.001.09";
export const PACS008_NAMESPACE = iso20022Namespace(PACS008_MESSAGE);

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

/** RFC 4648 base32 (no padding) of a 0x hex string: a 20-byte address gives 32 characters (BigInt's base-32 digits, in RFC 4648's alphabet). */
export function base32FromHex(hex: string): string {
  const digits = (hex.replace(/^0x/, "").match(/[0-9a-f]{2}/gi) ?? []).join(""); // whole bytes (a crafted results.json may hold anything)
  const chars = Math.ceil((digits.length * 4) / 5);
  if (chars === 0) return "";
  const n = BigInt(`0x${digits}`) << BigInt(chars * 5 - digits.length * 4);
  return [...n.toString(32).padStart(chars, "0")].map((c) => BASE32[parseInt(c, 32)]).join("");
}

// ---------------------------------------------------------------- the message

/** An element for fast-xml-parser's XMLBuilder: text, text with attributes, or child elements in schema order (an array repeats one). */
type Xml = string | { [name: string]: Xml | Xml[] };

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@", format: true, indentBy: "  " });

const TIER_CODE: Record<string, string> = { standard: "STANDARD", fast: "FAST" };
const MODE_CODE: Record<string, string> = { burnMint: "BURN-AND-MINT", lockRelease: "LOCK-AND-RELEASE" };

/**
 * The settled transfers of a run as a pacs.008.001.09 document, checked against the official
 * schema by libxml2 before it is returned. Throws CORRIDOR_EXPORT_EMPTY when none settled, and
 * CORRIDOR_EXPORT_INVALID (libxml2's messages) when the results make a document the schema rejects.
 */
export async function toPacs008(results: Pacs008Input, opts: Pacs008Options = {}): Promise<string> {
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
  const agent = (chain: string): Xml => {
    const country = countryOf(chain);
    return {
      FinInstnId: {
        Nm: `Corridor gateway, ${chain} chain`,
        ...(country ? { PstlAdr: { Ctry: country } } : {}),
        Othr: { Id: chainRef(chain), SchmeNm: { Prtry: chainRef(chain).startsWith("eip155:") ? "CAIP-2" : "CORRIDOR-CHAIN" } },
      },
    };
  };
  const party = (address: string, chain: string): Xml => {
    const country = countryOf(chain);
    return { Nm: address, ...(country ? { CtryOfRes: country } : {}) };
  };
  const account = (address: string, chain: string): Xml => ({
    Id: { Othr: { Id: base32FromHex(address), SchmeNm: { Prtry: "ETH-ADDR-BASE32" }, Issr: chainRef(chain) } },
    Prxy: { Tp: { Prtry: "ETH" }, Id: address },
  });
  const amount = (text: string, currency: string): Xml => ({ "#text": text, "@Ccy": currency });

  const tx = (t: TransferOut): Xml => {
    const out = truncateDecimal(t.amountOut!, 5);
    const instd = truncateDecimal(t.amountIn, 5);
    const fee = truncateDecimal(t.fee, 5);
    const cross = t.inputToken.currency !== t.outputToken.currency && t.rate !== null;
    const remittance = [`Corridor transfer ${t.id}`];
    if (!out.exact || !instd.exact || !fee.exact) {
      remittance.push(`Exact amounts: sent ${t.amountIn} ${t.inputToken.currency}, fee ${t.fee} ${t.inputToken.currency}, paid ${t.amountOut} ${t.outputToken.currency}`);
    }
    return {
      PmtId: { EndToEndId: t.id.slice(0, 35), UETR: uetrFromId(t.id) },
      PmtTpInf: { SvcLvl: { Prtry: TIER_CODE[t.tier] ?? t.tier.toUpperCase() }, LclInstrm: { Prtry: MODE_CODE[t.mode] ?? t.mode } },
      IntrBkSttlmAmt: amount(out.text, t.outputToken.currency),
      IntrBkSttlmDt: isoDate(t.stages.settled!),
      SttlmTmIndctn: {
        ...(t.stages.initiated !== undefined ? { DbtDtTm: isoDateTime(t.stages.initiated) } : {}),
        CdtDtTm: isoDateTime(t.stages.settled!),
      },
      InstdAmt: amount(instd.text, t.inputToken.currency),
      ...(cross ? { XchgRate: baseOneRate(t.rate!) } : {}),
      ChrgBr: "DEBT",
      ChrgsInf: { Amt: amount(fee.text, t.inputToken.currency), Agt: agent(t.srcChain) },
      Dbtr: party(t.sender, t.srcChain),
      DbtrAcct: account(t.sender, t.srcChain),
      DbtrAgt: agent(t.srcChain),
      CdtrAgt: agent(t.dstChain),
      Cdtr: party(t.recipient, t.dstChain),
      CdtrAcct: account(t.recipient, t.dstChain),
      RmtInf: { Ustrd: remittance },
    };
  };

  const xml = builder.build({
    "?xml": { "@version": "1.0", "@encoding": "UTF-8" },
    Document: {
      "@xmlns": PACS008_NAMESPACE,
      FIToFICstmrCdtTrf: {
        GrpHdr: {
          MsgId: msgId,
          CreDtTm: isoDateTime(created),
          NbOfTxs: String(settled.length),
          SttlmInf: { SttlmMtd: "CLRG", ClrSys: { Prtry: "CORRIDOR" } },
        },
        CdtTrfTxInf: settled.map(tx),
      },
    },
  } satisfies Xml) as string;
  await assertValidIso20022(xml, PACS008_MESSAGE);
  return xml;
}

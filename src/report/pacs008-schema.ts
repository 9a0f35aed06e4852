/**
 * The part of the ISO 20022 pacs.008.001.08 schema (FIToFICustomerCreditTransferV08) that
 * Corridor writes, as data, and a validator that checks a parsed document against it:
 * required elements, element order within each sequence (CreditTransferTransaction39 in
 * full), occurrence limits, choices, and the simple types (Max35Text and friends, ISODate,
 * ISODateTime, amounts with at most 5 fraction digits and 18 digits in all, 3-letter Ccy
 * attributes, BaseOneRate, codes, UUIDv4).
 *
 * Elements the schema allows but Corridor never writes are listed in their sequences so the
 * order check knows them, with their content accepted as is ("any"). This is a structural
 * check of what we claim, not a replacement for validating against the published XSD.
 */
import type { XmlElement } from "./xml.js";

export const PACS008_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08";

type SimpleType =
  | "Max4Text"
  | "Max34Text"
  | "Max35Text"
  | "Max70Text"
  | "Max140Text"
  | "Max350Text"
  | "Max2048Text"
  | "Max15NumericText"
  | "ISODate"
  | "ISODateTime"
  | "Amount"
  | "BaseOneRate"
  | "DecimalNumber"
  | "Boolean"
  | "CountryCode"
  | "CurrencyCode"
  | "BICFI"
  | "LEI"
  | "UUIDv4"
  | "ExternalCode4"
  | "ExternalCode3"
  | "ExternalCode35"
  | "SettlementMethod"
  | "ChargeBearer"
  | "Priority2"
  | "Priority3"
  | "ClearingChannel";

type Content = { kind: "simple"; type: SimpleType } | { kind: "sequence"; name: string; items: Item[] } | { kind: "choice"; name: string; items: Item[] } | { kind: "any" };

interface Item {
  name: string;
  min: number;
  /** Infinity for unbounded. */
  max: number;
  content: () => Content;
}

const U = Number.POSITIVE_INFINITY;
const simple = (type: SimpleType) => (): Content => ({ kind: "simple", type });
const any = (): Content => ({ kind: "any" });
const one = (name: string, content: () => Content): Item => ({ name, min: 1, max: 1, content });
const opt = (name: string, content: () => Content, max = 1): Item => ({ name, min: 0, max, content });
const seq = (name: string, items: Item[]) => (): Content => ({ kind: "sequence", name, items });
const choice = (name: string, items: Item[]) => (): Content => ({ kind: "choice", name, items });
const codeOrProprietary = (name: string, code: SimpleType = "ExternalCode4") => choice(name, [one("Cd", simple(code)), one("Prtry", simple("Max35Text"))]);

const GenericFinancialIdentification1 = seq("GenericFinancialIdentification1", [
  one("Id", simple("Max35Text")),
  opt("SchmeNm", codeOrProprietary("FinancialIdentificationSchemeName1Choice")),
  opt("Issr", simple("Max35Text")),
]);
const FinancialInstitutionIdentification18 = seq("FinancialInstitutionIdentification18", [
  opt("BICFI", simple("BICFI")),
  opt("ClrSysMmbId", any),
  opt("LEI", simple("LEI")),
  opt("Nm", simple("Max140Text")),
  opt("PstlAdr", any),
  opt("Othr", GenericFinancialIdentification1),
]);
const BranchAndFinancialInstitutionIdentification6 = seq("BranchAndFinancialInstitutionIdentification6", [one("FinInstnId", FinancialInstitutionIdentification18), opt("BrnchId", any)]);
const GenericAccountIdentification1 = seq("GenericAccountIdentification1", [
  one("Id", simple("Max34Text")),
  opt("SchmeNm", codeOrProprietary("AccountSchemeName1Choice")),
  opt("Issr", simple("Max35Text")),
]);
const CashAccount38 = seq("CashAccount38", [
  one("Id", choice("AccountIdentification4Choice", [one("IBAN", simple("Max34Text")), one("Othr", GenericAccountIdentification1)])),
  opt("Tp", codeOrProprietary("CashAccountType2Choice")),
  opt("Ccy", simple("CurrencyCode")),
  opt("Nm", simple("Max70Text")),
  opt("Prxy", seq("ProxyAccountIdentification1", [opt("Tp", codeOrProprietary("ProxyAccountType1Choice")), one("Id", simple("Max2048Text"))])),
]);
const PartyIdentification135 = seq("PartyIdentification135", [
  opt("Nm", simple("Max140Text")),
  opt("PstlAdr", any),
  opt("Id", choice("Party38Choice", [one("OrgId", any), one("PrvtId", any)])),
  opt("CtryOfRes", simple("CountryCode")),
  opt("CtctDtls", any),
]);
const PaymentTypeInformation28 = seq("PaymentTypeInformation28", [
  opt("InstrPrty", simple("Priority2")),
  opt("ClrChanl", simple("ClearingChannel")),
  opt("SvcLvl", codeOrProprietary("ServiceLevel8Choice"), U),
  opt("LclInstrm", codeOrProprietary("LocalInstrument2Choice", "ExternalCode35")),
  opt("CtgyPurp", codeOrProprietary("CategoryPurpose1Choice")),
]);
const SettlementInstruction7 = seq("SettlementInstruction7", [
  one("SttlmMtd", simple("SettlementMethod")),
  opt("SttlmAcct", CashAccount38),
  opt("ClrSys", codeOrProprietary("ClearingSystemIdentification3Choice", "ExternalCode3")),
  opt("InstgRmbrsmntAgt", BranchAndFinancialInstitutionIdentification6),
  opt("InstgRmbrsmntAgtAcct", CashAccount38),
  opt("InstdRmbrsmntAgt", BranchAndFinancialInstitutionIdentification6),
  opt("InstdRmbrsmntAgtAcct", CashAccount38),
  opt("ThrdRmbrsmntAgt", BranchAndFinancialInstitutionIdentification6),
  opt("ThrdRmbrsmntAgtAcct", CashAccount38),
]);
const GroupHeader93 = seq("GroupHeader93", [
  one("MsgId", simple("Max35Text")),
  one("CreDtTm", simple("ISODateTime")),
  opt("BtchBookg", simple("Boolean")),
  one("NbOfTxs", simple("Max15NumericText")),
  opt("CtrlSum", simple("DecimalNumber")),
  opt("TtlIntrBkSttlmAmt", simple("Amount")),
  opt("IntrBkSttlmDt", simple("ISODate")),
  one("SttlmInf", SettlementInstruction7),
  opt("PmtTpInf", PaymentTypeInformation28),
  opt("InstgAgt", BranchAndFinancialInstitutionIdentification6),
  opt("InstdAgt", BranchAndFinancialInstitutionIdentification6),
]);
const PaymentIdentification7 = seq("PaymentIdentification7", [
  opt("InstrId", simple("Max35Text")),
  one("EndToEndId", simple("Max35Text")),
  opt("TxId", simple("Max35Text")),
  opt("UETR", simple("UUIDv4")),
  opt("ClrSysRef", simple("Max35Text")),
]);
const SettlementDateTimeIndication1 = seq("SettlementDateTimeIndication1", [opt("DbtDtTm", simple("ISODateTime")), opt("CdtDtTm", simple("ISODateTime"))]);
const Charges7 = seq("Charges7", [one("Amt", simple("Amount")), one("Agt", BranchAndFinancialInstitutionIdentification6)]);
const RemittanceInformation16 = seq("RemittanceInformation16", [opt("Ustrd", simple("Max140Text"), U), opt("Strd", any, U)]);
const SupplementaryData1 = seq("SupplementaryData1", [opt("PlcAndNm", simple("Max350Text")), one("Envlp", any)]);

/** CreditTransferTransaction39: every element, in the schema's order. */
const CreditTransferTransaction39 = seq("CdtTrfTxInf", [
  one("PmtId", PaymentIdentification7),
  opt("PmtTpInf", PaymentTypeInformation28),
  one("IntrBkSttlmAmt", simple("Amount")),
  opt("IntrBkSttlmDt", simple("ISODate")),
  opt("SttlmPrty", simple("Priority3")),
  opt("SttlmTmIndctn", SettlementDateTimeIndication1),
  opt("SttlmTmReq", any),
  opt("AccptncDtTm", simple("ISODateTime")),
  opt("PoolgAdjstmntDt", simple("ISODate")),
  opt("InstdAmt", simple("Amount")),
  opt("XchgRate", simple("BaseOneRate")),
  one("ChrgBr", simple("ChargeBearer")),
  opt("ChrgsInf", Charges7, U),
  opt("PrvsInstgAgt1", BranchAndFinancialInstitutionIdentification6),
  opt("PrvsInstgAgt1Acct", CashAccount38),
  opt("PrvsInstgAgt2", BranchAndFinancialInstitutionIdentification6),
  opt("PrvsInstgAgt2Acct", CashAccount38),
  opt("PrvsInstgAgt3", BranchAndFinancialInstitutionIdentification6),
  opt("PrvsInstgAgt3Acct", CashAccount38),
  opt("InstgAgt", BranchAndFinancialInstitutionIdentification6),
  opt("InstdAgt", BranchAndFinancialInstitutionIdentification6),
  opt("IntrmyAgt1", BranchAndFinancialInstitutionIdentification6),
  opt("IntrmyAgt1Acct", CashAccount38),
  opt("IntrmyAgt2", BranchAndFinancialInstitutionIdentification6),
  opt("IntrmyAgt2Acct", CashAccount38),
  opt("IntrmyAgt3", BranchAndFinancialInstitutionIdentification6),
  opt("IntrmyAgt3Acct", CashAccount38),
  opt("UltmtDbtr", PartyIdentification135),
  opt("InitgPty", PartyIdentification135),
  one("Dbtr", PartyIdentification135),
  opt("DbtrAcct", CashAccount38),
  one("DbtrAgt", BranchAndFinancialInstitutionIdentification6),
  opt("DbtrAgtAcct", CashAccount38),
  one("CdtrAgt", BranchAndFinancialInstitutionIdentification6),
  opt("CdtrAgtAcct", CashAccount38),
  one("Cdtr", PartyIdentification135),
  opt("CdtrAcct", CashAccount38),
  opt("UltmtCdtr", PartyIdentification135),
  opt("InstrForCdtrAgt", any, U),
  opt("InstrForNxtAgt", any, U),
  opt("Purp", codeOrProprietary("Purpose2Choice")),
  opt("RgltryRptg", any, 10),
  opt("Tax", any),
  opt("RltdRmtInf", any, 10),
  opt("RmtInf", RemittanceInformation16),
  opt("SplmtryData", SupplementaryData1, U),
]);

const FIToFICustomerCreditTransferV08 = seq("FIToFICstmrCdtTrf", [one("GrpHdr", GroupHeader93), { name: "CdtTrfTxInf", min: 1, max: U, content: CreditTransferTransaction39 }, opt("SplmtryData", SupplementaryData1, U)]);
const DocumentContent = seq("Document", [one("FIToFICstmrCdtTrf", FIToFICustomerCreditTransferV08)]);

// ---------------------------------------------------------------- simple types

const maxText = (n: number) => (v: string) => (v.length === 0 ? "must not be empty" : v.length > n ? `is ${v.length} characters long; the limit is ${n}` : null);

/** xs:decimal with fraction and total digit limits (no sign when unsigned). */
function decimal(v: string, fraction: number, total: number, unsigned: boolean): string | null {
  if (!(unsigned ? /^\+?(\d+(\.\d*)?|\.\d+)$/ : /^[+-]?(\d+(\.\d*)?|\.\d+)$/).test(v)) return unsigned ? "is not a non-negative decimal number" : "is not a decimal number";
  const [intPart = "", fracPart = ""] = v.replace(/^[+-]/, "").split(".");
  const frac = fracPart.replace(/0+$/, "");
  const int = intPart.replace(/^0+/, "");
  if (frac.length > fraction) return `has ${frac.length} fraction digits; at most ${fraction} are allowed`;
  if (int.length + frac.length > total) return `has ${int.length + frac.length} digits; at most ${total} are allowed`;
  return null;
}

function isoDate(v: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/.exec(v);
  if (!m) return "is not an ISO date (YYYY-MM-DD)";
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? null : "is not a calendar date";
}

function isoDateTime(v: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(v);
  if (!m) return "is not an ISO date-time (YYYY-MM-DDThh:mm:ss with an optional offset)";
  if (isoDate(m[1]!)) return "is not a calendar date";
  if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59) return "is not a valid time of day";
  return null;
}

const enumOf = (values: string[]) => (v: string) => (values.includes(v) ? null : `must be one of ${values.join(", ")}`);
const pattern = (re: RegExp, what: string) => (v: string) => (re.test(v) ? null : `is not ${what}`);

const SIMPLE: Record<SimpleType, (v: string) => string | null> = {
  Max4Text: maxText(4),
  Max34Text: maxText(34),
  Max35Text: maxText(35),
  Max70Text: maxText(70),
  Max140Text: maxText(140),
  Max350Text: maxText(350),
  Max2048Text: maxText(2048),
  Max15NumericText: pattern(/^[0-9]{1,15}$/, "1 to 15 digits"),
  ISODate: isoDate,
  ISODateTime: isoDateTime,
  Amount: (v) => decimal(v.trim(), 5, 18, true),
  BaseOneRate: (v) => decimal(v.trim(), 10, 11, false),
  DecimalNumber: (v) => decimal(v.trim(), 17, 18, false),
  Boolean: enumOf(["true", "false", "1", "0"]),
  CountryCode: pattern(/^[A-Z]{2}$/, "a 2-letter country code"),
  CurrencyCode: pattern(/^[A-Z]{3}$/, "a 3-letter currency code"),
  BICFI: pattern(/^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, "a BIC"),
  LEI: pattern(/^[A-Z0-9]{18}[0-9]{2}$/, "an LEI"),
  UUIDv4: pattern(/^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/, "a lowercase UUID version 4"),
  ExternalCode4: maxText(4),
  ExternalCode3: maxText(3),
  ExternalCode35: maxText(35),
  SettlementMethod: enumOf(["INDA", "INGA", "COVE", "CLRG"]),
  ChargeBearer: enumOf(["DEBT", "CRED", "SHAR", "SLEV"]),
  Priority2: enumOf(["HIGH", "NORM"]),
  Priority3: enumOf(["URGT", "HIGH", "NORM"]),
  ClearingChannel: enumOf(["RTGS", "RTNS", "MPNS", "BOOK"]),
};

// ---------------------------------------------------------------- the validator

const isNamespaceAttr = (a: string) => a === "xmlns" || a.startsWith("xmlns:");

/** Checks `el` (already known to be called `item.name`) against its content model; appends to `errors`. */
function check(el: XmlElement, content: Content, path: string, errors: string[]): void {
  const attrs = Object.keys(el.attrs).filter((a) => !isNamespaceAttr(a));
  if (content.kind === "any") return;
  if (content.kind === "simple") {
    if (el.children.length) errors.push(`${path}: must contain text only, found <${el.children[0]!.local}>`);
    const v = el.text;
    const problem = SIMPLE[content.type](v);
    if (problem) errors.push(`${path}: "${v.length > 80 ? `${v.slice(0, 77)}...` : v}" ${problem}`);
    if (content.type === "Amount") {
      const ccy = el.attrs.Ccy;
      if (ccy === undefined) errors.push(`${path}: missing the Ccy attribute (a 3-letter currency code)`);
      else if (!/^[A-Z]{3}$/.test(ccy)) errors.push(`${path}: Ccy="${ccy}" is not a 3-letter currency code`);
      for (const a of attrs) if (a !== "Ccy") errors.push(`${path}: unexpected attribute ${a}`);
    } else {
      for (const a of attrs) errors.push(`${path}: unexpected attribute ${a}`);
    }
    return;
  }
  for (const a of attrs) errors.push(`${path}: unexpected attribute ${a}`);
  if (el.text.trim() !== "") errors.push(`${path}: unexpected text "${el.text.trim().slice(0, 40)}" in ${content.name}`);
  const names = content.items.map((it) => it.name);

  if (content.kind === "choice") {
    const unknown = el.children.filter((c) => !names.includes(c.local));
    for (const c of unknown) errors.push(`${path}: unexpected element <${c.local}> (${content.name} allows one of ${names.map((n) => `<${n}>`).join(", ")})`);
    const known = el.children.filter((c) => names.includes(c.local));
    if (known.length === 0) errors.push(`${path}: needs one of ${names.map((n) => `<${n}>`).join(", ")}`);
    else if (known.length > 1) errors.push(`${path}: may hold only one of ${names.map((n) => `<${n}>`).join(", ")}, found ${known.map((c) => `<${c.local}>`).join(", ")}`);
    for (const c of known) check(c, content.items[names.indexOf(c.local)]!.content(), `${path}/${c.local}`, errors);
    return;
  }

  // sequence: known names, order, occurrences, then each child
  let lastIndex = -1;
  let lastName = "";
  let orderReported = false;
  const seen = new Map<string, number>();
  for (const c of el.children) {
    const idx = names.indexOf(c.local);
    const n = (seen.get(c.local) ?? 0) + 1;
    seen.set(c.local, n);
    const childPath = `${path}/${c.local}${content.items[idx]?.max !== undefined && content.items[idx]!.max > 1 ? `[${n}]` : ""}`;
    if (idx < 0) {
      errors.push(`${path}: unexpected element <${c.local}> in ${content.name}`);
      continue;
    }
    if (idx < lastIndex && !orderReported) {
      errors.push(`${path}: <${c.local}> is out of order: in ${content.name} it must come before <${lastName}> (schema order: ${names.slice(idx, names.indexOf(lastName) + 1).join(", ")})`);
      orderReported = true;
    }
    if (idx >= lastIndex) {
      lastIndex = idx;
      lastName = c.local;
    }
    check(c, content.items[idx]!.content(), childPath, errors);
  }
  for (const it of content.items) {
    const n = seen.get(it.name) ?? 0;
    if (n < it.min) errors.push(`${path}: missing required element <${it.name}>`);
    if (n > it.max) errors.push(`${path}: <${it.name}> occurs ${n} times; at most ${it.max} allowed`);
  }
}

/** Validates a parsed pacs.008.001.08 document; returns the problems found (empty when valid). */
export function validatePacs008Tree(root: XmlElement): string[] {
  const errors: string[] = [];
  if (root.local !== "Document") return [`the root element is <${root.local}>, expected <Document>`];
  const nsAttr = root.prefix ? `xmlns:${root.prefix}` : "xmlns";
  const ns = root.attrs[nsAttr];
  if (ns !== PACS008_NAMESPACE) errors.push(`Document: namespace is ${ns === undefined ? "missing" : `"${ns}"`}, expected "${PACS008_NAMESPACE}"`);
  const wrongPrefix = (el: XmlElement, path: string): void => {
    if (el.prefix !== root.prefix) errors.push(`${path}: element <${el.name}> is not in the document's namespace prefix "${root.prefix}"`);
    for (const c of el.children) wrongPrefix(c, `${path}/${c.local}`);
  };
  wrongPrefix(root, "Document");
  check(root, DocumentContent(), "Document", errors);

  const body = root.children.find((c) => c.local === "FIToFICstmrCdtTrf");
  const header = body?.children.find((c) => c.local === "GrpHdr");
  const nb = header?.children.find((c) => c.local === "NbOfTxs");
  const txs = body?.children.filter((c) => c.local === "CdtTrfTxInf") ?? [];
  if (nb && /^[0-9]+$/.test(nb.text) && Number(nb.text) !== txs.length) {
    errors.push(`Document/FIToFICstmrCdtTrf/GrpHdr/NbOfTxs: says ${nb.text} but the message holds ${txs.length} CdtTrfTxInf`);
  }
  return errors;
}

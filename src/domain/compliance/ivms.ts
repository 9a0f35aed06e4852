/**
 * Travel-rule data in IVMS101 (2023) form, validated with the `ivms101` package.
 * Only its hash goes on chain (as the message's extraHash); the payload travels off chain.
 */
import { IVMS101_2023Schema, PayloadVersionCode, type CountryCode, type IVMS101, type Person } from "ivms101";
import { keccak256, stringToBytes, type Hex } from "viem";
import { CorridorError, ErrorCode } from "../errors.js";

export type { IVMS101 };

/**
 * The travel-rule record: IVMS101.2023 plus `accountNumber` on originator and beneficiary (the
 * IVMS101.2020 field, still accepted by the 2023 schema of `ivms101`), so the record names the
 * accounts it is about and can be checked against the transfer's sender and recipient.
 */
export type TravelRulePayload = IVMS101 & {
  originator: { accountNumber?: string[] };
  beneficiary: { accountNumber?: string[] };
};

export interface PartyInfo {
  /** Full name, "Given Names Family"; the last word is taken as the family name. */
  name: string;
  /** The party's account (address) on its chain. */
  account: string;
  /** The VASP's customer id; default: the account. */
  customerId?: string;
  /** ISO 3166 alpha-2 country of residence, e.g. "US", "GB". */
  country?: CountryCode;
}

function naturalPerson(party: PartyInfo): Person {
  const words = party.name.trim().split(/\s+/);
  const family = words.pop() ?? "";
  const given = words.join(" ");
  return {
    naturalPerson: {
      name: {
        nameIdentifier: [
          { primaryIdentifier: family, ...(given ? { secondaryIdentifier: given } : {}), naturalPersonNameIdentifierType: "LEGL" },
        ],
      },
      customerIdentification: party.customerId ?? party.account,
      ...(party.country ? { countryOfResidence: party.country } : {}),
    },
  };
}

/** A valid IVMS101.2023 payload for a natural-person originator and beneficiary. */
export function buildTravelRulePayload(parties: { originator: PartyInfo; beneficiary: PartyInfo }): TravelRulePayload {
  return {
    originator: { originatorPerson: [naturalPerson(parties.originator)], accountNumber: [parties.originator.account] },
    beneficiary: { beneficiaryPerson: [naturalPerson(parties.beneficiary)], accountNumber: [parties.beneficiary.account] },
    payloadMetadata: { payloadVersion: PayloadVersionCode.V2023 },
  };
}

export type TravelRuleValidation = { ok: true; payload: TravelRulePayload } | { ok: false; problems: string[] };

/**
 * Validates `data` as IVMS101.2023 and, when it lists account numbers, that they include the
 * transfer's sender (originator) and recipient (beneficiary).
 * Note: the ivms101 schema compares a dateOfBirth, if present, with the wall clock.
 */
export function validateTravelRule(data: unknown, parties?: { sender: string; recipient: string }): TravelRuleValidation {
  const parsed = IVMS101_2023Schema.safeParse(data);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`) };
  }
  const payload = parsed.data as TravelRulePayload;
  const problems: string[] = [];
  if (parties) {
    const has = (list: string[] | undefined, account: string) =>
      list === undefined || list.some((a) => a.toLowerCase() === account.toLowerCase());
    if (!has(payload.originator.accountNumber, parties.sender)) problems.push("originator.accountNumber: does not include the sender");
    if (!has(payload.beneficiary.accountNumber, parties.recipient)) problems.push("beneficiary.accountNumber: does not include the recipient");
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, payload };
}

/**
 * The lesser check, for transfers below a threshold whose jurisdiction still asks for the names (the
 * UK): the originator and the beneficiary each name at least one natural or legal person, and any
 * account numbers listed include the transfer's sender and recipient. The rest of IVMS101 (address,
 * identification, date of birth) is not required.
 */
export function validateTravelRuleNames(data: unknown, parties: { sender: string; recipient: string }): TravelRuleValidation {
  const problems: string[] = [];
  const record = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const text = (v: unknown) => typeof v === "string" && v.trim() !== "";
  const named = (person: unknown): boolean => {
    const natural = record(record(record(person)?.naturalPerson)?.name)?.nameIdentifier;
    const legal = record(record(record(person)?.legalPerson)?.name)?.nameIdentifier;
    const ids = [...(Array.isArray(natural) ? natural : []), ...(Array.isArray(legal) ? legal : [])].map(record);
    return ids.some((id) => text(id?.primaryIdentifier) || text(id?.legalPersonName));
  };
  const side = (key: "originator" | "beneficiary", persons: string, account: string) => {
    const party = record(record(data)?.[key]);
    const list = party?.[persons];
    if (!Array.isArray(list) || !list.some(named)) problems.push(`${key}: no ${key} name`);
    const accounts = party?.accountNumber;
    if (accounts !== undefined && (!Array.isArray(accounts) || !accounts.some((a) => typeof a === "string" && a.toLowerCase() === account.toLowerCase()))) {
      problems.push(`${key}.accountNumber: does not include the ${key === "originator" ? "sender" : "recipient"}`);
    }
  };
  side("originator", "originatorPerson", parties.sender);
  side("beneficiary", "beneficiaryPerson", parties.recipient);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, payload: data as TravelRulePayload };
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, undefined members dropped
 * (as RFC 8785 for the strings, integers and structures IVMS101 uses).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new CorridorError(ErrorCode.DataInvalid, "canonical JSON cannot hold a non-finite number");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new CorridorError(ErrorCode.DataInvalid, `canonical JSON cannot hold a ${typeof value}`);
}

/** keccak256 of the canonical JSON (UTF-8): the value of Message.extraHash. */
export function travelRuleHash(data: unknown): Hex {
  return keccak256(stringToBytes(canonicalJson(data)));
}

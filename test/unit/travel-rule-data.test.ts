import { describe, expect, it } from "vitest";
import { validate } from "ivms101";
import { buildTravelRulePayload, canonicalJson, travelRuleHash, validateTravelRule } from "../../src/domain/compliance/index.js";

const ALICE = "0x1111111111111111111111111111111111111111";
const BOB = "0x2222222222222222222222222222222222222222";

describe("travel-rule data", () => {
  const payload = buildTravelRulePayload({
    originator: { name: "Alice Q Smith", account: ALICE, country: "US" },
    beneficiary: { name: "Bob Jones", account: BOB, customerId: "uk-42" },
  });

  it("builds an IVMS101.2023 payload that the ivms101 validator accepts", () => {
    expect(() => validate(payload)).not.toThrow();
    const person = payload.originator.originatorPerson[0]?.naturalPerson;
    expect(person?.name.nameIdentifier[0]).toEqual({ primaryIdentifier: "Smith", secondaryIdentifier: "Alice Q", naturalPersonNameIdentifierType: "LEGL" });
    expect(person?.countryOfResidence).toBe("US");
    expect(payload.beneficiary.beneficiaryPerson[0]?.naturalPerson?.customerIdentification).toBe("uk-42");
    expect(payload.payloadMetadata?.payloadVersion).toBe("101.2023");
  });

  it("checks the payload's accounts against the transfer's sender and recipient", () => {
    expect(validateTravelRule(payload, { sender: ALICE.toUpperCase().replace("0X", "0x"), recipient: BOB }).ok).toBe(true);
    const r = validateTravelRule(payload, { sender: BOB, recipient: ALICE });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toHaveLength(2);
  });

  it("hashes canonical JSON, so key order does not change the hash", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
    const reordered = JSON.parse(JSON.stringify({ payloadMetadata: payload.payloadMetadata, beneficiary: payload.beneficiary, originator: payload.originator }));
    expect(travelRuleHash(reordered)).toBe(travelRuleHash(payload));
    expect(travelRuleHash(payload)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(travelRuleHash({ ...payload, payloadMetadata: undefined })).not.toBe(travelRuleHash(payload));
  });

  it("refuses values canonical JSON cannot hold", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ x: 1n })).toThrow(/bigint/);
  });
});

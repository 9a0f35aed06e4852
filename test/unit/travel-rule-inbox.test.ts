import { describe, expect, it } from "vitest";
import { buildTravelRulePayload, travelRuleHash } from "../../src/domain/compliance/ivms.js";
import { TravelRuleInbox } from "../../src/operator/travel-rule-inbox.js";

const SENDER = "0x26284941D30e1b202959a11e51a458cbFB1E409F";
const RECIPIENT = "0x1f811b4e74E1F9304d6446f644E781A248A13e15";
const payload = (name: string) => buildTravelRulePayload({ originator: { name, account: SENDER }, beneficiary: { name: "Grace Hopper", account: RECIPIENT } });

describe("the operator's travel-rule inbox", () => {
  it("stores a payload under the hash a transfer commits to, and finds it by that hash in any case", () => {
    const inbox = new TravelRuleInbox();
    const data = payload("Ada Lovelace");
    const hash = inbox.put(data);
    expect(hash).toBe(travelRuleHash(data));
    expect(inbox.get(hash)).toEqual(data);
    expect(inbox.get(hash.toUpperCase().replace("0X", "0x") as `0x${string}`)).toEqual(data);
    // other data has another hash: posting it cannot change what the first transfer committed to
    const other = inbox.put(payload("Eve Mallory"));
    expect(other).not.toBe(hash);
    expect(inbox.get(hash)).toEqual(data);
  });

  it("refuses what is not IVMS101 with a coded error", () => {
    const inbox = new TravelRuleInbox();
    for (const bad of [{}, { originator: "x" }, { originator: {}, beneficiary: {} }]) {
      expect(() => inbox.put(bad)).toThrow(expect.objectContaining({ code: "CORRIDOR_TRAVEL_RULE_INVALID" }));
    }
  });

  it("is bounded: past its capacity a new payload is refused, the same one again is not", () => {
    const inbox = new TravelRuleInbox(2);
    const a = payload("Ada Lovelace");
    inbox.put(a);
    inbox.put(payload("Alan Turing"));
    expect(() => inbox.put(payload("Eve Mallory"))).toThrow(expect.objectContaining({ code: "CORRIDOR_TRAVEL_RULE_FULL" }));
    expect(inbox.put(a)).toBe(travelRuleHash(a));
  });
});

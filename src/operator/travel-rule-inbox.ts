/**
 * Travel-rule data that reached the operator off chain, by its hash: what a message's extraHash
 * commits to (src/domain/compliance/ivms.ts, travelRuleHash). A live corridor's senders (their VASPs)
 * post the IVMS101 payload before sending; screening then finds it by the message's extraHash.
 * Posting data can only supply the preimage of a hash, so it cannot change any transfer but the one
 * that commits to it; the inbox is bounded so a caller cannot grow it without limit.
 */
import type { Hex } from "viem";
import { CorridorError } from "../domain/errors.js";
import { travelRuleHash, validateTravelRule } from "../domain/compliance/ivms.js";

export const TravelRuleInboxCode = {
  Invalid: "CORRIDOR_TRAVEL_RULE_INVALID",
  Full: "CORRIDOR_TRAVEL_RULE_FULL",
} as const;

export class TravelRuleInbox {
  private readonly byHash = new Map<string, unknown>();

  constructor(private readonly capacity = 200_000) {}

  /** Stores an IVMS101 payload and returns its hash (the extraHash to send with). */
  put(data: unknown): Hex {
    const v = validateTravelRule(data);
    if (!v.ok) throw new CorridorError(TravelRuleInboxCode.Invalid, `not IVMS101 travel-rule data: ${v.problems.slice(0, 5).join("; ")}`, { problems: v.problems });
    const hash = travelRuleHash(data);
    if (!this.byHash.has(hash) && this.byHash.size >= this.capacity) {
      throw new CorridorError(TravelRuleInboxCode.Full, `the travel-rule inbox holds ${this.capacity} payloads already`);
    }
    this.byHash.set(hash, data);
    return hash;
  }

  get(hash: Hex): unknown {
    return this.byHash.get(hash.toLowerCase());
  }
}

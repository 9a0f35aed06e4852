/**
 * The coordinator's side of m-of-n: asks independent attesters (src/operator/attester.ts) in turn
 * until `threshold` of them signed, and returns the signatures ordered by signer address as the
 * gateway requires. An attester that refuses or is offline is skipped; fewer than `threshold`
 * signatures is an error, and nothing partial is returned.
 */
import type { Hex } from "viem";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { idOf, type Message } from "../domain/message.js";
import { AttesterErrorCode, type AttesterClient } from "./attester.js";

export const QuorumErrorCode = {
  /** Fewer than `threshold` attesters signed (offline, or they refused). */
  NoQuorum: "CORRIDOR_ATTESTERS_NO_QUORUM",
} as const;

export class AttesterQuorum {
  private readonly attesters: AttesterClient[];
  /** Attesters taken offline (faults). */
  private readonly offline = new Set<string>();

  constructor(
    attesters: AttesterClient[],
    readonly threshold: number,
  ) {
    this.attesters = [...attesters].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  }

  get addresses(): Hex[] {
    return this.attesters.map((a) => a.address);
  }

  setOnline(address: Hex, online: boolean): void {
    if (online) this.offline.delete(address.toLowerCase());
    else this.offline.add(address.toLowerCase());
  }

  /** Whether enough attesters are online to sign. */
  get available(): boolean {
    return this.attesters.filter((a) => !this.offline.has(a.address.toLowerCase())).length >= this.threshold;
  }

  close(): void {
    for (const a of this.attesters) a.close?.();
  }

  signSettle(m: Message, rate: bigint, sourceFinal: boolean): Promise<Hex[]> {
    return this.collect((a) => a.signSettle(idOf(m), m, rate, sourceFinal));
  }

  signRefund(m: Message, reason: number): Promise<Hex[]> {
    return this.collect((a) => a.signRefund(idOf(m), m, reason));
  }

  signFinalize(m: Message): Promise<Hex[]> {
    return this.collect((a) => a.signFinalize(idOf(m), m));
  }

  signFinality(dstChainId: bigint, dstGateway: Hex, messages: Message[]): Promise<Hex[]> {
    return this.collect((a) => a.signFinality(dstChainId, dstGateway, messages));
  }

  /** Asks the online attesters in address order until `threshold` signed. */
  private async collect(ask: (a: AttesterClient) => Promise<Hex>): Promise<Hex[]> {
    const signed: Hex[] = [];
    const refusals: string[] = [];
    for (const a of this.attesters) {
      if (signed.length === this.threshold) break;
      if (this.offline.has(a.address.toLowerCase())) {
        refusals.push(`${a.address}: offline`);
        continue;
      }
      try {
        signed.push(await ask(a));
      } catch (err) {
        if (!isCorridorError(err, AttesterErrorCode.Refused)) throw err;
        refusals.push(`${a.address}: ${(err as CorridorError).details.reason ?? err.message}`);
      }
    }
    if (signed.length < this.threshold) {
      throw new CorridorError(QuorumErrorCode.NoQuorum, `only ${signed.length} attesters signed, ${this.threshold} needed (${refusals.join("; ")})`, { refusals });
    }
    return signed;
  }
}

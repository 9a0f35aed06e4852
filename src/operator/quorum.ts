/**
 * The coordinator's side of m-of-n: asks independent attesters (src/operator/attester.ts) in turn
 * until `threshold` of them signed, and returns the signatures ordered by signer address as the
 * gateway requires. An attester that refuses or is offline is skipped; fewer than `threshold`
 * signatures is an error, and nothing partial is returned.
 */
import type { Hex } from "viem";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { idOf, type Message } from "../domain/message.js";
import { AttesterErrorCode, type AttestBatch, type AttesterClient, type Refusal } from "./attester.js";

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

  /**
   * `threshold` signatures over one batch. An item an attester refuses leaves the batch (with its
   * reason in `refused`) and the rest is asked for again from the start, as signatures over the old
   * list are worth nothing for the new one; `batch` is what was signed (possibly empty: nothing to send).
   */
  async signBatch(batch: AttestBatch): Promise<{ batch: AttestBatch; signatures: Hex[]; refused: Refusal[] }> {
    const refused: Refusal[] = [];
    let current = batch;
    for (;;) {
      if (current.items.length === 0) return { batch: current, signatures: [], refused };
      try {
        return { batch: current, signatures: await this.collect((a) => a.signBatch(current), true), refused };
      } catch (err) {
        const items = (err as CorridorError).details?.refused as Refusal[] | undefined;
        if (!isCorridorError(err, QuorumErrorCode.NoQuorum) || !items?.length) throw err;
        const out = new Set(items.map((r) => r.id.toLowerCase()));
        refused.push(...items);
        current = { kind: current.kind, items: (current.items as { message: Message }[]).filter((i) => !out.has(idOf(i.message).toLowerCase())) } as AttestBatch;
      }
    }
  }

  signFinality(dstChainId: bigint, dstGateway: Hex, messages: Message[]): Promise<Hex[]> {
    return this.collect((a) => a.signFinality(dstChainId, dstGateway, messages));
  }

  /**
   * Asks the online attesters in address order until `threshold` signed. `stopAtItemRefusal`: an
   * attester refusing some items of a batch ends the round (NoQuorum carrying those items), so that
   * the batch is asked for again without them.
   */
  private async collect(ask: (a: AttesterClient) => Promise<Hex>, stopAtItemRefusal = false): Promise<Hex[]> {
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
        const items = (err as CorridorError).details.refused as Refusal[] | undefined;
        if (stopAtItemRefusal && items?.length) {
          throw new CorridorError(QuorumErrorCode.NoQuorum, `${a.address} refused ${items.length} item(s) of the batch`, { refusals: [`${a.address}: ${err.message}`], refused: items });
        }
        refusals.push(`${a.address}: ${(err as CorridorError).details.reason ?? err.message}`);
      }
    }
    if (signed.length < this.threshold) {
      throw new CorridorError(QuorumErrorCode.NoQuorum, `only ${signed.length} attesters signed, ${this.threshold} needed (${refusals.join("; ")})`, { refusals });
    }
    return signed;
  }
}

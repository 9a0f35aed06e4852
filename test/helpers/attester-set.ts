import type { Hex } from "viem";
import { privateKeyToAddress, sign } from "viem/accounts";
import {
  finalityDigest,
  finalizeBatchDigest,
  finalizeDigest,
  refundBatchDigest,
  refundDigest,
  settleBatchDigest,
  settleDigest,
  type Message,
  type RefundTerms,
  type SettleTerms,
} from "../../src/domain/message.js";

interface Attester {
  privateKey: Hex;
  address: Hex;
}

/**
 * Raw attester keys (m of n) for tests: signs any digest it is asked to, with no rules and no journal,
 * so contract tests can make valid, forged and rogue attestations. (The corridor's own attesters are
 * src/operator/attester.ts: independent signers that check the chains and keep a journal.)
 *
 * The attester keys (m of n). Each attestation is an EIP-712 signature in the
 * domain of the gateway that will check it: settlements in the destination's, refunds and
 * finalizations in the source's. Signatures are returned ordered by signer address, as the
 * gateway requires.
 */
export class AttesterSet {
  private readonly attesters: Attester[];
  /** Attesters taken offline (faults); an attestation needs `threshold` online ones. */
  private readonly offline = new Set<Hex>();

  constructor(
    privateKeys: Hex[],
    readonly threshold: number,
  ) {
    this.attesters = privateKeys
      .map((privateKey) => ({ privateKey, address: privateKeyToAddress(privateKey) }))
      .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  }

  get addresses(): Hex[] {
    return this.attesters.map((a) => a.address);
  }

  setOnline(address: Hex, online: boolean): void {
    if (online) this.offline.delete(address);
    else this.offline.add(address);
  }

  /** Whether enough attesters are online to sign. */
  get available(): boolean {
    return this.attesters.length - this.offline.size >= this.threshold;
  }

  // The digests: EIP-712 in the gateway's domain, hashed with the precompiled struct encoders of
  // src/domain/message.ts (equal to viem's hashTypedData; see test/unit/attestation-hash.test.ts).
  settleDigest(m: Message, rate: bigint, sourceFinal: boolean): Hex {
    return settleDigest(m, rate, sourceFinal);
  }

  /** Finality of Fast transfers' sources, signed for the destination gateway that lent the Fast allowance. */
  finalityDigest(dstChainId: bigint, dstGateway: Hex, ids: Hex[]): Hex {
    return finalityDigest(dstChainId, dstGateway, ids);
  }

  refundDigest(m: Message, reason: number): Hex {
    return refundDigest(m, reason);
  }

  finalizeDigest(m: Message): Hex {
    return finalizeDigest(m);
  }

  /** `sourceFinal` says the source is final: if not, a Fast settlement draws on the Fast allowance. */
  async signSettle(m: Message, rate: bigint, sourceFinal: boolean): Promise<Hex[]> {
    return this.signDigest(this.settleDigest(m, rate, sourceFinal));
  }

  async signFinality(dstChainId: bigint, dstGateway: Hex, ids: Hex[]): Promise<Hex[]> {
    return this.signDigest(this.finalityDigest(dstChainId, dstGateway, ids));
  }

  async signRefund(m: Message, reason: number): Promise<Hex[]> {
    return this.signDigest(this.refundDigest(m, reason));
  }

  async signFinalize(m: Message): Promise<Hex[]> {
    return this.signDigest(this.finalizeDigest(m));
  }

  /** One attestation over a batch of settlements (the gateway's settleBatch checks it once). */
  async signSettleBatch(items: readonly SettleTerms[]): Promise<Hex[]> {
    return this.signDigest(settleBatchDigest(items));
  }

  async signRefundBatch(items: readonly RefundTerms[]): Promise<Hex[]> {
    return this.signDigest(refundBatchDigest(items));
  }

  async signFinalizeBatch(messages: readonly Message[]): Promise<Hex[]> {
    return this.signDigest(finalizeBatchDigest(messages));
  }

  /** `threshold` online attesters each sign the digest; ordered by signer address. */
  private async signDigest(hash: Hex): Promise<Hex[]> {
    const signers = this.attesters.filter((a) => !this.offline.has(a.address)).slice(0, this.threshold);
    if (signers.length < this.threshold) throw new Error(`only ${signers.length} attesters online, ${this.threshold} needed`);
    return Promise.all(signers.map((a) => sign({ hash, privateKey: a.privateKey, to: "hex" })));
  }
}

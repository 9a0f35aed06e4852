import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import type { Deployment, Currency } from "../contracts/deploy.js";
import { gatewayAbi } from "../contracts/gateway.js";
import { getBlock } from "../chains/mining.js";
import { amountOut, hashMessage, MODE, REFUND_REASON, type RefundReason } from "../domain/message.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { AttesterSet } from "./attesters.js";
import type { Clock } from "../domain/clock.js";

/** What screening decided (the compliance pipeline plugs in here). */
export type ScreeningDecision =
  | { outcome: "allow" }
  | { outcome: "deny"; reason: string }
  | { outcome: "hold"; reason: string; reviewSeconds?: number };

export type Screen = (record: TransferRecord) => Promise<ScreeningDecision> | ScreeningDecision;

/** Output per input for a currency pair at a moment, 18-decimal fixed point. */
export type RateFn = (input: Currency, output: Currency, now: number) => bigint;

export type AttestationResult =
  | { kind: "settle"; rate: bigint; signatures: Hex[] }
  | { kind: "refund"; reason: RefundReason; signatures: Hex[] }
  | { kind: "hold"; reason: string; reviewSeconds?: number }
  /** Nothing signed: the source does not (yet) show this message, or a refund is not yet safe. */
  | { kind: "reject"; reason: string };

export interface OperatorOptions {
  chains: Record<string, Chain>;
  deployment: Deployment;
  attesters: AttesterSet;
  rate: RateFn;
  screen?: Screen;
  clock: Clock;
}

/**
 * The corridor operator: screens, quotes and attests. It trusts no relayer: before signing
 * it reads the source gateway itself to check that the message was really sent, and it never
 * signs a refund for a transfer that could still settle.
 */
export class Operator {
  /** Ids for which a settlement was signed: such a transfer may be refunded only once its deadline has passed unsettled. */
  private readonly settleSigned = new Set<Hex>();
  private readonly chainById: Map<number, Chain>;

  constructor(private readonly opts: OperatorOptions) {
    this.chainById = new Map(Object.values(opts.chains).map((c) => [c.chainId, c]));
  }

  private chain(chainId: bigint): Chain {
    const c = this.chainById.get(Number(chainId));
    if (!c) throw new Error(`operator has no connection to chain ${chainId}`);
    return c;
  }

  /** Reads the source gateway: is this exact message pending under its id? */
  async verifySent(record: TransferRecord): Promise<boolean> {
    const m = record.message;
    const stored = (await this.chain(m.srcChainId).client.readContract({
      address: m.srcGateway,
      abi: gatewayAbi(),
      functionName: "outbound",
      args: [record.id],
    })) as Hex;
    return stored === hashMessage(m);
  }

  async isConsumed(record: TransferRecord): Promise<boolean> {
    const m = record.message;
    return (await this.chain(m.dstChainId).client.readContract({
      address: m.dstGateway,
      abi: gatewayAbi(),
      functionName: "consumed",
      args: [record.id],
    })) as boolean;
  }

  /** Screens, quotes and signs a settlement (or a refund for a denial). */
  async attestTransfer(record: TransferRecord): Promise<AttestationResult> {
    if (!(await this.verifySent(record))) return { kind: "reject", reason: "NOT_PENDING_ON_SOURCE" };
    const decision = this.opts.screen ? await this.opts.screen(record) : ({ outcome: "allow" } as const);
    if (decision.outcome === "hold") return { kind: "hold", reason: decision.reason, reviewSeconds: decision.reviewSeconds };
    if (decision.outcome === "deny") {
      return { kind: "refund", reason: "denied", signatures: await this.opts.attesters.signRefund(record.message, REFUND_REASON.denied) };
    }
    return this.quoteAndSign(record);
  }

  /** After a manual approval: quote and sign the settlement. */
  async quoteAndSign(record: TransferRecord): Promise<AttestationResult> {
    const m = record.message;
    const rate =
      m.mode === MODE.burnMint ? 10n ** 18n : this.opts.rate(record.inputCurrency as Currency, record.outputCurrency as Currency, this.opts.clock.now());
    if (amountOut(m, rate) < m.minAmountOut) {
      return { kind: "refund", reason: "belowMinimum", signatures: await this.opts.attesters.signRefund(m, REFUND_REASON.belowMinimum) };
    }
    this.settleSigned.add(record.id);
    return { kind: "settle", rate, signatures: await this.opts.attesters.signSettle(m, rate) };
  }

  /**
   * Signs a refund, if it is safe: the transfer must still be pending on the source and
   * unsettled on the destination; if a settlement was signed, the destination's clock must be
   * past the deadline, so that the signed settlement can no longer execute.
   */
  async attestRefund(record: TransferRecord, reason: RefundReason): Promise<AttestationResult> {
    if (!(await this.verifySent(record))) return { kind: "reject", reason: "NOT_PENDING_ON_SOURCE" };
    if (await this.isConsumed(record)) return { kind: "reject", reason: "ALREADY_SETTLED" };
    if (this.settleSigned.has(record.id)) {
      const dstNow = await this.timeOf(record.message.dstChainId);
      if (dstNow <= Number(record.message.deadline)) return { kind: "reject", reason: "SETTLEMENT_STILL_POSSIBLE" };
    }
    return { kind: "refund", reason, signatures: await this.opts.attesters.signRefund(record.message, REFUND_REASON[reason]) };
  }

  /** Signs the source-side finalization of a settled lock-and-release transfer. */
  async attestFinalize(record: TransferRecord): Promise<Hex[] | undefined> {
    if (!(await this.isConsumed(record))) return undefined;
    return this.opts.attesters.signFinalize(record.message);
  }

  private async timeOf(chainId: bigint): Promise<number> {
    return (await getBlock(this.chain(chainId))).timestamp;
  }
}

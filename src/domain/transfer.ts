import type { Hex } from "viem";
import type { Message } from "./message.js";

/**
 * Lifecycle (DESIGN.md):
 * INITIATED -> CONFIRMED -> SCREENED -> ATTESTED -> SUBMITTED -> SETTLED
 *                                    \-> (deny / expiry) REFUND_ATTESTED -> REFUNDED
 *                                    \-> HELD (manual review: approve | deny)
 * Lock-and-release transfers are FINALIZED on the source after settling (escrow to liquidity).
 * A send that a reorganisation of its source chain removed before it settled is DROPPED: it never
 * happened, so nothing is owed (if the same transaction is mined again, the transfer goes on under
 * its record, once).
 */
export type TransferState =
  | "initiated"
  | "confirmed"
  | "screened"
  | "held"
  | "attested"
  | "submitted"
  | "settled"
  | "refund_attested"
  | "refunded"
  | "dropped";

export const TERMINAL_STATES: readonly TransferState[] = ["settled", "refunded", "dropped"];

/** When each stage happened, in unix seconds (block timestamps where a block marks it). */
export interface StageTimes {
  initiated?: number;
  confirmed?: number;
  screened?: number;
  held?: number;
  reviewed?: number;
  attested?: number;
  submitted?: number;
  settled?: number;
  refundAttested?: number;
  refunded?: number;
  finalized?: number;
  /** When the relayer saw the send vanish from its source chain in a reorganisation. */
  dropped?: number;
}

export interface TransferRecord {
  id: Hex;
  message: Message;
  srcChain: string;
  dstChain: string;
  inputCurrency: string;
  outputCurrency: string;
  state: TransferState;
  stages: StageTimes;
  srcBlock: number;
  srcTxHash: Hex;
  dstBlock?: number;
  dstTxHash?: Hex;
  /** Attested rate, 18 decimals (output per input). */
  rate?: bigint;
  /** The mid at the moment the rate was set, 18 decimals (output per input). */
  mid?: bigint;
  /** Screening outcome: the deciding hook and its stable reason code. */
  compliance?: { outcome: "allow" | "deny" | "hold"; reason?: string; hook?: string; jurisdiction?: string; reviewed?: "approved" | "denied" };
  /** Seconds spent queued for destination liquidity. */
  liquidityWaitSeconds?: number;
  /** Paid before source finality, from the Fast allowance (base units of the output token). */
  fastAllowanceUsed?: bigint;
  amountOut?: bigint;
  refundReason?: string;
  /** Why the last settlement attempt failed, when it did. */
  lastError?: string;
  settleAttempts: number;
  finalized?: boolean;
  /** Source blocks of the finalization and of the refund (to tell whether a reorganisation took them away). */
  finalizedBlock?: number;
  refundedBlock?: number;
  /**
   * Set on a SETTLED transfer whose send a reorganisation of the source chain then removed: the
   * destination paid out with nothing behind it. That payout is the corridor's reorg exposure
   * (covered by the Fast allowance when `fastAllowanceUsed` is set). Unix seconds when seen.
   */
  sourceReorgedAt?: number;
}

export function isTerminal(r: TransferRecord): boolean {
  return TERMINAL_STATES.includes(r.state);
}

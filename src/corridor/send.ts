/**
 * Builds a corridor send the way a sender's wallet would: the fee capped at exactly what the
 * published schedule says, and either a firm quote locked from the operator's FX desk (the payout
 * is then exact) or today's price less a slippage tolerance as the minimum payout. One function for
 * the simulator's workload and the dashboard's load.
 */
import type { Hex } from "viem";
import { tokenOf, type ChainDeployment } from "../contracts/deploy.js";
import type { Currency } from "../domain/money.js";
import { encodeSend } from "../contracts/gateway.js";
import { computeFee, type FeeSchedule } from "../domain/fees.js";
import { amountOut, NO_QUOTE, TIER, type LockedQuote, type Tier } from "../domain/message.js";
import type { Quoter } from "../operator/quoter.js";

export interface SendRequest {
  quoter: Quoter;
  src: ChainDeployment;
  dst: ChainDeployment;
  input: Currency;
  output: Currency;
  sender: Hex;
  recipient: Hex;
  amount: bigint;
  tier: Tier;
  feeSchedule: FeeSchedule;
  /** Lock a firm quote (true), or accept today's price less `slippageBps`. */
  lockQuote: boolean;
  slippageBps: number;
  now: number;
  deadlineSeconds: number;
  /** The hash of the off-chain travel-rule payload, or zero. */
  extraHash: Hex;
}

export interface BuiltSend {
  /** Calldata for the source gateway's `send`. */
  data: Hex;
  fee: bigint;
  minAmountOut: bigint;
  quote: LockedQuote;
  deadline: number;
}

export async function buildSend(r: SendRequest): Promise<BuiltSend> {
  const fee = computeFee(r.feeSchedule, r.amount, r.tier);
  let quote = NO_QUOTE;
  let minAmountOut: bigint;
  if (r.lockQuote) {
    const q = await r.quoter.issue({
      sender: r.sender,
      srcChainId: BigInt(r.src.chainId),
      dstChainId: BigInt(r.dst.chainId),
      dstGateway: r.dst.gateway,
      inputToken: tokenOf(r.src, r.input),
      outputToken: tokenOf(r.dst, r.output),
      input: r.input,
      output: r.output,
      maxAmountIn: r.amount,
      now: r.now,
    });
    quote = q.quote;
    minAmountOut = amountOut({ amount: r.amount, fee }, quote.rate);
  } else {
    const price = r.quoter.price(r.input, r.output, r.now);
    minAmountOut = (amountOut({ amount: r.amount, fee }, price.rate) * BigInt(10_000 - r.slippageBps)) / 10_000n;
  }
  const deadline = Math.floor(r.now) + r.deadlineSeconds;
  const data = encodeSend({
    inputToken: tokenOf(r.src, r.input),
    dstChainId: BigInt(r.dst.chainId),
    outputToken: tokenOf(r.dst, r.output),
    recipient: r.recipient,
    amount: r.amount,
    maxFee: fee,
    minAmountOut,
    deadline: BigInt(deadline),
    tier: TIER[r.tier],
    extraHash: r.extraHash,
    quote,
  });
  return { data, fee, minAmountOut, quote, deadline };
}

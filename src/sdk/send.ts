/**
 * sendCorridorTransfer: one corridor transfer from an application's own signer (viem or ethers).
 *
 * Order of work, so that a bad send fails before anything is spent:
 * 1. validate every option (CORRIDOR_SDK_* codes), before any network call;
 * 2. read what the defaults need (the fee the gateway would charge, the latest block time);
 * 3. simulate `send` with eth_call: a gateway check that fails is thrown as the contract's custom
 *    error (CORRIDOR_REVERT_RouteNotFound, ...). With a short allowance the simulation reaches the
 *    token's transferFrom only after every gateway check passed (checks come first in `send`), so
 *    an ERC20InsufficientAllowance there means "approve, then it goes through";
 * 4. approve exactly the amount if needed (and if the balance covers it), wait for it, simulate again;
 * 5. send, wait for the receipt and return the TransferSent event.
 */
import { encodeFunctionData, isAddressEqual, type Hex } from "viem";
import { CorridorError } from "../domain/errors.js";
import { NO_QUOTE, ZERO_HASH, type LockedQuote, type Message } from "../domain/message.js";
import { GAS, decodeGatewayLogs, decodeRevert, gatewayAbi, tokenAbi, type SendParams } from "../contracts/gateway.js";
import { SdkErrorCode } from "./errors.js";
import { readContract, revertToError } from "./read.js";
import { toCorridorSigner, type AdapterOptions, type CorridorSigner, type SignerLike } from "./signer.js";
import { parseAddress, parseAmount, parseBytes32, parseChainId, parseDeadlineSeconds, parseTier, type AmountInput } from "./validate.js";
import type { Tier } from "../domain/message.js";

const ZERO_ADDRESS: Hex = "0x0000000000000000000000000000000000000000";

export interface SendCorridorTransferOptions extends AdapterOptions {
  /** A viem WalletClient with an account, or an ethers v6 Signer connected to a provider. */
  signer: SignerLike;
  /** The source chain's CorridorGateway. */
  gateway: string;
  inputToken: string;
  dstChainId: bigint | number;
  /** The token paid out on the destination chain. */
  outputToken: string;
  recipient: string;
  /** Base units (bigint) or whole units as a decimal string with at most 6 decimals ("12.5"). */
  amount: AmountInput;
  /** Default "standard". */
  tier?: Tier;
  /** Seconds from the latest block's timestamp until the transfer may no longer settle. Default 3600. */
  deadlineSeconds?: number;
  /** Largest corridor fee accepted, in input-token units. Default: the fee the gateway charges now. */
  maxFee?: AmountInput;
  /** Smallest payout accepted, in output-token units. Default 0. */
  minAmountOut?: AmountInput;
  /** A firm FX quote to lock (signed by a quoter; the destination checks the signature). */
  quote?: { quote: LockedQuote };
  /** Hash of off-chain data bound to the transfer (a travel-rule record). Default zero. */
  extraHash?: Hex;
  /** Approve exactly `amount` when the allowance is short, and wait for it. Default true. */
  approve?: boolean;
}

export interface SentTransfer {
  /** The message id: keccak256(srcChainId, srcGateway, nonce). */
  id: Hex;
  txHash: Hex;
  /** The message as the gateway emitted it (with the fee it charged and the send time). */
  message: Message;
  /** The approval sent first, when the allowance was short. */
  approvalTxHash?: Hex;
}

interface ValidatedSend {
  gateway: Hex;
  params: Omit<SendParams, "maxFee" | "deadline">;
  maxFee: bigint | undefined;
  deadlineSeconds: bigint;
  approve: boolean;
}

/** Checks every option; throws the first problem as a CorridorError. No network access. */
export function validateSendOptions(opts: SendCorridorTransferOptions): ValidatedSend {
  const gateway = parseAddress("gateway", opts.gateway);
  const inputToken = parseAddress("inputToken", opts.inputToken);
  const outputToken = parseAddress("outputToken", opts.outputToken);
  const recipient = parseAddress("recipient", opts.recipient);
  const dstChainId = parseChainId("dstChainId", opts.dstChainId);
  const amount = parseAmount("amount", opts.amount);
  const tier = parseTier(opts.tier);
  const deadlineSeconds = parseDeadlineSeconds(opts.deadlineSeconds);
  const maxFee = opts.maxFee === undefined ? undefined : parseAmount("maxFee", opts.maxFee, { allowZero: true });
  const minAmountOut = opts.minAmountOut === undefined ? 0n : parseAmount("minAmountOut", opts.minAmountOut, { allowZero: true });
  const extraHash = opts.extraHash === undefined ? ZERO_HASH : parseBytes32("extraHash", opts.extraHash);
  const quote = opts.quote === undefined ? NO_QUOTE : parseQuote(opts.quote.quote);
  return { gateway, params: { inputToken, dstChainId, outputToken, recipient, amount, minAmountOut, tier, extraHash, quote }, maxFee, deadlineSeconds, approve: opts.approve ?? true };
}

/** Shape only: whether the quote applies (sender, route, amount, expiry) is checked by the simulated send. */
function parseQuote(q: LockedQuote | undefined): LockedQuote {
  if (q === undefined || q === null || typeof q !== "object") {
    throw new CorridorError(SdkErrorCode.InvalidQuote, "quote must be { quote: LockedQuote }");
  }
  for (const field of ["srcChainId", "dstChainId", "rate", "maxAmountIn", "expiresAt"] as const) {
    if (typeof q[field] !== "bigint" || q[field] < 0n) {
      throw new CorridorError(SdkErrorCode.InvalidQuote, `quote.${field} must be a non-negative bigint, got ${String(q[field])}`, { field: `quote.${field}` });
    }
  }
  return {
    ...q,
    quoteId: parseBytes32("quote.quoteId", q.quoteId),
    sender: parseAddress("quote.sender", q.sender),
    inputToken: parseAddress("quote.inputToken", q.inputToken),
    outputToken: parseAddress("quote.outputToken", q.outputToken),
  };
}

/** The fee the gateway would charge now: its fee module's quote, or 0 without one. */
export async function quoteCorridorFee(
  signer: Pick<CorridorSigner, "call">,
  gateway: Hex,
  p: { inputToken: Hex; dstChainId: bigint; tier: number; amount: bigint },
): Promise<bigint> {
  const module = await readContract<Hex>(signer, gateway, gatewayAbi(), "feeModule");
  if (isAddressEqual(module, ZERO_ADDRESS)) return 0n;
  const abi = [
    {
      type: "function",
      name: "quoteFee",
      stateMutability: "view",
      inputs: [
        { name: "inputToken", type: "address" },
        { name: "dstChainId", type: "uint256" },
        { name: "tier", type: "uint8" },
        { name: "amount", type: "uint256" },
      ],
      outputs: [{ name: "fee", type: "uint256" }],
    },
  ] as const;
  return readContract<bigint>(signer, module, abi, "quoteFee", [p.inputToken, p.dstChainId, p.tier, p.amount]);
}

/** Sends one corridor transfer; see the module comment for the order of checks. */
export async function sendCorridorTransfer(opts: SendCorridorTransferOptions): Promise<SentTransfer> {
  const v = validateSendOptions(opts);
  const signer = await toCorridorSigner(opts.signer, opts);
  const { gateway } = v;
  const { inputToken, amount } = v.params;

  const [maxFee, now] = await Promise.all([v.maxFee ?? quoteCorridorFee(signer, gateway, v.params), signer.latestBlockTimestamp()]);
  const params: SendParams = { ...v.params, maxFee, deadline: now + v.deadlineSeconds };
  const sendTx = { to: gateway, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "send", args: [params] }), gas: GAS.send };
  const context = { step: "send", chainId: signer.chainId, gateway, sender: signer.address };

  let approvalTxHash: Hex | undefined;
  const first = await signer.call(sendTx);
  if (first.reverted) {
    // Decided from the revert itself, not from an earlier allowance read (which a provider cache may serve stale).
    const decoded = first.data === undefined ? undefined : decodeRevert(first.data);
    const allowanceShort = decoded?.errorName === "ERC20InsufficientAllowance" && isAddressEqual(decoded.args[0] as Hex, gateway);
    if (!allowanceShort) throw revertToError(first, context);
    const allowance = decoded.args[1] as bigint;
    if (!v.approve) {
      throw new CorridorError(SdkErrorCode.AllowanceTooLow, `allowance of ${gateway} is ${allowance}, below the amount ${amount}, and approve is false`, {
        ...context,
        allowance: allowance.toString(),
        amount: amount.toString(),
      });
    }
    const balance = await readContract<bigint>(signer, inputToken, tokenAbi(), "balanceOf", [signer.address]);
    if (balance < amount) {
      throw new CorridorError(SdkErrorCode.InsufficientBalance, `${signer.address} holds ${balance} of ${inputToken}, below the amount ${amount}`, {
        ...context,
        balance: balance.toString(),
        amount: amount.toString(),
      });
    }
    const approval = await approveExactly(signer, inputToken, gateway, amount);
    approvalTxHash = approval.hash;
    // At the approval's block, not "latest": the state certainly includes it, and an ethers provider's
    // request cache cannot answer with the simulation made before it.
    const second = await signer.call(sendTx, approval.blockNumber);
    if (second.reverted) throw revertToError(second, context);
  }

  const txHash = await signer.sendTransaction(sendTx);
  const receipt = await signer.waitForReceipt(txHash);
  if (receipt.status !== "success") {
    // The simulation passed, so the state changed in between (or the gas limit bound): replay on top of
    // the block that holds the failed send for a likely reason.
    const replay = await signer.call(sendTx, receipt.blockNumber);
    const detail = replay.reverted && replay.data ? revertToError(replay, context) : undefined;
    throw new CorridorError(SdkErrorCode.TxReverted, `send ${txHash} reverted${detail ? `: ${detail.message}` : ""}`, { ...context, txHash, approvalTxHash }, detail);
  }
  const sent = decodeGatewayLogs(receipt.logs).find((e) => e.name === "TransferSent" && isAddressEqual(e.log.address, gateway));
  if (!sent || sent.name !== "TransferSent") {
    throw new CorridorError(SdkErrorCode.EventMissing, `no TransferSent event from ${gateway} in ${txHash}`, { ...context, txHash });
  }
  return { id: sent.id, txHash, message: sent.message, ...(approvalTxHash ? { approvalTxHash } : {}) };
}

async function approveExactly(signer: CorridorSigner, token: Hex, spender: Hex, amount: bigint): Promise<{ hash: Hex; blockNumber: bigint }> {
  const tx = { to: token, data: encodeFunctionData({ abi: tokenAbi(), functionName: "approve", args: [spender, amount] }), gas: GAS.approve };
  const context = { step: "approve", token, spender, sender: signer.address };
  const sim = await signer.call(tx);
  if (sim.reverted) throw revertToError(sim, context);
  const hash = await signer.sendTransaction(tx);
  const receipt = await signer.waitForReceipt(hash);
  if (receipt.status !== "success") throw new CorridorError(SdkErrorCode.TxReverted, `approve ${hash} reverted`, { ...context, txHash: hash });
  return { hash, blockNumber: receipt.blockNumber };
}

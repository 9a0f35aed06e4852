import type { TransferOut } from "../../src/measure/transfer-out.js";

let next = 0;

/**
 * A hand-made row of results.json for tests of what reads them (reports, scorecard, pacs.008): a
 * transfer on `corridor` ("us:USD->uk:GBP") in `state`, with neutral values everywhere else; a
 * settled one has a payout and a rate, the others none. Tests override what they look at.
 */
export function transferOut(corridor = "us:USD->uk:GBP", state = "settled", overrides: Partial<TransferOut> = {}): TransferOut {
  const [src = "", dst = ""] = corridor.split("->");
  const [srcChain, input] = src.split(":") as [string, string];
  const [dstChain, output] = dst.split(":") as [string, string];
  const settled = state === "settled";
  const n = ++next;
  const id = `0x${n.toString(16).padStart(64, "0")}` as TransferOut["id"];
  return {
    id,
    index: n,
    sender: "0x1111111111111111111111111111111111111111",
    recipient: "0x2222222222222222222222222222222222222222",
    srcChain,
    dstChain,
    inputToken: { currency: input, address: "0x00000000000000000000000000000000000000a1" },
    outputToken: { currency: output, address: "0x00000000000000000000000000000000000000a2" },
    tier: "standard",
    mode: input === output ? "burnMint" : "lockRelease",
    amountIn: "100",
    fee: "0.1",
    amountOut: settled ? "74.9" : null,
    feePct: 0.1,
    rate: settled ? "0.75" : null,
    mid: settled ? "0.75" : null,
    fxCost: null,
    cost: null,
    state,
    refundReason: state === "refunded" ? "denied:SANCTIONED_RECIPIENT" : null,
    sourceReorged: false,
    compliance: { outcome: "allow" },
    liquidityWaitSeconds: null,
    fastAllowanceUsed: null,
    stages: {},
    settlementSeconds: null,
    srcTxHash: id,
    dstTxHash: null,
    ...overrides,
  };
}

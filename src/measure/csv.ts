import { closeSync, openSync, writeSync } from "node:fs";
import { stringify } from "csv-stringify/sync";
import { round, type TransferOut } from "./transfer-out.js";

/**
 * transfers.csv: one row per transfer, a header row, and columns that stay put (new columns are
 * only ever appended). Amounts in whole units of their currency; times in unix seconds (virtual
 * time); percentages of the amount sent; empty cells where a value does not apply. Each column is
 * its header and the path of its value in a TransferOut; csv-stringify quotes the cells (RFC 4180:
 * only cells with a comma, quote or line break are quoted; each row ends in "\n").
 */
const COLUMNS = {
  index: "index",
  id: "id",
  src_chain: "srcChain",
  dst_chain: "dstChain",
  input_currency: "inputToken.currency",
  output_currency: "outputToken.currency",
  tier: "tier",
  mode: "mode",
  state: "state",
  refund_reason: "refundReason",
  amount_in: "amountIn",
  fee: "fee",
  amount_out: "amountOut",
  rate: "rate",
  mid: "mid",
  fee_pct: "feePct",
  fx_cost_bps: "fxCost.bps",
  cost_pct: "cost.pct",
  gas_units: "gas.units",
  gas_usd: "gas.usd",
  gas_pct: "gas.pct",
  all_in_cost_pct: "allInCostPct",
  compliance_outcome: "compliance.outcome",
  compliance_reason: "compliance.reason",
  compliance_review: "compliance.reviewed",
  liquidity_wait_s: "liquidityWaitSeconds",
  fast_allowance_used: "fastAllowanceUsed",
  settlement_s: "settlementSeconds",
  // t_initiated … t_finalized: the stages' times
  ...Object.fromEntries(
    ["initiated", "confirmed", "screened", "held", "reviewed", "attested", "submitted", "settled", "refundAttested", "refunded", "finalized"].map((s) => [`t_${s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, `stages.${s}`]),
  ),
  sender: "sender",
  recipient: "recipient",
  src_tx: "srcTxHash",
  dst_tx: "dstTxHash",
};

export const TRANSFER_CSV_COLUMNS = Object.keys(COLUMNS);
const PATHS = Object.values(COLUMNS).map((path) => path.split("."));

/** Writes transfers.csv in chunks of rows (a 100,000-transfer run never builds one huge string). */
export function writeTransfersCsv(file: string, transfers: readonly TransferOut[]): void {
  const fd = openSync(file, "w");
  try {
    writeSync(fd, stringify([TRANSFER_CSV_COLUMNS], { record_delimiter: "unix" }));
    for (let i = 0; i < transfers.length; i += ROWS_PER_WRITE) {
      const rows = transfers.slice(i, i + ROWS_PER_WRITE).map((t) => {
        const withAllIn = { ...t, allInCostPct: t.state === "settled" && t.cost ? round(t.cost.pct + (t.gas?.pct ?? 0), 6) : null };
        return PATHS.map((path) => path.reduce<unknown>((v, key) => (v as Record<string, unknown> | null | undefined)?.[key], withAllIn));
      });
      writeSync(fd, stringify(rows, { record_delimiter: "unix" }));
    }
  } finally {
    closeSync(fd);
  }
}

const ROWS_PER_WRITE = 5_000;

import { closeSync, openSync, writeSync } from "node:fs";
import { stringify } from "csv-stringify/sync";
import { round, type TransferOut } from "./transfer-out.js";

/**
 * transfers.csv: one row per transfer, a header row, and columns that stay put (new columns are
 * only ever appended). Amounts in whole units of their currency; times in unix seconds (virtual
 * time); percentages of the amount sent; empty cells where a value does not apply.
 */
export const TRANSFER_CSV_COLUMNS = [
  "index",
  "id",
  "src_chain",
  "dst_chain",
  "input_currency",
  "output_currency",
  "tier",
  "mode",
  "state",
  "refund_reason",
  "amount_in",
  "fee",
  "amount_out",
  "rate",
  "mid",
  "fee_pct",
  "fx_cost_bps",
  "cost_pct",
  "gas_units",
  "gas_usd",
  "gas_pct",
  "all_in_cost_pct",
  "compliance_outcome",
  "compliance_reason",
  "compliance_review",
  "liquidity_wait_s",
  "fast_allowance_used",
  "settlement_s",
  "t_initiated",
  "t_confirmed",
  "t_screened",
  "t_held",
  "t_reviewed",
  "t_attested",
  "t_submitted",
  "t_settled",
  "t_refund_attested",
  "t_refunded",
  "t_finalized",
  "sender",
  "recipient",
  "src_tx",
  "dst_tx",
] as const;

type Cell = string | number | null | undefined;

function transferCsvRow(t: TransferOut): Cell[] {
  const st = t.stages;
  const allIn = t.state === "settled" && t.cost ? round(t.cost.pct + (t.gas?.pct ?? 0), 6) : null;
  return [
    t.index,
    t.id,
    t.srcChain,
    t.dstChain,
    t.inputToken.currency,
    t.outputToken.currency,
    t.tier,
    t.mode,
    t.state,
    t.refundReason,
    t.amountIn,
    t.fee,
    t.amountOut,
    t.rate,
    t.mid,
    t.feePct,
    t.fxCost?.bps,
    t.cost?.pct,
    t.gas?.units,
    t.gas?.usd,
    t.gas?.pct,
    allIn,
    t.compliance?.outcome,
    t.compliance?.reason,
    t.compliance?.reviewed,
    t.liquidityWaitSeconds,
    t.fastAllowanceUsed,
    t.settlementSeconds,
    st.initiated,
    st.confirmed,
    st.screened,
    st.held,
    st.reviewed,
    st.attested,
    st.submitted,
    st.settled,
    st.refundAttested,
    st.refunded,
    st.finalized,
    t.sender,
    t.recipient,
    t.srcTxHash,
    t.dstTxHash,
  ];
}

/** Rows as CSV (RFC 4180 quoting: only cells with a comma, quote or line break are quoted; each row ends in "\n"). */
function csvText(rows: Cell[][]): string {
  return stringify(rows, { record_delimiter: "unix" });
}

/** Writes transfers.csv in chunks of rows (a 100,000-transfer run never builds one huge string). */
export function writeTransfersCsv(file: string, transfers: readonly TransferOut[]): void {
  const fd = openSync(file, "w");
  try {
    writeSync(fd, csvText([[...TRANSFER_CSV_COLUMNS]]));
    for (let i = 0; i < transfers.length; i += ROWS_PER_WRITE) writeSync(fd, csvText(transfers.slice(i, i + ROWS_PER_WRITE).map(transferCsvRow)));
  } finally {
    closeSync(fd);
  }
}

const ROWS_PER_WRITE = 5_000;

import { closeSync, openSync, writeSync } from "node:fs";
import type { TransferOut } from "./transfer-out.js";

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

/** RFC 4180 quoting: only cells with a comma, quote or line break are quoted. */
function cell(v: Cell): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function transferCsvRow(t: TransferOut): string {
  const st = t.stages;
  const allIn = t.state === "settled" && t.cost ? round(t.cost.pct + (t.gas?.pct ?? 0), 6) : null;
  const row: Cell[] = [
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
  return row.map(cell).join(",");
}

/** The whole file as a string (small runs, tests). */
export function transfersCsv(transfers: readonly TransferOut[]): string {
  return [TRANSFER_CSV_COLUMNS.join(","), ...transfers.map(transferCsvRow)].join("\n") + "\n";
}

/** Writes transfers.csv in chunks (a 100,000-transfer run never builds one huge string). */
export function writeTransfersCsv(file: string, transfers: readonly TransferOut[]): void {
  const fd = openSync(file, "w");
  try {
    let buf = TRANSFER_CSV_COLUMNS.join(",") + "\n";
    for (const t of transfers) {
      buf += transferCsvRow(t) + "\n";
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = "";
      }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

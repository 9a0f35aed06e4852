import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRANSFER_CSV_COLUMNS, writeTransfersCsv } from "../../src/measure/csv.js";
import type { TransferOut } from "../../src/measure/transfer-out.js";

const A = `0x${"a".repeat(64)}` as const;
const B = `0x${"b".repeat(64)}` as const;
const SENDER = `0x${"1".repeat(40)}` as const;
const RECIPIENT = `0x${"2".repeat(40)}` as const;

const settled: TransferOut = {
  id: A,
  index: 0,
  sender: SENDER,
  recipient: RECIPIENT,
  srcChain: "us",
  dstChain: "uk",
  inputToken: { currency: "USD", address: SENDER },
  outputToken: { currency: "GBP", address: RECIPIENT },
  tier: "standard",
  mode: "burnMint",
  amountIn: "250",
  fee: "0.5",
  amountOut: "196.4",
  feePct: 0.2,
  rate: "0.7872",
  mid: "0.788",
  fxCost: { amount: "0.16", bps: 10.15 },
  cost: { amount: "0.55", pct: 0.22 },
  gas: { units: 120000, usd: 0.12, pct: 0.048 },
  state: "settled",
  refundReason: null,
  sourceReorged: false,
  compliance: { outcome: "allow" },
  liquidityWaitSeconds: null,
  fastAllowanceUsed: null,
  stages: { initiated: 1_700_000_000, confirmed: 1_700_000_780, screened: 1_700_000_781, attested: 1_700_000_782, submitted: 1_700_000_783, settled: 1_700_000_792 },
  settlementSeconds: 792,
  srcTxHash: A,
  dstTxHash: B,
};

/** A refund whose free-text cells hold every character RFC 4180 quotes, and cells a spreadsheet would read as formulas. */
const awkward: TransferOut = {
  ...settled,
  id: B,
  index: 1,
  amountOut: null,
  rate: null,
  mid: null,
  fxCost: null,
  cost: null,
  gas: null,
  state: "refunded",
  refundReason: 'sanctions:"OFAC, SDN"',
  compliance: { outcome: "deny", reason: "line one\nline two\r\nline three", hook: "sanctions", reviewed: "=HYPERLINK(\"x\")" },
  fastAllowanceUsed: "+12",
  inputToken: { currency: "-USD", address: SENDER },
  stages: { initiated: 1_700_000_000, refunded: 1_700_000_900 },
  settlementSeconds: null,
  dstTxHash: null,
};

function written(transfers: TransferOut[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "corridor-csv-")), "transfers.csv");
  writeTransfersCsv(file, transfers);
  return readFileSync(file, "utf8");
}

describe("transfers.csv", () => {
  it("writes the header and an ordinary transfer as plain comma-separated cells, empty where a value does not apply", () => {
    expect(written([settled])).toBe(
      [
        TRANSFER_CSV_COLUMNS.join(","),
        `0,${A},us,uk,USD,GBP,standard,burnMint,settled,,250,0.5,196.4,0.7872,0.788,0.2,10.15,0.22,120000,0.12,0.048,0.268,allow,,,,,792,1700000000,1700000780,1700000781,,,1700000782,1700000783,1700000792,,,,${SENDER},${RECIPIENT},${A},${B}`,
        "",
      ].join("\n"),
    );
  });

  it("quotes cells with commas, quotes and line breaks as RFC 4180 says, doubling the quotes, and leaves formula-like cells as they are", () => {
    const rows = written([awkward]).split("\n").slice(1).join("\n");
    expect(rows).toBe(
      `1,${B},us,uk,-USD,GBP,standard,burnMint,refunded,"sanctions:""OFAC, SDN""",250,0.5,,,,0.2,,,,,,,deny,"line one\nline two\r\nline three",` +
        `"=HYPERLINK(""x"")",,+12,,1700000000,,,,,,,,,1700000900,,${SENDER},${RECIPIENT},${A},\n`,
    );
  });

  it("writes every transfer, in order, past the rows of one write", () => {
    const many = Array.from({ length: 5_001 }, (_, i) => ({ ...settled, index: i }));
    const lines = written(many).trimEnd().split("\n");
    expect(lines).toHaveLength(5_002);
    expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(many.map((t) => t.index));
  });
});

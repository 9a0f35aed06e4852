/** A plain-text table: left-aligned text, right-aligned numbers. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || /^[-+]?[\d,.]+( ?[%a-zA-Z]+)?$/.test(String(r[i]))));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** Seconds as "14 s", "3 min 20 s", "1 h 05 min". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || Number.isNaN(seconds)) return "-";
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  // Round once, then split, so that 1799.6 s reads "30 min 00 s", not "29 min 60 s".
  if (seconds < 3600) {
    const whole = Math.round(seconds);
    return whole < 3600 ? `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s` : "1 h 00 min";
  }
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

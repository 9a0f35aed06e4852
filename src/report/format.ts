/** Number and time formats for reports, written out for readers who are not engineers. Deterministic (no locale). */

const INT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0, signDisplay: "negative" });
/** 1234567 -> "1,234,567" (halves rounded away from zero). */
export const formatInt = (n: number): string => INT.format(n);

/** A decimal string of whole units with thousands separators: "12834.061267" -> "12,834.06" (2 places). */
export function formatMoney(amount: string | number, currency?: string, places = 2): string {
  const n = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(n)) return `${amount}${currency ? ` ${currency}` : ""}`;
  const [whole = "0", frac = ""] = Math.abs(n).toFixed(places).split(".");
  const text = `${n < 0 ? "-" : ""}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${frac ? `.${frac}` : ""}`;
  return currency ? `${text} ${currency}` : text;
}

/** A share in [0, 1] as a percentage: 0.98 -> "98%", 0.975 -> "97.5%". */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || Number.isNaN(share)) return "–";
  const v = Math.round(share * 1000) / 10;
  return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)}%`;
}

/** A percentage: 0.19365 -> "0.19%". */
export function formatPct(pct: number | null | undefined, places = 2): string {
  if (pct === null || pct === undefined || Number.isNaN(pct)) return "–";
  return `${pct.toFixed(places)}%`;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
const oneDecimal = (x: number) => {
  const r = Math.round(x * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
};

/** Seconds in words: "24 seconds", "13 minutes", "2.5 minutes", "1 hour 5 minutes", "3 days 2 hours". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "–";
  const s = Math.max(0, seconds);
  if (s < 60) {
    const v = s < 10 ? oneDecimal(s) : String(Math.round(s));
    return `${v} second${v === "1" ? "" : "s"}`;
  }
  if (s < 3600) {
    const m = s / 60;
    const v = m < 10 ? oneDecimal(m) : String(Math.round(m));
    if (v === "60") return "1 hour";
    return `${v} minute${v === "1" ? "" : "s"}`;
  }
  if (s < 86_400) {
    let h = Math.floor(s / 3600);
    let m = Math.round((s - h * 3600) / 60);
    if (m === 60) {
      h++;
      m = 0;
    }
    return m ? `${plural(h, "hour")} ${plural(m, "minute")}` : plural(h, "hour");
  }
  const d = Math.floor(s / 86_400);
  const h = Math.round((s - d * 86_400) / 3600);
  return h ? `${plural(d, "day")} ${plural(h, "hour")}` : plural(d, "day");
}

/** Seconds to the tenth under a minute and to the second above, for figures compared closely (intervals): "2.3 s", "14 min 02 s", "1 h 05 min 12 s". */
export function formatSecondsExact(seconds: number): string {
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, "0");
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${two(whole % 60)} s`;
  return `${Math.floor(whole / 3600)} h ${two(Math.floor((whole % 3600) / 60))} min ${two(whole % 60)} s`;
}

/** Unix seconds as "2026-06-01 09:52:12 UTC". */
export function formatUtc(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
}

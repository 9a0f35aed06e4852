/**
 * Business days for redemption deadlines and the settlement of reserve sales: Monday to Friday in
 * UTC. Bank holidays are not modelled (a deadline that would fall on one is a day early here).
 * Days are counted as whole UTC days since 1970-01-01 (a Thursday).
 */
const DAY = 86_400;

/** The UTC day of unix time `t`. */
export const dayOf = (t: number): number => Math.floor(t / DAY);

/** Monday to Friday. */
export const isBusinessDay = (day: number): boolean => {
  const weekday = (day + 4) % 7; // 0 = Sunday
  return weekday !== 0 && weekday !== 6;
};

/** The business day `n` business days after `day` (n = 0: `day` itself if a business day, else the next one). */
export function addBusinessDays(day: number, n: number): number {
  let d = day;
  while (!isBusinessDay(d)) d++;
  for (let i = 0; i < n; i++) {
    d++;
    while (!isBusinessDay(d)) d++;
  }
  return d;
}

/** The business day a request made at `t` counts as received: that day, or the next business day. */
export const receiptDay = (t: number): number => addBusinessDays(dayOf(t), 0);

/** The last second of UTC day `day`. */
export const endOfDay = (day: number): number => (day + 1) * DAY - 1;

/** When a sale of reserve assets settling on `day` pays: noon UTC (ASSUMPTION: delivery-versus-payment settles through the day). */
export const settlementTime = (day: number): number => day * DAY + DAY / 2;

/** The deadline "by the end of the business day after the request" for a request at `t`. */
export const endOfNextBusinessDay = (t: number): number => endOfDay(addBusinessDays(receiptDay(t), 1));

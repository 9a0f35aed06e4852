/** JSON that keeps bigints: written as {"$bigint":"123"}, read back as 123n. */
export const bigintReplacer = (_k: string, v: unknown): unknown => (typeof v === "bigint" ? { $bigint: v.toString() } : v);

export function stringifyWithBigints(value: unknown, space?: number): string {
  return JSON.stringify(value, bigintReplacer, space);
}

export function parseWithBigints<T = unknown>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$bigint === "string" && Object.keys(o).length === 1 && /^-?\d+$/.test(o.$bigint)) return BigInt(o.$bigint);
    }
    return v;
  }) as T;
}

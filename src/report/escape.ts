/** Escaping for text placed in HTML or XML (element content and quoted attribute values alike). */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes &, <, >, " and ' so any string is safe as HTML text or inside a quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * Escapes for XML 1.0 text and attributes (&apos; rather than the HTML numeric form) and drops
 * characters XML 1.0 cannot carry at all (C0 controls other than tab, newline and return).
 */
export function escapeXml(value: unknown): string {
  return String(value)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[&<>"']/g, (c) => (c === "'" ? "&apos;" : ENTITIES[c]!));
}

/**
 * A small strict XML 1.0 parser for the documents Corridor writes and checks (pacs.008).
 *
 * Well-formedness only, and strict about it: one root element, matching end tags, quoted and
 * unique attributes, no `<` in attribute values, only the five predefined entities and character
 * references, comments, CDATA and processing instructions allowed; a DOCTYPE is refused (no
 * entity expansion, no external fetch). Errors name the line and column.
 */

export interface XmlElement {
  /** The qualified name as written, e.g. "Document" or "ns:Document". */
  name: string;
  /** The name without its prefix. */
  local: string;
  prefix: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Direct text content (entities decoded), concatenated. */
  text: string;
  line: number;
  col: number;
}

export class XmlSyntaxError extends Error {
  override readonly name = "XmlSyntaxError";
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(`line ${line}, column ${col}: ${message}`);
  }
}

const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  const src = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const lineStarts = [0];
  for (let k = 0; k < src.length; k++) if (src.charCodeAt(k) === 10) lineStarts.push(k + 1);
  const where = (at: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: at - lineStarts[lo]! + 1 };
  };
  const fail = (message: string, at: number): never => {
    const p = where(at);
    throw new XmlSyntaxError(message, p.line, p.col);
  };

  let i = 0;
  const startsWith = (s: string) => src.startsWith(s, i);
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const readName = (what: string): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) fail(`expected ${what}`, i);
    i += m![0].length;
    return m![0];
  };
  const decode = (raw: string, at: number): string =>
    raw.replace(/&([^;&\s]*);?/g, (whole, ref: string, offset: number) => {
      if (!whole.endsWith(";")) fail(`"&" must start an entity or character reference (write &amp;)`, at + offset);
      if (ref in PREDEFINED) return PREDEFINED[ref]!;
      const code = /^#x[0-9a-fA-F]+$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
      if (Number.isNaN(code)) return fail(`unknown entity "&${ref};"`, at + offset);
      if (code === 0 || code > 0x10ffff) return fail(`invalid character reference "&${ref};"`, at + offset);
      return String.fromCodePoint(code);
    });
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (startsWith("<!--")) {
        const end = src.indexOf("-->", i + 4);
        if (end < 0) fail("unterminated comment", i);
        i = end + 3;
      } else if (startsWith("<!DOCTYPE") || startsWith("<!doctype")) {
        fail("DOCTYPE declarations are not accepted", i);
      } else if (startsWith("<?")) {
        const end = src.indexOf("?>", i + 2);
        if (end < 0) fail("unterminated processing instruction", i);
        i = end + 2;
      } else return;
    }
  };

  const parseElement = (): XmlElement => {
    const start = i;
    i++; // "<"
    const name = readName("an element name");
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = i;
      skipSpace();
      if (startsWith("/>") || startsWith(">")) break;
      if (i === before) fail(`expected whitespace, ">" or "/>" in <${name}>`, i);
      const attrAt = i;
      const attr = readName("an attribute name");
      skipSpace();
      if (src[i] !== "=") fail(`expected "=" after attribute ${attr}`, i);
      i++;
      skipSpace();
      const quote = src[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} must be quoted`, i);
      const end = src.indexOf(quote!, i + 1);
      if (end < 0) fail(`unterminated value of attribute ${attr}`, i);
      const raw = src.slice(i + 1, end);
      const lt = raw.indexOf("<");
      if (lt >= 0) fail(`"<" is not allowed in attribute values`, i + 1 + lt);
      if (attr in attrs) fail(`duplicate attribute ${attr}`, attrAt);
      attrs[attr] = decode(raw, i + 1);
      i = end + 1;
    }
    const colon = name.indexOf(":");
    const pos = where(start);
    const el: XmlElement = { name, local: colon >= 0 ? name.slice(colon + 1) : name, prefix: colon >= 0 ? name.slice(0, colon) : "", attrs, children: [], text: "", ...pos };
    if (startsWith("/>")) {
      i += 2;
      return el;
    }
    i++; // ">"
    const text: string[] = [];
    for (;;) {
      if (i >= src.length) fail(`<${name}> is not closed`, start);
      if (startsWith("</")) {
        i += 2;
        const closing = readName("an end-tag name");
        if (closing !== name) fail(`end tag </${closing}> does not match <${name}> (opened at line ${pos.line})`, i - closing.length - 2);
        skipSpace();
        if (src[i] !== ">") fail(`expected ">" to end </${closing}>`, i);
        i++;
        el.text = text.join("");
        return el;
      }
      if (startsWith("<!--")) {
        const end = src.indexOf("-->", i + 4);
        if (end < 0) fail("unterminated comment", i);
        i = end + 3;
      } else if (startsWith("<![CDATA[")) {
        const end = src.indexOf("]]>", i + 9);
        if (end < 0) fail("unterminated CDATA section", i);
        text.push(src.slice(i + 9, end));
        i = end + 3;
      } else if (startsWith("<?")) {
        const end = src.indexOf("?>", i + 2);
        if (end < 0) fail("unterminated processing instruction", i);
        i = end + 2;
      } else if (startsWith("<!")) {
        fail("unexpected markup declaration", i);
      } else if (src[i] === "<") {
        el.children.push(parseElement());
      } else {
        const end = src.indexOf("<", i);
        const stop = end < 0 ? src.length : end;
        const raw = src.slice(i, stop);
        const gt = raw.indexOf("]]>");
        if (gt >= 0) fail(`"]]>" is not allowed in text`, i + gt);
        text.push(decode(raw, i));
        i = stop;
      }
    }
  };

  if (startsWith("<?xml")) {
    const end = src.indexOf("?>", i);
    if (end < 0) fail("unterminated XML declaration", i);
    if (!/^<\?xml\s+version\s*=\s*["']1\.[0-9]["']/.test(src.slice(i, end))) fail("the XML declaration must start with version=\"1.0\"", i);
    i = end + 2;
  }
  skipMisc();
  if (src[i] !== "<") fail(i >= src.length ? "no root element" : "text before the root element", i);
  const root = parseElement();
  skipMisc();
  if (i < src.length) fail("content after the root element", i);
  return root;
}

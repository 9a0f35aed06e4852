/**
 * Checks an ISO 20022 document against the official XSD of its message, shipped in data/iso20022/
 * (source and licence in data/README.md), with libxml2 (npm xmllint-wasm: libxml2's xmllint
 * compiled to WebAssembly, run in a worker thread; no native build).
 */
import { readFileSync } from "node:fs";
import { memoryPages, validateXML } from "xmllint-wasm";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import { dataset } from "../data/manifest.js";

/** The ISO 20022 messages Corridor writes, each with the data set (data/manifest.json) of its official schema. */
const SCHEMA_DATASET = { "pacs.008.001.09": "iso20022-pacs008" } as const;
export type Iso20022Message = keyof typeof SCHEMA_DATASET;

/** The XML namespace of a message's documents. */
export function iso20022Namespace(message: Iso20022Message): string {
  return `urn:iso:std:iso:20022:tech:xsd:${message}`;
}

const schemas = new Map<Iso20022Message, string>();

function schemaText(message: Iso20022Message): string {
  let text = schemas.get(message);
  if (text === undefined) {
    const file = dataset(SCHEMA_DATASET[message]).path;
    try {
      text = readFileSync(file, "utf8");
    } catch (cause) {
      throw new CorridorError(ErrorCode.DataInvalid, `cannot read the ISO 20022 schema ${file}`, { file }, cause);
    }
    schemas.set(message, text);
  }
  return text;
}

/**
 * libxml2's parser holds the document and its tree in WebAssembly memory (at most 4 GiB): room
 * for twelve times the text (eight was measured enough, four too little), at least the default.
 */
function memoryFor(xml: string): number {
  const pages = Math.ceil((12 * Buffer.byteLength(xml, "utf8")) / (64 * 1024));
  return Math.min(memoryPages.max, Math.max(memoryPages.defaultMaxMemoryPages, pages));
}

/**
 * Resolves if `xml` is valid against the official schema of `message`; otherwise throws
 * CORRIDOR_EXPORT_INVALID whose message is libxml2's, one line per error ("line 28: Schemas
 * validity error : Element '{urn:…}IntrBkSttlmAmt', attribute 'Ccy': [facet 'pattern'] …"),
 * the lines also in `details.errors`.
 */
export async function assertValidIso20022(xml: string, message: Iso20022Message): Promise<void> {
  const document = `${message}.xml`;
  const check = (stream: boolean) =>
    validateXML({
      xml: [{ fileName: document, contents: xml }],
      schema: [{ fileName: `${message}.xsd`, contents: schemaText(message) }],
      ...(stream ? { stream } : { maxMemoryPages: memoryFor(xml) }),
    });
  let result;
  try {
    // libxml2's reader validates as it reads: a large export (160 MB measured) fits in the default
    // 32 MiB. It fails a document that is not well-formed without saying why; the parser says.
    result = await check(true).catch(() => check(false));
  } catch (cause) {
    throw new CorridorError("CORRIDOR_EXPORT_INVALID", `libxml2 could not check the ${message} document: ${(cause as Error)?.message ?? String(cause)}`, { message }, cause);
  }
  if (result.valid) return;
  const errors = result.errors
    .map((e) => (e.loc?.fileName === document ? `line ${e.loc.lineNumber}: ${e.message}` : e.rawMessage))
    .filter((line) => line.trim() !== "")
    // libxml2 quotes the offending text; a control character from a crafted results.json is shown, not sent to the terminal
    .map((line) => line.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  throw new CorridorError("CORRIDOR_EXPORT_INVALID", `the ${message} document does not validate against the official ISO 20022 schema (libxml2):\n${errors.join("\n")}`, { message, errors });
}

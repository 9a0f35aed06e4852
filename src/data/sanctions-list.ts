/**
 * Loads address lists (sanctions lists, KYC allowlists) in either of two formats, one entry a line,
 * `#` starting a comment:
 *   - one address per line (data/ofac-sdn-eth-addresses.txt);
 *   - CSV `address,asset` (data/ofac-sdn-evm-addresses-2025-11-19.csv), with or without that
 *     header: one row per listing, so an address listed for several assets has several rows.
 * Addresses are EVM addresses: whatever asset a row names, the address is screened on every chain,
 * once (duplicates are merged). Mixed-case addresses must carry a valid EIP-55 checksum.
 *
 * A sanctions list has an as-of date, taken from, in order:
 *   1. the date given with it (`asOf` in the scenario's sanctions hook, or `--sanctions-as-of`);
 *   2. a comment line in the file: `# as of 2026-01-05` (or `# as-of: 2026-01-05`);
 *   3. data/manifest.json, for a shipped list;
 *   4. a date YYYY-MM-DD in the file's name (`sdn-2026-01-05.csv`).
 * A list with none of these is refused (CORRIDOR_DATA_DATE_INVALID): a run says which list it screened against.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, isAbsolute, resolve } from "node:path";
import { isAddress } from "viem";
import { isCalendarDate } from "../domain/clock.js";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import { packagePath } from "../paths.js";
import { dataset, datasetAt } from "./manifest.js";

/** The default sanctions list: the manifest's "ofac-sdn" (the OFAC SDN list's EVM addresses, 2025-11-19). */
export const DEFAULT_SANCTIONS_DATASET = "ofac-sdn";
export const DEFAULT_SANCTIONS_FILE = dataset(DEFAULT_SANCTIONS_DATASET).path;

/** A list file's contents. */
export interface ParsedList {
  /** Distinct addresses, lowercase. */
  addresses: Set<string>;
  /** Rows (listings): more than the addresses when an address is listed for several assets. */
  listings: number;
  /** Listings per asset, for a CSV list. */
  assets: Record<string, number>;
  /** The date of a `# as of YYYY-MM-DD` comment, if any. */
  asOf?: string;
}

const AS_OF_COMMENT = /^#\s*as[\s-]of:?\s*(\S+)/i;
const ASSET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;

/** Parses list text in either format; `source` names the file in errors. */
export function parseAddressList(text: string, source = "<address list>"): ParsedList {
  const addresses = new Set<string>();
  const assets: Record<string, number> = {};
  let listings = 0;
  let asOf: string | undefined;
  let seenEntry = false;
  const bad = (line: number, message: string, entry: string) =>
    new CorridorError(ErrorCode.DataInvalid, `${source}:${line}: ${message}: "${entry.slice(0, 80)}"`, { file: source, line, entry: entry.slice(0, 200) });
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    const dated = AS_OF_COMMENT.exec(trimmed);
    if (dated) {
      if (!isCalendarDate(dated[1]!)) {
        throw new CorridorError(ErrorCode.DataDateInvalid, `${source}:${line}: the as-of date "${dated[1]!.slice(0, 40)}" is not a calendar date YYYY-MM-DD`, { file: source, line });
      }
      asOf = dated[1]!;
      return;
    }
    const hash = raw.indexOf("#");
    const entry = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (entry === "") return;
    const first = !seenEntry;
    seenEntry = true;
    if (first && /^address\s*,\s*asset$/i.test(entry)) return; // the CSV header
    const fields = entry.split(",").map((f) => f.trim());
    if (fields.length > 2) throw bad(line, "expected an address, or address,asset", entry);
    const [address = "", asset] = fields;
    if (!isAddress(address)) throw bad(line, "not an address (or a bad checksum)", address);
    if (asset !== undefined) {
      if (!ASSET.test(asset)) throw bad(line, "not an asset ticker", asset);
      assets[asset.toUpperCase()] = (assets[asset.toUpperCase()] ?? 0) + 1;
    }
    listings++;
    addresses.add(address.toLowerCase());
  });
  return { addresses, listings, assets, ...(asOf === undefined ? {} : { asOf }) };
}

function readList(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (cause) {
    throw new CorridorError(ErrorCode.DataInvalid, `cannot read ${what} ${file}`, { file }, cause);
  }
}

/** Reads a list file's addresses (no date needed: a KYC allowlist); the compliance registry's `deps.loadAddressList`. */
export function loadAddressList(file: string = DEFAULT_SANCTIONS_FILE): Set<string> {
  return parseAddressList(readList(file, "address list"), file).addresses;
}

/** A sanctions list as a run uses it: its addresses, its as-of date and where that date came from. */
export interface SanctionsList extends ParsedList {
  file: string;
  asOf: string;
  asOfFrom: "given" | "file" | "manifest" | "file name";
  /** The manifest's data set, for a shipped list. */
  dataset?: string;
  source?: string;
}

/** Reads a sanctions list with its as-of date (see the top of this file); the compliance registry's `deps.loadSanctionsList`. */
export function loadSanctionsList(file: string = DEFAULT_SANCTIONS_FILE, asOf?: string): SanctionsList {
  if (asOf !== undefined && !isCalendarDate(asOf)) {
    throw new CorridorError(ErrorCode.DataDateInvalid, `the as-of date "${asOf.slice(0, 40)}" of ${file} is not a calendar date YYYY-MM-DD`, { file, asOf: asOf.slice(0, 40) });
  }
  const parsed = parseAddressList(readList(file, "sanctions list"), file);
  const shipped = datasetAt(file);
  const named = /(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1];
  const date: Pick<SanctionsList, "asOf" | "asOfFrom"> | undefined =
    asOf !== undefined
      ? { asOf, asOfFrom: "given" }
      : parsed.asOf !== undefined
        ? { asOf: parsed.asOf, asOfFrom: "file" }
        : shipped
          ? { asOf: shipped.asOf, asOfFrom: "manifest" }
          : named !== undefined && isCalendarDate(named)
            ? { asOf: named, asOfFrom: "file name" }
            : undefined;
  if (!date) {
    throw new CorridorError(
      ErrorCode.DataDateInvalid,
      `the sanctions list ${file} has no as-of date: give one ("asOf" in the sanctions hook, or --sanctions-as-of YYYY-MM-DD), or put a line "# as of YYYY-MM-DD" in the file`,
      { file },
    );
  }
  return { ...parsed, ...date, file, ...(shipped ? { dataset: shipped.name, source: shipped.source } : {}) };
}

/** The loaders the compliance registry takes as `deps`. */
export const LIST_LOADERS = { loadAddressList, loadSanctionsList } as const;

/**
 * Where a list file named in a scenario is: an absolute path as it is; a relative one next to the
 * scenario file if it exists there, else in the package (`data/…`).
 */
export function resolveListFile(file: string, scenarioDir?: string): string {
  if (isAbsolute(file)) return file;
  const near = scenarioDir ? resolve(scenarioDir, file) : undefined;
  return near && existsSync(near) ? near : packagePath(file);
}

/** Loads address lists (sanctions, KYC allowlists): one address per line, `#` starts a comment. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isAddress } from "viem";
import { CorridorError, ErrorCode } from "../domain/errors.js";

/** data/ofac-sdn-eth-addresses.txt in the package: the OFAC SDN ETH addresses, 2024-09-27 snapshot. */
export const DEFAULT_SANCTIONS_FILE = fileURLToPath(new URL("../../data/ofac-sdn-eth-addresses.txt", import.meta.url));

/**
 * Parses list text into a set of lowercase addresses. Mixed-case addresses must carry a valid
 * EIP-55 checksum (viem isAddress, strict). `source` names the file in errors.
 */
export function parseAddressList(text: string, source = "<address list>"): Set<string> {
  const set = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf("#");
    const entry = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (entry === "") return;
    if (!isAddress(entry)) {
      throw new CorridorError(ErrorCode.DataInvalid, `${source}:${i + 1}: not an address (or a bad checksum): "${entry}"`, { file: source, line: i + 1, entry });
    }
    set.add(entry.toLowerCase());
  });
  return set;
}

/** Reads and parses a list file; use as the compliance registry's `deps.loadAddressList`. */
export function loadAddressList(file: string = DEFAULT_SANCTIONS_FILE): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new CorridorError(ErrorCode.DataInvalid, `cannot read address list ${file}`, { file }, cause);
  }
  return parseAddressList(text, file);
}

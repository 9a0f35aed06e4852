import { readFileSync } from "node:fs";
import type { Abi, Hex } from "viem";
import { CorridorError } from "../domain/errors.js";
import { packagePath } from "../paths.js";

export interface Artifact {
  contractName: string;
  abi: Abi;
  bytecode: Hex;
}

const cache = new Map<string, Artifact>();

/**
 * Loads a compiled contract from Hardhat's artifacts folder (`npm run build:contracts`
 * writes them; `npm start` and `npm test` build first).
 * @param name contract name; `source` defaults to `${name}.sol` under contracts/.
 */
export function loadArtifact(name: string, source = `${name}.sol`): Artifact {
  const key = `${source}:${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = packagePath("artifacts", "contracts", source, `${name}.json`);
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (cause) {
    throw new CorridorError("CORRIDOR_ARTIFACT_MISSING", `contract artifact ${name} not found; run \`npm run build:contracts\``, { file }, cause);
  }
  const json = JSON.parse(raw) as { contractName: string; abi: Abi; bytecode: Hex };
  const artifact = { contractName: json.contractName, abi: json.abi, bytecode: json.bytecode };
  cache.set(key, artifact);
  return artifact;
}

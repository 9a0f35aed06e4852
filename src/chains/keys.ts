import { toHex, type Hex } from "viem";
import { addressOf, keccak256 } from "../crypto/native.js";

/**
 * Deterministic test keys: keccak256("corridor/<seed>/<role>/<index>"). Every role gets its
 * own keys (sender, relayer, attesters, quoter, deployer are all distinct). These are for
 * local and test chains only; for a public testnet a user passes real keys in a config file.
 */
export function testKey(seed: string | number, role: string, index = 0): Hex {
  return keccak256(toHex(`corridor/${seed}/${role}/${index}`));
}

export interface KeyPair {
  privateKey: Hex;
  address: Hex;
}

export function testKeyPair(seed: string | number, role: string, index = 0): KeyPair {
  const privateKey = testKey(seed, role, index);
  return { privateKey, address: addressOf(privateKey) };
}

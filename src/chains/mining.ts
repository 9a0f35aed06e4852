import { toHex } from "viem";
import type { Chain } from "./chain.js";

/**
 * Block production control for local chains (Hardhat EDR, hardhat node, anvil). Under
 * virtual time the simulator owns block production: automine off, each block stamped
 * with the virtual time at which it is produced.
 */
export async function setAutomine(chain: Chain, on: boolean): Promise<void> {
  await chain.request("evm_setAutomine", [on]);
}

/** Mine one block, with every pending transaction, stamped `timestamp` (unix seconds). */
export async function mineBlockAt(chain: Chain, timestamp: number): Promise<void> {
  await chain.request("evm_mine", [timestamp]);
}

/**
 * Mine `count` empty blocks `interval` seconds apart in one call (hardhat_mine / anvil_mine):
 * the cheap way to let time and block height advance when nothing is pending.
 */
export async function mineEmptyBlocks(chain: Chain, count: number, interval: number): Promise<void> {
  if (count <= 0) return;
  await chain.request("hardhat_mine", [toHex(count), toHex(Math.max(1, Math.round(interval)))]);
}

export interface BlockHeader {
  number: number;
  timestamp: number;
  hash: `0x${string}`;
  /** The parent's hash, where the node gives it (every node does; lets a watcher check its last block without reading it). */
  parentHash?: `0x${string}`;
}

export async function getBlock(chain: Chain, tag: "latest" | number = "latest"): Promise<BlockHeader> {
  const b = await chain.request<{ number: string; timestamp: string; hash: `0x${string}`; parentHash?: `0x${string}` } | null>("eth_getBlockByNumber", [
    typeof tag === "number" ? toHex(tag) : tag,
    false,
  ]);
  if (!b) throw new Error(`block ${tag} not found on ${chain.name}`);
  return { number: Number(b.number), timestamp: Number(b.timestamp), hash: b.hash, ...(b.parentHash ? { parentHash: b.parentHash } : {}) };
}

import { z } from "zod";

/**
 * A chain's timing model: block time and the confirmations each tier waits for.
 * Figures from Circle's CCTP documentation ("Finality and block confirmations") and chain
 * documentation (data/chain-profiles.json). For rollups whose Standard finality is the L1
 * finality of their batch, Standard is modelled as the number of L2 blocks in `standardFinalitySeconds`.
 */
export const ChainProfileSchema = z.object({
  blockTimeSeconds: z.number().positive(),
  fastConfirmations: z.number().int().positive().nullable(),
  standardConfirmations: z.number().int().positive(),
  /** Published attestation time for Fast, seconds (for calibration and reports). */
  publishedFastSeconds: z.number().positive().nullable(),
  /** Published attestation time for Standard, [min, max] minutes. */
  publishedStandardMinutes: z.tuple([z.number(), z.number()]).nullable(),
  /**
   * Finality by epochs (Ethereum's Casper FFG: 32 slots an epoch, a block final once the checkpoint
   * after it is two epochs deep): a block is final when a checkpoint (a block number ≡ `epochPhase`
   * mod `finalityEpochBlocks`) after it has `2 × finalityEpochBlocks - 1` blocks on top. So a send
   * waits 2e+1 to 3e confirmations by where it lands in its epoch (65 to 96 blocks, 13 to 19.2 min on
   * Ethereum: Circle's published 13–19 min). Without it, Standard waits `standardConfirmations`.
   */
  finalityEpochBlocks: z.number().int().positive().optional(),
  /** Where the epochs start on this chain's block numbers (a run draws it from its seed per chain). */
  epochPhase: z.number().int().nonnegative().optional(),
});
export type ChainProfile = z.infer<typeof ChainProfileSchema>;

/** L1 finality that Standard transfers on an Ethereum rollup wait for: about two epochs plus batch posting (~15.5 min). */
const ROLLUP_FINALITY_SECONDS = 15.5 * 60;

export const CHAIN_PROFILES: Record<string, ChainProfile> = {
  ethereum: { blockTimeSeconds: 12, fastConfirmations: 2, standardConfirmations: 65, publishedFastSeconds: 20, publishedStandardMinutes: [13, 19], finalityEpochBlocks: 32 },
  base: { blockTimeSeconds: 2, fastConfirmations: 1, standardConfirmations: Math.ceil(ROLLUP_FINALITY_SECONDS / 2), publishedFastSeconds: 8, publishedStandardMinutes: [13, 19] },
  arbitrum: { blockTimeSeconds: 0.25, fastConfirmations: 1, standardConfirmations: Math.ceil(ROLLUP_FINALITY_SECONDS / 0.25), publishedFastSeconds: 8, publishedStandardMinutes: [13, 19] },
  optimism: { blockTimeSeconds: 2, fastConfirmations: 1, standardConfirmations: Math.ceil(ROLLUP_FINALITY_SECONDS / 2), publishedFastSeconds: 8, publishedStandardMinutes: [13, 19] },
  avalanche: { blockTimeSeconds: 2, fastConfirmations: null, standardConfirmations: 1, publishedFastSeconds: null, publishedStandardMinutes: [8 / 60, 8 / 60] },
  polygon: { blockTimeSeconds: 2, fastConfirmations: null, standardConfirmations: 3, publishedFastSeconds: null, publishedStandardMinutes: [8 / 60, 8 / 60] },
  /** An instant local chain: one-second blocks, final at once. */
  local: { blockTimeSeconds: 1, fastConfirmations: 1, standardConfirmations: 1, publishedFastSeconds: null, publishedStandardMinutes: null },
};

/**
 * The newest block that is final when `head` is the chain's newest: `head - standardConfirmations + 1`,
 * or under epoch finality the block before the newest checkpoint with 2e-1 blocks on top.
 */
export function finalBlockAt(profile: ChainProfile, head: number): number {
  const e = profile.finalityEpochBlocks;
  if (!e) return head - profile.standardConfirmations + 1;
  const limit = head - 2 * e + 1;
  const phase = (profile.epochPhase ?? 0) % e;
  return limit - ((((limit - phase) % e) + e) % e) - 1;
}

/** Whether a block is at the tier's depth when `head` is the newest (Standard: final). */
export function atDepth(profile: ChainProfile, tier: "fast" | "standard", block: number, head: number): boolean {
  return tier === "fast" && profile.fastConfirmations != null ? head - block + 1 >= profile.fastConfirmations : block <= finalBlockAt(profile, head);
}

/** The most confirmations Standard can wait for (3e under epoch finality). */
export const maxFinalityDepth = (profile: ChainProfile): number => (profile.finalityEpochBlocks ? 3 * profile.finalityEpochBlocks : profile.standardConfirmations);

/** A profile with its epochs placed at `phase` (drawn per chain from a run's seed). */
export const withEpochPhase = (profile: ChainProfile, draw: (e: number) => number): ChainProfile =>
  profile.finalityEpochBlocks ? { ...profile, epochPhase: draw(profile.finalityEpochBlocks) } : profile;

export function confirmationsFor(profile: ChainProfile, tier: "fast" | "standard"): number {
  // A chain without a Fast mode (instant finality) settles Fast transfers at Standard depth.
  return tier === "fast" ? (profile.fastConfirmations ?? profile.standardConfirmations) : profile.standardConfirmations;
}

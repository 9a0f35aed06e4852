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
});
export type ChainProfile = z.infer<typeof ChainProfileSchema>;

/** L1 finality that Standard transfers on an Ethereum rollup wait for: about two epochs plus batch posting (~15.5 min). */
const ROLLUP_FINALITY_SECONDS = 15.5 * 60;

export const CHAIN_PROFILES: Record<string, ChainProfile> = {
  ethereum: { blockTimeSeconds: 12, fastConfirmations: 2, standardConfirmations: 65, publishedFastSeconds: 20, publishedStandardMinutes: [13, 19] },
  base: { blockTimeSeconds: 2, fastConfirmations: 1, standardConfirmations: Math.ceil(ROLLUP_FINALITY_SECONDS / 2), publishedFastSeconds: 8, publishedStandardMinutes: [13, 19] },
  arbitrum: { blockTimeSeconds: 0.25, fastConfirmations: 1, standardConfirmations: Math.ceil(ROLLUP_FINALITY_SECONDS / 0.25), publishedFastSeconds: 8, publishedStandardMinutes: [13, 19] },
  optimism: { blockTimeSeconds: 2, fastConfirmations: 1, standardConfirmations: Math.ceil(ROLLUP_FINALITY_SECONDS / 2), publishedFastSeconds: 8, publishedStandardMinutes: [13, 19] },
  avalanche: { blockTimeSeconds: 2, fastConfirmations: null, standardConfirmations: 1, publishedFastSeconds: null, publishedStandardMinutes: [8 / 60, 8 / 60] },
  polygon: { blockTimeSeconds: 2, fastConfirmations: null, standardConfirmations: 3, publishedFastSeconds: null, publishedStandardMinutes: [8 / 60, 8 / 60] },
  /** An instant local chain: one-second blocks, final at once. */
  local: { blockTimeSeconds: 1, fastConfirmations: 1, standardConfirmations: 1, publishedFastSeconds: null, publishedStandardMinutes: null },
};

export function confirmationsFor(profile: ChainProfile, tier: "fast" | "standard"): number {
  // A chain without a Fast mode (instant finality) settles Fast transfers at Standard depth.
  return tier === "fast" ? (profile.fastConfirmations ?? profile.standardConfirmations) : profile.standardConfirmations;
}

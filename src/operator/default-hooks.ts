import type { HookSpec } from "../domain/compliance/registry.js";
import { DEFAULT_SANCTIONS_FILE } from "../data/sanctions-list.js";

/**
 * The default off-chain pipeline: OFAC screening, limits, travel rule (each source jurisdiction's
 * legal threshold from the corridor spec), manual review. Amounts are in the corridor's numeraire.
 */
export const DEFAULT_HOOKS: HookSpec[] = [
  { hook: "sanctions", listFile: DEFAULT_SANCTIONS_FILE },
  { hook: "limits", perTransfer: 25_000, daily: 50_000 },
  { hook: "travelRule", onMissing: "hold", onInvalid: "deny", reviewSeconds: 1800 },
  { hook: "manualReview", above: 10_000, reviewSeconds: 900 },
];

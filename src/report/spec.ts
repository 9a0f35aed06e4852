/**
 * The corridor spec of a run's scenario. A parsed scenario carries it (`scenario.spec`); a
 * results.json written before specs existed does not, and its spec is resolved again from the
 * scenario's chains, currencies and jurisdictions (presets filling in the rest, src/spec/).
 */
import { resolveSpec, type ChainInput, type CorridorSpec, type CorridorSpecInput } from "../spec/spec.js";

export interface ScenarioWithSpec {
  spec?: CorridorSpec;
  chains?: Record<string, Partial<ChainInput> & Record<string, unknown>>;
  currencies?: CorridorSpecInput["currencies"];
  jurisdictions?: CorridorSpecInput["jurisdictions"];
}

/** The scenario's spec, or the one its chains, currencies and jurisdictions resolve to. */
export function specOfScenario(scenario: ScenarioWithSpec): CorridorSpec {
  if (scenario.spec && typeof scenario.spec === "object" && scenario.spec.chains && scenario.spec.currencies) return scenario.spec;
  const chains = scenario.chains
    ? Object.fromEntries(
        Object.entries(scenario.chains).map(([name, c]) => [
          name,
          {
            ...(c.chainId !== undefined ? { chainId: c.chainId } : {}),
            ...(c.profile !== undefined ? { profile: c.profile } : {}),
            ...(c.home !== undefined ? { home: c.home } : {}),
            ...(c.jurisdiction !== undefined ? { jurisdiction: c.jurisdiction } : {}),
          },
        ]),
      )
    : undefined;
  return resolveSpec({
    ...(chains ? { chains } : {}),
    ...(scenario.currencies ? { currencies: scenario.currencies } : {}),
    ...(scenario.jurisdictions ? { jurisdictions: scenario.jurisdictions } : {}),
  });
}

/** "a", "a and b", "a, b and c" (British English: no comma before "and"). */
export const listWords = (items: readonly string[]): string => new Intl.ListFormat("en-GB").format(items);

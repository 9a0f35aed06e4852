import { describe, expect, it } from "vitest";
import { parseScenario, type ScenarioInput } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import { CorridorError } from "../../src/domain/errors.js";
import { toBaseUnits } from "../../src/domain/money.js";
import type { Providers } from "../../src/liquidity/providers.js";
import { checkProviderBooks, type ProviderBooks } from "../../src/liquidity/books.js";

/**
 * Two providers on fast local chains (1 s blocks): the UK pool is small and most traffic pays out
 * GBP, so the threshold policy moves the providers' USD claims back to the UK through the issuers;
 * one provider goes offline for two minutes, then the GBP issuer for two.
 */
const base: ScenarioInput = {
  name: "providers",
  seed: 11,
  chains: { us: { profile: "local" }, uk: { profile: "local" } },
  liquidity: { us: "100000", uk: "22000" },
  providers: {
    list: [
      { name: "alpha", funding: { us: "40000", uk: "16000" } },
      { name: "beta", funding: { us: "60000", uk: "6000" } },
    ],
  },
  rebalancing: { policy: "threshold", threshold: 0.6, via: "issuer", costBps: 5, costFixed: 10, delaySeconds: 60, minAmount: 500 },
  netting: { windowSeconds: 120 },
  workload: {
    transfers: 80,
    durationSeconds: 400,
    senders: 12,
    deadlineSeconds: 400,
    amount: { medianUsd: 600, sigma: 0.6, minUsd: 50, maxUsd: 3000 },
    mix: [
      { from: "us", to: "uk", input: "USD", output: "GBP", weight: 3 },
      { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
    ],
  },
  faults: [
    { kind: "participantOutage", provider: "alpha", at: 100, durationSeconds: 120 },
    { kind: "participantOutage", issuer: "GBP", at: 200, durationSeconds: 120 },
  ],
};

describe("liquidity providers", () => {
  it("tracks each provider's claims across chains, rebalances on chain, takes outages, and the books reconcile with the chains", async () => {
    let providers: Providers | undefined;
    const results = await simulate({ scenario: parseScenario(base), onProviders: (p) => (providers = p) });
    const s = results.summary;
    const p = s.providers!;
    expect(s.conservation.ok).toBe(true);
    expect(p.check.ok).toBe(true);
    expect(s.transfers.settled + s.transfers.refunded).toBe(80);

    // Claims across chains: a provider that paid GBP out on the UK was owed, and credited, USD on the US.
    const alpha = p.providers.find((x) => x.name === "alpha")!;
    const beta = p.providers.find((x) => x.name === "beta")!;
    for (const x of [alpha, beta]) {
      expect(Number(x.byChain.uk!.paidOut)).toBeGreaterThan(0);
      expect(Number(x.byChain.us!.claimsReleased)).toBeGreaterThan(0);
      expect(x.payouts).toBeGreaterThan(0);
    }
    // What the providers paid out on each chain is what the transfers paid out of that chain's pool.
    const paidFromPool = (chain: string) =>
      results.transfers.filter((t) => t.dstChain === chain && t.state === "settled" && t.mode === "lockRelease").reduce((sum, t) => sum + toBaseUnits(t.amountOut!), 0n);
    for (const chain of ["us", "uk"]) {
      expect(toBaseUnits(alpha.byChain[chain]!.paidOut) + toBaseUnits(beta.byChain[chain]!.paidOut)).toBe(paidFromPool(chain));
    }

    // Rebalancing moved funds on chain: USD out of the US pool, GBP into the UK pool, a cost paid.
    const done = p.moves.filter((m) => m.state === "done");
    expect(done.length).toBeGreaterThan(0);
    for (const m of done) {
      expect(m.from).toBe("us");
      expect(m.to).toBe("uk");
      expect(m.cost).toBeGreaterThan(10);
      expect(m.doneOffsetSeconds! - m.startOffsetSeconds).toBeGreaterThanOrEqual(60);
      // No mint while the GBP issuer was offline (+200 s to +320 s).
      expect(m.doneOffsetSeconds! <= 200 || m.doneOffsetSeconds! > 320).toBe(true);
    }
    // The issuers' side, inside the balance checks: USD redeemed on the US, GBP minted on the UK.
    const issuance = Object.fromEntries((s.conservation.issuance ?? []).map((l) => [l.currency, l]));
    expect(Number(issuance.USD!.redeemed)).toBeGreaterThan(0);
    expect(Number(issuance.GBP!.minted)).toBeGreaterThan(0);
    const supply = (chain: string, cur: string) => s.conservation.lines.find((l) => l.chain === chain && l.token === cur && l.holder === "totalSupply")!;
    expect(Number(supply("uk", "GBP").actual)).toBeGreaterThan(0); // minted by the GBP issuer for the providers
    expect(Number(supply("us", "USD").actual)).toBeLessThan(0); // burned by the USD issuer

    // The provider's outage: it withdrew, and put back; transfers waited for liquidity meanwhile.
    const outage = s.faults!.find((f) => f.kind === "participantOutage" && f.summary.startsWith("provider alpha"))!;
    expect(outage.affected.withdrawn).toMatch(/GBP on uk/);
    expect(outage.affected.redeposited).toMatch(/GBP on uk/);
    expect(outage.affected.transfersWaited as number).toBeGreaterThan(0);
    expect(typeof outage.affected.refundedExpired).toBe("number");
    const issuerOutage = s.faults!.find((f) => f.kind === "participantOutage" && f.summary.includes("GBP issuer"))!;
    expect(issuerOutage.end).not.toBeNull();
    // A mint due during the GBP issuer's outage waited for it.
    expect(issuerOutage.affected.rebalancesDelayed as number).toBeGreaterThan(0);
    expect(p.moves.some((m) => m.waitedSeconds > 0)).toBe(true);

    // Netting: per window, both directions' payouts against their net.
    expect(p.netting.windows.length).toBeGreaterThan(1);
    expect(p.netting.saved).toBeGreaterThan(0);
    expect(p.netting.net).toBeLessThan(p.netting.gross);
    for (const w of p.netting.windows) expect(w.gross - w.net).toBeCloseTo(w.saved, 1);

    // Tampering with a claim breaks the check against what the run read on the chains at its end.
    const reads = providers!.lastReads!;
    expect(checkProviderBooks(providers!.books, reads).ok).toBe(true);
    const tampered = structuredClone(providers!.books) as ProviderBooks;
    tampered.pool.us!.alpha! += 1n;
    const bad = checkProviderBooks(tampered, reads);
    expect(bad.ok).toBe(false);
    expect(bad.lines.filter((l) => !l.ok).map((l) => `${l.chain}:${l.what}`)).toEqual(["us:pool"]);
    const missing = structuredClone(providers!.books) as ProviderBooks;
    missing.wallet.uk!.beta! -= 1n;
    expect(checkProviderBooks(missing, reads).ok).toBe(false);
    const phantom = structuredClone(providers!.books) as ProviderBooks;
    phantom.inFlight.set(`0x${"ab".repeat(32)}`, { src: "us", owed: { alpha: 5n } });
    expect(checkProviderBooks(phantom, reads).ok).toBe(false);
  }, 600_000);

  it("refuses bad provider sections with coded errors", () => {
    const bad = (patch: Partial<ScenarioInput>, match: RegExp) => {
      let err: unknown;
      try {
        parseScenario({ ...base, ...patch });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CorridorError);
      expect((err as CorridorError).code).toBe("CORRIDOR_SCENARIO_INVALID");
      expect((err as Error).message).toMatch(match);
    };
    bad({ liquidity: { us: "100000", uk: "40000" } }, /providers fund 22000 GBP on uk but liquidity says 40000/);
    bad({ providers: { list: [{ name: "alpha", funding: { us: "100000", uk: "22000" } }, { name: "alpha", funding: { us: "1" } }] } }, /declared twice/);
    bad({ providers: { list: [{ name: "alpha", funding: { us: "100000", uk: "22000", eu: "5" } }] } }, /unknown chain "eu"/);
    bad({ providers: { list: [{ name: "alpha", funding: { us: "-5" } }] } }, /positive amount/);
    bad({ rebalancing: { policy: "threshold" } } as Partial<ScenarioInput>, /needs a threshold/);
    bad({ rebalancing: { policy: "scheduled", threshold: 0.5 } } as Partial<ScenarioInput>, /needs everySeconds/);
    bad({ rebalancing: { policy: "netted", via: "carrier-pigeon" } } as unknown as Partial<ScenarioInput>, /via/);
    bad({ faults: [{ kind: "participantOutage", provider: "gamma", at: 1, durationSeconds: 5 }] }, /unknown provider "gamma"/);
    bad({ faults: [{ kind: "participantOutage", provider: "alpha", issuer: "GBP", at: 1, durationSeconds: 5 }] }, /either a provider or an issuer/);
    bad({ faults: [{ kind: "participantOutage", issuer: "JPY", at: 1, durationSeconds: 5 }] }, /no chain of this corridor issues JPY/);
    bad({ faults: [{ kind: "liquidityDrain", chain: "uk", at: 1 }] }, /participantOutage of a provider/);
    bad({ providers: undefined }, /rebalancing moves the providers' positions/);
  });
});

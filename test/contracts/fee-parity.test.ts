/**
 * FeeModule.quoteFee equals computeFee (src/domain/fees.ts) to the base unit, over 200 random
 * schedules x 50 random (amount, tier) cases = 10,000 cases, plus the module's admin behaviour.
 * One in-process chain; each schedule is set by one transaction, then read with eth_call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { network } from "hardhat";
import { BaseError, ContractFunctionRevertedError, getAddress, keccak256, toHex, zeroHash, type Abi, type Address } from "viem";
import { computeFee, MAX_BANDS, parseFeeSchedule, TIER_ID, toContractSchedule, type FeeSchedule, type FeeTier } from "../../src/domain/fees.js";


type Connection = Awaited<ReturnType<typeof network.create>>;
let conn: Connection;
let fm: Deployed;
let admin: Address;
let stranger: Address;

const TOKEN = getAddress("0x00000000000000000000000000000000000000aa");
const DST = 31_002n;
const U128 = (1n << 128n) - 1n;
const U256 = (1n << 256n) - 1n;

/**
 * Thin, untyped calls: the tests do not depend on Hardhat's generated artifact types (tsconfig does
 * not include artifacts/), and use the ABI of the compiled contract, so they follow its structs.
 */
interface Deployed {
  address: Address;
  abi: Abi;
}
async function deploy(name: string, args: readonly unknown[]): Promise<Deployed> {
  const c = (await conn.viem.deployContract(name as never, args as never)) as unknown as Deployed;
  return { address: c.address, abi: c.abi };
}
async function read<T = unknown>(c: Deployed, functionName: string, args: readonly unknown[] = []): Promise<T> {
  const client = await conn.viem.getPublicClient();
  return (await client.readContract({ address: c.address, abi: c.abi, functionName, args } as never)) as T;
}
/** Sends a transaction (from the admin unless `account` is given) and waits for it to be mined. */
async function write(c: Deployed, functionName: string, args: readonly unknown[], account: Address = admin): Promise<void> {
  const [wallet] = await conn.viem.getWalletClients();
  const client = await conn.viem.getPublicClient();
  const hash = await wallet!.writeContract({ address: c.address, abi: c.abi, functionName, args, account, chain: wallet!.chain } as never);
  await client.waitForTransactionReceipt({ hash });
}
async function events<T = Record<string, unknown>>(c: Deployed, eventName: string): Promise<T[]> {
  const client = await conn.viem.getPublicClient();
  const logs = await client.getContractEvents({ address: c.address, abi: c.abi, eventName, fromBlock: 0n } as never);
  return (logs as unknown as { args: T }[]).map((l) => l.args);
}

/** The custom error a call reverted with, decoded. */
async function revertOf(p: Promise<unknown>): Promise<{ errorName?: string; args?: readonly unknown[] }> {
  try {
    await p;
  } catch (e) {
    const reverted = e instanceof BaseError ? e.walk((x) => x instanceof ContractFunctionRevertedError) : undefined;
    if (reverted instanceof ContractFunctionRevertedError) return { errorName: reverted.data?.errorName, args: reverted.data?.args };
    throw e;
  }
  throw new Error("expected a revert");
}

beforeAll(async () => {
  conn = await network.create("corridor");
  const wallets = await conn.viem.getWalletClients();
  admin = getAddress(wallets[0]!.account.address);
  stranger = getAddress(wallets[1]!.account.address);
  fm = await deploy("FeeModule", [admin]);
});

afterAll(async () => {
  await conn?.provider.close();
});

// ---------------------------------------------------------------- arbitraries

/** Base units from small to the 2^128 limit, weighted towards realistic sizes. */
const baseUnits = (max: bigint) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 6n * 1000n }) },
    { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 6n * 10n ** 7n }) },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max }) },
  );
const bps = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 10_000));

const scheduleArb: fc.Arbitrary<FeeSchedule> = fc
  .record({
    fixed: baseUnits(U128),
    bps,
    lo: baseUnits(U128),
    hi: fc.oneof(baseUnits(U128), fc.constant(U128)),
    fastPremiumBps: bps,
    gasPassThrough: baseUnits(U128),
    bands: fc.uniqueArray(fc.record({ upTo: baseUnits(U128), bps, fixed: baseUnits(U128) }), { maxLength: MAX_BANDS, selector: (b) => b.upTo }),
  })
  .map((r) =>
    parseFeeSchedule({
      fixed: r.fixed,
      bps: r.bps,
      min: r.lo < r.hi ? r.lo : r.hi,
      max: r.lo < r.hi ? r.hi : r.lo,
      fastPremiumBps: r.fastPremiumBps,
      gasPassThrough: r.gasPassThrough,
      bands: [...r.bands].sort((a, b) => (a.upTo < b.upTo ? -1 : 1)),
    }),
  );

/** Amounts for a schedule: anywhere up to 2^256 - 1, and on every band edge and around min and max. */
function amountsFor(s: FeeSchedule): fc.Arbitrary<bigint> {
  const edges = [0n, 1n, 2n, s.min, s.min + 1n, s.max, s.max + 1n, ...s.bands.flatMap((b) => [b.upTo - 1n, b.upTo, b.upTo + 1n])].filter((a) => a >= 0n && a <= U256);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...edges) },
    { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 15n }) },
    { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: U128 }) },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: U256 }) },
  );
}

const tierArb = fc.constantFrom<FeeTier>("standard", "fast");

// ---------------------------------------------------------------- tests

describe("FeeModule parity with computeFee", () => {
  it("quotes the same fee as computeFee to the base unit for 10,000 random (schedule, amount, tier) cases", async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        scheduleArb.chain((s) => fc.tuple(fc.constant(s), fc.array(fc.tuple(amountsFor(s), tierArb), { minLength: 50, maxLength: 50 }))),
        async ([schedule, quotes]) => {
          await write(fm, "setSchedule", [TOKEN, DST, toContractSchedule(schedule)]);
          const onChain = await Promise.all(quotes.map(([amount, tier]) => read<bigint>(fm, "quoteFee", [TOKEN, DST, TIER_ID[tier], amount])));
          quotes.forEach(([amount, tier], i) => {
            expect({ amount, tier, fee: onChain[i] }).toEqual({ amount, tier, fee: computeFee(schedule, amount, tier) });
          });
          cases += quotes.length;
        },
      ),
      { numRuns: 200 },
    );
    expect(cases).toBeGreaterThanOrEqual(10_000);
  });
});

describe("FeeModule", () => {
  const schedule = parseFeeSchedule({ fixed: 100_000, bps: 10, min: 200_000, max: 50_000_000, fastPremiumBps: 1, bands: [{ upTo: 1_000_000, bps: 0, fixed: 0 }] });
  const OTHER = getAddress("0x00000000000000000000000000000000000000bb");

  it("reverts ScheduleNotSet for a route without a schedule, and UnknownTier for a tier above Fast", async () => {
    expect(await revertOf(read(fm, "quoteFee", [OTHER, DST, 0, 1_000n]))).toEqual({ errorName: "ScheduleNotSet", args: [OTHER, DST] });
    expect(await revertOf(read(fm, "quoteFee", [TOKEN, DST, 2, 1_000n]))).toEqual({ errorName: "UnknownTier", args: [2] });
  });

  it("emits the old and new schedule when the admin sets one, and returns it from scheduleOf", async () => {
    await write(fm, "setSchedule", [OTHER, DST, toContractSchedule(schedule)]);
    const replacement = parseFeeSchedule({ fixed: 1, bps: 2, min: 0, max: 3 });
    await write(fm, "setSchedule", [OTHER, DST, toContractSchedule(replacement)]);
    const [, second] = (await events(fm, "FeeScheduleSet")).filter((e) => e.inputToken === OTHER);
    expect(second?.oldSchedule).toMatchObject({ fixedFee: 100_000n, bps: 10, minFee: 200_000n, bands: [{ upTo: 1_000_000n, fixedFee: 0n, bps: 0 }] });
    expect(second?.newSchedule).toMatchObject({ fixedFee: 1n, bps: 2, maxFee: 3n, bands: [] });
    expect(await read(fm, "scheduleOf", [OTHER, DST])).toMatchObject({ fixedFee: 1n, bps: 2, maxFee: 3n, bands: [] });
  });

  it("lets the admin clear a schedule, after which quotes revert", async () => {
    await write(fm, "clearSchedule", [OTHER, DST]);
    expect(await read(fm, "isConfigured", [OTHER, DST])).toBe(false);
    expect((await revertOf(read(fm, "quoteFee", [OTHER, DST, 0, 1n]))).errorName).toBe("ScheduleNotSet");
    expect(await events(fm, "FeeScheduleCleared")).toHaveLength(1);
  });

  it("refuses schedule changes from an account without FEE_ADMIN_ROLE", async () => {
    const r = await revertOf(write(fm, "setSchedule", [TOKEN, DST, toContractSchedule(schedule)], stranger));
    expect(r).toEqual({ errorName: "AccessControlUnauthorizedAccount", args: [stranger, keccak256(toHex("FEE_ADMIN_ROLE"))] });
    expect(await read(fm, "hasRole", [zeroHash, admin])).toBe(true);
  });

  it("rejects the schedules the TypeScript schema rejects, with the offending values", async () => {
    const base = toContractSchedule(schedule);
    const set = (s: typeof base) => revertOf(write(fm, "setSchedule", [TOKEN, DST, s]));
    expect(await set({ ...base, bps: 10_001 })).toEqual({ errorName: "InvalidBps", args: [10_001n] });
    expect(await set({ ...base, fastPremiumBps: 20_000 })).toEqual({ errorName: "InvalidBps", args: [20_000n] });
    expect(await set({ ...base, minFee: 5n, maxFee: 4n })).toEqual({ errorName: "MinAboveMax", args: [5n, 4n] });
    const band = (upTo: bigint) => ({ upTo, fixedFee: 0n, bps: 1 });
    expect(await set({ ...base, bands: [band(5n), band(5n)] })).toEqual({ errorName: "BandsNotAscending", args: [1n, 5n, 5n] });
    expect(await set({ ...base, bands: [band(1n), { ...band(2n), bps: 10_001 }] })).toEqual({ errorName: "InvalidBps", args: [10_001n] });
    const nine = Array.from({ length: 9 }, (_, i) => band(BigInt(i + 1)));
    expect(await set({ ...base, bands: nine })).toEqual({ errorName: "TooManyBands", args: [9n, 8n] });
  });
});

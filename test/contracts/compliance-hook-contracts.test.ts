/**
 * The on-chain compliance hooks: SanctionsListHook rejects listed parties, AllowlistHook rejects
 * parties not allowed, both with ComplianceRejected(code, account); lists are admin-managed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { network } from "hardhat";
import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  keccak256,
  stringToHex,
  toHex,
  zeroAddress,
  zeroHash,
  type Abi,
  type AbiParameter,
  type Address,
} from "viem";

type Connection = Awaited<ReturnType<typeof network.create>>;
let conn: Connection;
let admin: Address;
let stranger: Address;

const ALICE = getAddress("0x1111111111111111111111111111111111111111");
const BOB = getAddress("0x2222222222222222222222222222222222222222");
const EVE = getAddress("0x03893a7c7463AE47D46bc7f091665f1893656003");
const LIST_ADMIN_ROLE = keccak256(toHex("LIST_ADMIN_ROLE"));

beforeAll(async () => {
  conn = await network.create("corridor");
  const wallets = await conn.viem.getWalletClients();
  admin = getAddress(wallets[0]!.account.address);
  stranger = getAddress(wallets[1]!.account.address);
});

afterAll(async () => {
  await conn?.provider.close();
});

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

/** A CorridorTypes.Message with zero values (built from the ABI, so it follows the struct), sender and recipient set. */
function message(abi: Abi, sender: Address, recipient: Address): Record<string, unknown> {
  const fn = abi.find((x) => x.type === "function" && x.name === "checkSend") as { inputs: readonly AbiParameter[] };
  const components = (fn.inputs[0] as unknown as { components: readonly AbiParameter[] }).components;
  const zero = (t: string): unknown => (t === "address" ? zeroAddress : t === "bool" ? false : t.startsWith("bytes") ? zeroHash : t.startsWith("uint8") ? 0 : 0n);
  const m = Object.fromEntries(components.map((c) => [c.name, zero(c.type)]));
  return { ...m, sender, recipient, amount: 1_000_000n };
}

const code = (s: string) => stringToHex(s, { size: 32 });

describe("SanctionsListHook", () => {
  let hook: Deployed;
  const check = (fn: "checkSend" | "checkSettle", from: Address, to: Address) => read(hook, fn, [message(hook.abi, from, to)]);

  beforeAll(async () => {
    hook = await deploy("SanctionsListHook", [admin]);
    await write(hook, "addToList", [[EVE]]);
  });

  it("lets a transfer between unlisted parties pass on send and on settle", async () => {
    await expect(check("checkSend", ALICE, BOB)).resolves.toBeUndefined();
    await expect(check("checkSettle", ALICE, BOB)).resolves.toBeUndefined();
  });

  it("rejects a listed sender or recipient with ComplianceRejected(\"SANCTIONED\", account)", async () => {
    expect(await revertOf(check("checkSend", EVE, BOB))).toEqual({ errorName: "ComplianceRejected", args: [code("SANCTIONED"), EVE] });
    expect(await revertOf(check("checkSend", ALICE, EVE))).toEqual({ errorName: "ComplianceRejected", args: [code("SANCTIONED"), EVE] });
    expect(await revertOf(check("checkSettle", ALICE, EVE))).toEqual({ errorName: "ComplianceRejected", args: [code("SANCTIONED"), EVE] });
  });

  it("adds and removes in batches, emitting an event per change and skipping no-ops", async () => {
    await write(hook, "addToList", [[ALICE, BOB, EVE]]);
    expect(await read(hook, "listedCount")).toBe(3n);
    await write(hook, "removeFromList", [[ALICE, BOB]]);
    expect(await read(hook, "isSanctioned", [ALICE])).toBe(false);
    const changes = await events(hook, "SanctionStatusChanged");
    expect(changes.map((e) => [e.account, e.oldListed, e.newListed])).toEqual([
      [EVE, false, true],
      [ALICE, false, true],
      [BOB, false, true],
      [ALICE, true, false],
      [BOB, true, false],
    ]);
    expect((await revertOf(write(hook, "addToList", [[zeroAddress]]))).errorName).toBe("ZeroAddress");
  });

  it("refuses list changes from an account without LIST_ADMIN_ROLE", async () => {
    expect(await revertOf(write(hook, "addToList", [[ALICE]], stranger))).toEqual({
      errorName: "AccessControlUnauthorizedAccount",
      args: [stranger, LIST_ADMIN_ROLE],
    });
    expect((await revertOf(write(hook, "removeFromList", [[EVE]], stranger))).errorName).toBe("AccessControlUnauthorizedAccount");
  });
});

describe("AllowlistHook", () => {
  let hook: Deployed;
  const check = (fn: "checkSend" | "checkSettle", from: Address, to: Address) => read(hook, fn, [message(hook.abi, from, to)]);

  beforeAll(async () => {
    hook = await deploy("AllowlistHook", [admin]);
    await write(hook, "addToList", [[ALICE, BOB]]);
  });

  it("lets a transfer between allowed parties pass on send and on settle", async () => {
    await expect(check("checkSend", ALICE, BOB)).resolves.toBeUndefined();
    await expect(check("checkSettle", BOB, ALICE)).resolves.toBeUndefined();
  });

  it("rejects a sender or recipient not on the list with ComplianceRejected(\"NOT_ALLOWLISTED\", account)", async () => {
    expect(await revertOf(check("checkSend", EVE, BOB))).toEqual({ errorName: "ComplianceRejected", args: [code("NOT_ALLOWLISTED"), EVE] });
    expect(await revertOf(check("checkSettle", ALICE, EVE))).toEqual({ errorName: "ComplianceRejected", args: [code("NOT_ALLOWLISTED"), EVE] });
  });

  it("stops admitting an account once it is removed", async () => {
    await write(hook, "removeFromList", [[BOB]]);
    expect(await revertOf(check("checkSend", ALICE, BOB))).toEqual({ errorName: "ComplianceRejected", args: [code("NOT_ALLOWLISTED"), BOB] });
    const changes = (await events(hook, "AllowlistStatusChanged")).filter((e) => e.account === BOB);
    expect(changes.map((e) => [e.oldAllowed, e.newAllowed])).toEqual([[false, true], [true, false]]);
  });

  it("refuses list changes from an account without LIST_ADMIN_ROLE", async () => {
    expect(await revertOf(write(hook, "addToList", [[EVE]], stranger))).toEqual({
      errorName: "AccessControlUnauthorizedAccount",
      args: [stranger, LIST_ADMIN_ROLE],
    });
  });
});

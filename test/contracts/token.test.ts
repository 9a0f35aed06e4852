import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeEventLog, parseSignature, recoverTypedDataAddress, zeroAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { KeyPair } from "../../src/chains/keys.js";
import {
  actor,
  adminWrite,
  balanceOf,
  corridorFixture,
  expectRevert,
  latestTimestamp,
  mint,
  read,
  role,
  tok,
  tokenAbi,
  totalSupply,
  write,
  type Call,
  type Fixture,
} from "../helpers/contracts.js";

/** Every test works on tUSD on the US chain; the deployer is its admin and issuer. */
let f: Fixture;
let token: Hex;
let alice: KeyPair;
let bob: KeyPair;
let stranger: KeyPair;

const us = () => f.chain.us;
const balance = (who: Hex) => balanceOf(f, "us", "USD", who);
const frozen = (who: Hex) => read<boolean>(us(), tok(token, "frozen", who));
const asAdmin = (c: Call) => adminWrite(f, "us", c);

beforeEach(async () => {
  f = await corridorFixture();
  token = f.dep.us.tokens.USD;
  [alice, bob, stranger] = await Promise.all([actor(f, "alice"), actor(f, "bob"), actor(f, "stranger")]);
  await mint(f, "us", "USD", alice.address, 1_000_000n);
});

afterEach(async () => {
  await f.close();
});

it("has 6 decimals, like the fiat-backed stablecoins it models", async () => {
  expect(await read(us(), tok(token, "decimals"))).toBe(6);
  expect(await read(us(), tok(token, "symbol"))).toBe("tUSD");
});

/**
 * Each privileged operation: the role it needs, the call (made by `by`), and what it changes.
 * `prepare` runs as the admin before the call; the operator is always `bob`.
 */
interface RoleCase {
  op: string;
  role: string;
  prepare?: () => Promise<void>;
  call: () => Call;
  effect: () => Promise<void>;
}

const cases: RoleCase[] = [
  {
    op: "mint",
    role: "MINTER_ROLE",
    call: () => tok(token, "mint", alice.address, 250n),
    effect: async () => expect(await balance(alice.address)).toBe(1_000_250n),
  },
  {
    op: "burn",
    role: "BURNER_ROLE",
    prepare: () => mint(f, "us", "USD", bob.address, 400n),
    call: () => tok(token, "burn", 150n),
    effect: async () => {
      expect(await balance(bob.address)).toBe(250n);
      expect(await totalSupply(f, "us", "USD")).toBe(1_000_250n);
    },
  },
  {
    op: "burnFrom",
    role: "BURNER_ROLE",
    prepare: async () => void (await write(us(), alice.privateKey, tok(token, "approve", bob.address, 300n))),
    call: () => tok(token, "burnFrom", alice.address, 300n),
    effect: async () => {
      expect(await balance(alice.address)).toBe(999_700n);
      expect(await read(us(), tok(token, "allowance", alice.address, bob.address))).toBe(0n);
    },
  },
  {
    op: "pause",
    role: "PAUSER_ROLE",
    call: () => tok(token, "pause"),
    effect: async () => expect(await read(us(), tok(token, "paused"))).toBe(true),
  },
  {
    op: "unpause",
    role: "PAUSER_ROLE",
    prepare: async () => void (await asAdmin(tok(token, "pause"))),
    call: () => tok(token, "unpause"),
    effect: async () => expect(await read(us(), tok(token, "paused"))).toBe(false),
  },
  {
    op: "freeze",
    role: "FREEZER_ROLE",
    call: () => tok(token, "freeze", alice.address),
    effect: async () => expect(await frozen(alice.address)).toBe(true),
  },
  {
    op: "unfreeze",
    role: "FREEZER_ROLE",
    prepare: async () => void (await asAdmin(tok(token, "freeze", alice.address))),
    call: () => tok(token, "unfreeze", alice.address),
    effect: async () => expect(await frozen(alice.address)).toBe(false),
  },
  {
    op: "seize",
    role: "DEFAULT_ADMIN_ROLE",
    prepare: async () => void (await asAdmin(tok(token, "freeze", alice.address))),
    call: () => tok(token, "seize", alice.address, stranger.address),
    effect: async () => expect(await balance(stranger.address)).toBe(1_000_000n),
  },
];

describe.each(cases)("$op", ({ role: roleName, prepare, call, effect }) => {
  it(`is allowed to an account holding ${roleName}`, async () => {
    await asAdmin(tok(token, "grantRole", role(roleName), bob.address));
    await prepare?.();
    await write(us(), bob.privateKey, call());
    await effect();
  });

  it(`is rejected for an account lacking ${roleName} with AccessControlUnauthorizedAccount(account, role)`, async () => {
    await prepare?.();
    await expectRevert(us(), bob.address, call(), "AccessControlUnauthorizedAccount", [bob.address, role(roleName)]);
  });
});

describe("freeze", () => {
  beforeEach(async () => {
    await asAdmin(tok(token, "freeze", alice.address));
  });

  it("stops a frozen account from sending", async () => {
    await expectRevert(us(), alice.address, tok(token, "transfer", bob.address, 1n), "AccountFrozen", [alice.address]);
  });

  it("stops a frozen account from receiving, by transfer or by mint", async () => {
    await mint(f, "us", "USD", bob.address, 10n);
    await expectRevert(us(), bob.address, tok(token, "transfer", alice.address, 1n), "AccountFrozen", [alice.address]);
    await expectRevert(us(), f.admin.address, tok(token, "mint", alice.address, 1n), "AccountFrozen", [alice.address]);
  });

  it("stops a spender from moving a frozen account's approved tokens", async () => {
    await asAdmin(tok(token, "unfreeze", alice.address));
    await write(us(), alice.privateKey, tok(token, "approve", bob.address, 5n));
    await asAdmin(tok(token, "freeze", alice.address));
    await expectRevert(us(), bob.address, tok(token, "transferFrom", alice.address, bob.address, 5n), "AccountFrozen", [alice.address]);
  });

  it("lets an unfrozen account send again", async () => {
    await asAdmin(tok(token, "unfreeze", alice.address));
    await write(us(), alice.privateKey, tok(token, "transfer", bob.address, 7n));
    expect(await balance(bob.address)).toBe(7n);
  });
});

describe("seize", () => {
  it("moves the whole frozen balance to the recovery address and emits Seized", async () => {
    await asAdmin(tok(token, "freeze", alice.address));
    const supply = await totalSupply(f, "us", "USD");
    const receipt = await asAdmin(tok(token, "seize", alice.address, stranger.address));
    expect(await balance(alice.address)).toBe(0n);
    expect(await balance(stranger.address)).toBe(1_000_000n);
    expect(await totalSupply(f, "us", "USD")).toBe(supply);
    const seized = receipt.logs
      .map((l) => {
        try {
          return decodeEventLog({ abi: tokenAbi(), topics: l.topics as [Hex, ...Hex[]], data: l.data });
        } catch {
          return undefined;
        }
      })
      .find((e) => e?.eventName === "Seized");
    expect(seized?.args).toEqual({ account: alice.address, recovery: stranger.address, amount: 1_000_000n, by: f.admin.address });
  });

  it("works while the token is paused", async () => {
    await asAdmin(tok(token, "freeze", alice.address));
    await asAdmin(tok(token, "pause"));
    await asAdmin(tok(token, "seize", alice.address, stranger.address));
    expect(await balance(stranger.address)).toBe(1_000_000n);
  });

  it("reverts AccountNotFrozen for an account that is not frozen", async () => {
    await expectRevert(us(), f.admin.address, tok(token, "seize", alice.address, stranger.address), "AccountNotFrozen", [alice.address]);
  });

  it("reverts InvalidRecoveryAddress for the zero recovery address", async () => {
    await asAdmin(tok(token, "freeze", alice.address));
    await expectRevert(us(), f.admin.address, tok(token, "seize", alice.address, zeroAddress), "InvalidRecoveryAddress");
  });

  it("reverts AccountFrozen when the recovery address is itself frozen", async () => {
    await asAdmin(tok(token, "freeze", alice.address));
    await asAdmin(tok(token, "freeze", stranger.address));
    await expectRevert(us(), f.admin.address, tok(token, "seize", alice.address, stranger.address), "AccountFrozen", [stranger.address]);
  });
});

describe("pause", () => {
  beforeEach(async () => {
    await asAdmin(tok(token, "grantRole", role("BURNER_ROLE"), alice.address));
    await asAdmin(tok(token, "pause"));
  });

  it("reverts EnforcedPause on transfer, mint and burn while paused", async () => {
    await expectRevert(us(), alice.address, tok(token, "transfer", bob.address, 1n), "EnforcedPause");
    await expectRevert(us(), f.admin.address, tok(token, "mint", bob.address, 1n), "EnforcedPause");
    await expectRevert(us(), alice.address, tok(token, "burn", 1n), "EnforcedPause");
  });

  it("reverts EnforcedPause on a second pause and ExpectedPause on unpausing an unpaused token", async () => {
    await expectRevert(us(), f.admin.address, tok(token, "pause"), "EnforcedPause");
    await asAdmin(tok(token, "unpause"));
    await expectRevert(us(), f.admin.address, tok(token, "unpause"), "ExpectedPause");
  });
});

describe("permit", () => {
  const PERMIT_TYPES = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  } as const;

  async function signPermit(owner: KeyPair, spender: Hex, value: bigint, deadline: bigint, nonce?: bigint) {
    const message = { owner: owner.address, spender, value, nonce: nonce ?? (await read<bigint>(us(), tok(token, "nonces", owner.address))), deadline };
    const domain = { name: "Test USD", version: "1", chainId: f.dep.us.chainId, verifyingContract: token } as const;
    const signature = await privateKeyToAccount(owner.privateKey).signTypedData({ domain, types: PERMIT_TYPES, primaryType: "Permit", message });
    const { v, r, s } = parseSignature(signature);
    return { call: tok(token, "permit", owner.address, spender, value, deadline, Number(v), r, s), typed: { domain, types: PERMIT_TYPES, primaryType: "Permit", message }, signature };
  }

  it("sets an allowance from an off-chain signature that the spender can then use", async () => {
    const deadline = (await latestTimestamp(us())) + 600n;
    const { call } = await signPermit(alice, bob.address, 400n, deadline);
    await write(us(), stranger.privateKey, call); // anyone may submit it
    expect(await read(us(), tok(token, "allowance", alice.address, bob.address))).toBe(400n);
    expect(await read(us(), tok(token, "nonces", alice.address))).toBe(1n);
    await write(us(), bob.privateKey, tok(token, "transferFrom", alice.address, bob.address, 400n));
    expect(await balance(bob.address)).toBe(400n);
  });

  it("rejects a replayed permit with ERC2612InvalidSigner, since the nonce moved on", async () => {
    const deadline = (await latestTimestamp(us())) + 600n;
    const { call, typed, signature } = await signPermit(alice, bob.address, 400n, deadline);
    await write(us(), bob.privateKey, call);
    // the contract now hashes nonce 1, so ecrecover yields some other address
    const signer = await recoverTypedDataAddress({ ...typed, message: { ...typed.message, nonce: 1n }, signature } as never);
    await expectRevert(us(), bob.address, call, "ERC2612InvalidSigner", [signer, alice.address]);
  });

  it("rejects an expired permit with ERC2612ExpiredSignature(deadline)", async () => {
    const deadline = (await latestTimestamp(us())) - 1n;
    const { call } = await signPermit(alice, bob.address, 400n, deadline);
    await expectRevert(us(), bob.address, call, "ERC2612ExpiredSignature", [deadline]);
  });
});

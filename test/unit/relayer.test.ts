import { encodeAbiParameters, encodeEventTopics, toHex, type AbiEvent, type Hex } from "viem";
import { describe, expect, it, vi } from "vitest";
import type { Chain } from "../../src/chains/chain.js";
import type { ChainProfile } from "../../src/chains/profiles.js";
import type { Deployment } from "../../src/contracts/deploy.js";
import { gatewayAbi } from "../../src/contracts/gateway.js";
import { idOf, type Message } from "../../src/domain/message.js";
import { silentLogger } from "../../src/logger.js";
import { Relayer, type AttestationService } from "../../src/relayer/relayer.js";
import { driveRound } from "../../src/relayer/drive.js";
import { MemoryTransferStore } from "../../src/relayer/store.js";

const addr = (n: number): Hex => `0x${n.toString(16).padStart(40, "0")}`;
const KEY: Hex = `0x${"11".repeat(32)}`;
const CHAIN_ID = { us: 31_337, uk: 31_338 } as const;
const TOKENS = { us: { USD: addr(0x5d), GBP: addr(0x6d) }, uk: { USD: addr(0x5e), GBP: addr(0x6e) } } as const;
const GATEWAY = { us: addr(0xa1), uk: addr(0xb1) } as const;

const profile = { standardConfirmations: 2 } as unknown as ChainProfile;
const deployment = {
  chains: Object.fromEntries((["us", "uk"] as const).map((n) => [n, { name: n, chainId: CHAIN_ID[n], gateway: GATEWAY[n], tokens: TOKENS[n] }])),
} as unknown as Deployment;

/** A chain that answers blocks (one head) and the logs given; nothing else. */
function fakeChain(name: "us" | "uk", head: number, logs: unknown[] = []): Chain {
  const block = (n: number) => ({ number: toHex(n), timestamp: toHex(1_700_000_000 + n), hash: `0x${n.toString(16).padStart(64, "0")}` });
  return {
    name,
    chainId: CHAIN_ID[name],
    kind: "embedded",
    endpoint: name,
    client: {} as Chain["client"],
    close: async () => {},
    async request<T>(method: string, params?: readonly unknown[]): Promise<T> {
      if (method === "eth_getBlockByNumber") return block(params?.[0] === "latest" ? head : Number(params?.[0])) as T;
      if (method === "eth_getLogs") return logs as T;
      throw new Error(`unexpected ${method}`);
    },
  };
}

function relayer(chains: Record<string, Chain>, store = new MemoryTransferStore()) {
  const r = new Relayer({
    chains,
    profiles: { us: profile, uk: profile },
    deployment,
    store,
    relayerKey: KEY,
    clock: { now: () => 1_700_000_100 },
    logger: silentLogger,
    startBlocks: { us: 1, uk: 1 },
  });
  const asked: string[] = [];
  const attestations: AttestationService = {
    requestAttestation: (t) => void asked.push(`attest:${t.id}`),
    requestRefund: (t) => void asked.push(`refund:${t.id}`),
    requestFinalize: (t) => void asked.push(`finalize:${t.id}`),
    requestFinality: () => {},
    signBatch: async (batch) => (asked.push(`sign:${batch.kind}`), { batch, signatures: [], refused: [] }),
  };
  r.connect(attestations);
  return { r, store, asked };
}

function message(outputToken: Hex): Message {
  return {
    srcChainId: BigInt(CHAIN_ID.us),
    srcGateway: GATEWAY.us,
    dstChainId: BigInt(CHAIN_ID.uk),
    dstGateway: GATEWAY.uk,
    nonce: 1n,
    sender: addr(0x11),
    recipient: addr(0x22),
    inputToken: TOKENS.us.USD,
    outputToken,
    amount: 100_000_000n,
    fee: 1_000_000n,
    minAmountOut: 1n,
    deadline: 1_700_009_999n,
    tier: 1,
    mode: 0,
    extraHash: `0x${"00".repeat(32)}`,
    quoteHash: `0x${"00".repeat(32)}`,
    sentAt: 1_700_000_002n,
  };
}

/** The raw log of a TransferSent in block 2 of the source chain. */
function sentLog(m: Message) {
  const event = gatewayAbi().find((x) => x.type === "event" && x.name === "TransferSent") as AbiEvent;
  const id = idOf(m);
  return {
    address: GATEWAY.us,
    topics: encodeEventTopics({ abi: [event], eventName: "TransferSent", args: { id, sender: m.sender, recipient: m.recipient } } as never),
    data: encodeAbiParameters(event.inputs.filter((i) => !i.indexed), [m]),
    blockNumber: toHex(2),
    transactionHash: `0x${"ab".repeat(32)}`,
    logIndex: "0x0",
  };
}

describe("driveRound", () => {
  it("runs delivery (parked settlements, then the queue), the blocks, and then watching, in that order", async () => {
    const { r } = relayer({ us: fakeChain("us", 1), uk: fakeChain("uk", 1) });
    const order: string[] = [];
    vi.spyOn(r, "retryParked").mockImplementation(async (c) => void order.push(`retryParked:${c}`));
    vi.spyOn(r, "flush").mockImplementation(async (c) => void order.push(`flush:${c}`));
    vi.spyOn(r, "poll").mockImplementation(async (c) => void order.push(`poll:${c}`));
    await driveRound(r, { chains: ["uk", "us"], produceBlocks: async (cs) => void order.push(`blocks:${cs.join(",")}`), skip: (c) => c === "us" });
    expect(order).toEqual(["retryParked:uk", "flush:uk", "blocks:uk,us", "poll:uk"]);
  });

  it("passes each part through the guard on its own: an error one guard swallows skips nothing else", async () => {
    const { r } = relayer({ us: fakeChain("us", 1), uk: fakeChain("uk", 1) });
    const order: string[] = [];
    vi.spyOn(r, "retryParked").mockRejectedValue(new Error("injected"));
    vi.spyOn(r, "flush").mockImplementation(async () => void order.push("flush"));
    vi.spyOn(r, "poll").mockImplementation(async () => void order.push("poll"));
    let guarded = 0;
    await driveRound(r, {
      chains: ["us"],
      guard: async (part) => {
        guarded++;
        await part().catch(() => order.push("caught"));
      },
    });
    expect(guarded).toBe(3);
    expect(order).toEqual(["caught", "flush", "poll"]);
    // Without a guard, the error ends the step.
    order.length = 0;
    await expect(driveRound(r, { chains: ["us"] })).rejects.toThrow("injected");
    expect(order).toEqual([]);
  });
});

describe("Relayer: a send whose token is not in the deployment", () => {
  it("records a send of known tokens, with their currencies", async () => {
    const m = message(TOKENS.uk.GBP);
    const { r, store, asked } = relayer({ us: fakeChain("us", 3, [sentLog(m)]), uk: fakeChain("uk", 1) });
    await r.poll("us");
    const rec = store.get(idOf(m));
    expect(rec).toMatchObject({ state: "confirmed", srcChain: "us", dstChain: "uk", inputCurrency: "USD", outputCurrency: "GBP" });
    expect(asked).toEqual([`attest:${idOf(m)}`]);
    expect(r.openCount).toBe(1);
  });

  it("is not recorded under a currency it does not have: it is ignored (as a send to an unknown chain is), and the watcher moves on", async () => {
    const m = message(addr(0xdead));
    const { r, store, asked } = relayer({ us: fakeChain("us", 3, [sentLog(m)]), uk: fakeChain("uk", 1) });
    await r.poll("us");
    expect(store.get(idOf(m))).toBeUndefined();
    expect(store.cursor("us")).toBe(3);
    expect(asked).toEqual([]);
    expect(r.openCount).toBe(0);
  });
});

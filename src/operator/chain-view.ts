/**
 * What the operator and each attester read from the chains themselves, never from a caller: where a
 * message comes from and goes to (by the deployment's registry of chains, gateways and tokens),
 * whether its source gateway holds it at a given depth, whether its destination consumed it, and the
 * destination's clock.
 *
 * Reads are coalesced, DataLoader style, per ChainView (so the operator and each attester still read
 * for themselves): the `outbound` / `consumed` reads asked in one turn of the event loop for the same
 * chain, block and getter go out as one eth_call of the chain's CorridorLens (distinct ids, at most
 * LENS_BATCH a call), and the head reads asked in one turn for a chain share one eth_getBlockByNumber.
 * A read is sent only after every caller sharing it asked, so none sees a chain older than when it
 * asked; a read at an explicit block stays at that block. A deployment without a lens (a file from
 * before it) is read id by id, as is a block the lens did not exist at yet.
 */
import { toFunctionSelector, type Hex } from "viem";
import { z } from "zod";
import type { Chain } from "../chains/chain.js";
import { getBlock, type BlockHeader } from "../chains/mining.js";
import { confirmationsFor, finalBlockAt, type ChainProfile } from "../chains/profiles.js";
import type { Deployment } from "../contracts/deploy.js";
import { gatewayAbi, OUTBOUND_FINALIZED } from "../contracts/gateway.js";
import { CorridorError } from "../domain/errors.js";
import { hashMessage, idOf, tierName, type Message } from "../domain/message.js";


/** A message placed in the deployment: its chains by name and its currencies by the token registry. */
export const RouteSchema = z.object({ srcChain: z.string(), dstChain: z.string(), inputCurrency: z.string(), outputCurrency: z.string() });
export type Route = z.infer<typeof RouteSchema>;

export const ViewErrorCode = {
  IdMismatch: "CORRIDOR_ATTEST_ID_MISMATCH",
  UnknownRoute: "CORRIDOR_ATTEST_UNKNOWN_ROUTE",
} as const;

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export interface ChainViewOptions {
  chains: Record<string, Chain>;
  profiles: Record<string, ChainProfile>;
  deployment: Deployment;
}

/** Most ids in one eth_call of the lens (a bigger batch goes out as several calls, concurrently). */
export const LENS_BATCH = 512;

type Getter = "outbound" | "consumed";
type Value<G extends Getter> = G extends "outbound" ? Hex : boolean;

/** CorridorLens.outboundOf(address,bytes32[]) / consumedOf(address,bytes32[]): hand-encoded (a fixed layout; several times cheaper than viem's generic coder). */
const LENS_SELECTOR: Record<Getter, string> = {
  outbound: toFunctionSelector("outboundOf(address,bytes32[])").slice(2),
  consumed: toFunctionSelector("consumedOf(address,bytes32[])").slice(2),
};
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const word = (n: number) => n.toString(16).padStart(64, "0");
const FALSE_WORD = word(0);
const TRUE_WORD = word(1);

/** Calldata of `outboundOf` / `consumedOf(gateway, ids)`: selector, the address, the offset of the array (0x40), its length, its items. */
export function encodeLensCall(getter: Getter, gateway: Hex, ids: readonly Hex[]): Hex {
  let data = `0x${LENS_SELECTOR[getter]}${gateway.slice(2).toLowerCase().padStart(64, "0")}${word(0x40)}${word(ids.length)}`;
  for (const id of ids) data += id.slice(2);
  return data as Hex;
}

/** The `bytes32[]` or `bool[]` a lens call returned, checked word by word against `count`; undefined if it is not one. */
export function decodeLensResult<G extends Getter>(getter: G, result: Hex, count: number): Value<G>[] | undefined {
  const hex = result.toLowerCase();
  if (hex.length !== 2 + 64 * (2 + count) || hex.slice(2, 66) !== word(0x20) || hex.slice(66, 130) !== word(count)) return undefined;
  const out: Value<G>[] = [];
  for (let i = 0, at = 130; i < count; i++, at += 64) {
    const w = hex.slice(at, at + 64);
    if (getter === "outbound") out.push(`0x${w}` as Value<G>);
    else if (w === FALSE_WORD) out.push(false as Value<G>);
    else if (w === TRUE_WORD) out.push(true as Value<G>);
    else return undefined;
  }
  return out;
}

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
}

/** The reads of one (chain, block, getter) asked in the current turn, by id (lowercase), each with its callers. */
interface Batch {
  chain: string;
  getter: Getter;
  blockNumber: bigint | undefined;
  ids: Map<string, { id: Hex; waiters: Waiter<Hex | boolean>[] }>;
}

export class ChainView {
  constructor(private readonly opts: ChainViewOptions) {}

  /**
   * The message's id as the gateway computes it, and where the message sits in the deployment. Throws
   * when the caller's id is not the message's, or when a chain, gateway or token is not the deployment's.
   */
  place(id: Hex, m: Message): Route {
    if (!eq(idOf(m), id)) throw new CorridorError(ViewErrorCode.IdMismatch, `id ${id} is not the id of the message given`, { id });
    const src = this.chainNamed(m.srcChainId, m.srcGateway);
    const dst = this.chainNamed(m.dstChainId, m.dstGateway);
    if (src === dst) throw new CorridorError(ViewErrorCode.UnknownRoute, "source and destination are the same chain", { id });
    const inputCurrency = this.currencyOf(src, m.inputToken);
    const outputCurrency = this.currencyOf(dst, m.outputToken);
    if (!inputCurrency || !outputCurrency) throw new CorridorError(ViewErrorCode.UnknownRoute, "a token of the message is not one of the deployment's", { id });
    return { srcChain: src, dstChain: dst, inputCurrency, outputCurrency };
  }

  private chainNamed(chainId: bigint, gateway: Hex): string {
    for (const [name, d] of Object.entries(this.opts.deployment.chains)) {
      if (BigInt(d.chainId) === chainId && eq(d.gateway, gateway) && this.opts.chains[name]) return name;
    }
    throw new CorridorError(ViewErrorCode.UnknownRoute, `chain ${chainId} with gateway ${gateway} is not in the deployment`, { chainId: chainId.toString(), gateway });
  }

  private currencyOf(chain: string, token: Hex): string | undefined {
    const tokens = this.opts.deployment.chains[chain]!.tokens as Record<string, Hex>;
    return Object.keys(tokens).find((c) => eq(tokens[c]!, token));
  }

  /** Confirmations the message's tier needs on its source, and hard finality there. */
  depths(route: Route, m: Message): { tier: number; final: number } {
    const p = this.opts.profiles[route.srcChain]!;
    return { tier: confirmationsFor(p, tierName(m.tier)), final: p.standardConfirmations };
  }

  /** Confirmations a block needs to be final at `head` (the profile's depth, or by epochs). */
  private finalDepth(route: Route, head: number): number {
    return head - finalBlockAt(this.opts.profiles[route.srcChain]!, head) + 1;
  }

  /** The chain's newest block, read after the call (callers in the same turn share one read; none shares a read already sent). */
  async head(chain: string): Promise<{ number: number; timestamp: number }> {
    let h = this.heads.get(chain);
    if (!h) {
      let waiter!: Waiter<BlockHeader>;
      const promise = new Promise<BlockHeader>((resolve, reject) => (waiter = { resolve, reject }));
      this.heads.set(chain, (h = { promise, ...waiter }));
      this.schedule();
    }
    return h.promise;
  }

  /** `outbound(id)` on the source as of `depth - 1` blocks below `head` (the head itself for depth 1; undefined if the chain is not that long). */
  async outbound(route: Route, id: Hex, depth: number, head?: number): Promise<Hex | undefined> {
    let blockNumber: bigint | undefined;
    if (depth > 1) {
      const at = (head ?? (await this.head(route.srcChain)).number) - depth + 1;
      if (at < 0) return undefined;
      blockNumber = BigInt(at);
    }
    return this.read(route.srcChain, "outbound", id, blockNumber);
  }

  /** Whether the destination gateway consumed (settled) the id. */
  async consumed(route: Route, id: Hex): Promise<boolean> {
    return this.read(route.dstChain, "consumed", id, undefined);
  }

  /**
   * The send as the source shows it at the tier's depth and at hard finality, against one head (one
   * read when the depths are equal). `atTier`: this exact message is pending there; `final`: it is
   * pending or already finalized at the finality depth.
   */
  async sendDepths(route: Route, m: Message, id: Hex): Promise<{ atTier: boolean; final: boolean }> {
    const d = this.depths(route, m);
    const hash = hashMessage(m);
    const head = Math.max(d.tier, d.final) > 1 ? (await this.head(route.srcChain)).number : undefined;
    if (head !== undefined) {
      // Under epoch finality the final depth depends on the head (src/chains/profiles.ts); the Standard tier waits for it.
      const final = this.finalDepth(route, head);
      if (d.tier === d.final) d.tier = final;
      d.final = final;
    }
    const atTier = await this.outbound(route, id, d.tier, head);
    if (atTier !== hash) return { atTier: false, final: false };
    const atFinal = d.final === d.tier ? atTier : await this.outbound(route, id, d.final, head);
    return { atTier: true, final: atFinal === hash || atFinal === OUTBOUND_FINALIZED };
  }

  /** Whether the send is final on its source (pending or finalized at the finality depth). */
  async sourceFinal(route: Route, m: Message, id: Hex): Promise<boolean> {
    let depth = this.depths(route, m).final;
    let head: number | undefined;
    if (this.opts.profiles[route.srcChain]!.finalityEpochBlocks) depth = this.finalDepth(route, (head = (await this.head(route.srcChain)).number));
    const at = await this.outbound(route, id, depth, head);
    return at === hashMessage(m) || at === OUTBOUND_FINALIZED;
  }

  /** Whether the destination's newest block is past the message's deadline, so that a settlement can no longer execute. */
  async pastDeadline(route: Route, m: Message): Promise<boolean> {
    return (await this.head(route.dstChain)).timestamp > Number(m.deadline);
  }

  // ---------------------------------------------------------------- coalescing

  /** Reads asked in this turn and not yet sent, by `${chain}|${getter}|${block}`. */
  private readonly batches = new Map<string, Batch>();
  /** Head reads asked in this turn and not yet sent, by chain. */
  private readonly heads = new Map<string, { promise: Promise<BlockHeader> } & Waiter<BlockHeader>>();
  private flushScheduled = false;

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the current turn's I/O callbacks and microtasks: every caller that became ready in this turn joins.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const heads = [...this.heads.entries()];
    this.heads.clear();
    for (const [chain, h] of heads) getBlock(this.opts.chains[chain]!).then(h.resolve, h.reject);
    const batches = [...this.batches.values()];
    this.batches.clear();
    for (const b of batches) {
      this.send(b).catch((e: unknown) => {
        for (const slot of b.ids.values()) slot.waiters.forEach((w) => w.reject(e));
      });
    }
  }

  /** Reads `getter(id)` on `chain`'s gateway at `blockNumber` (latest if undefined), with the other reads of this turn. */
  private read<G extends Getter>(chain: string, getter: G, id: Hex, blockNumber: bigint | undefined): Promise<Value<G>> {
    // An id that is not 32 bytes is read alone, to fail exactly as the gateway getter's own encoding does.
    if (!BYTES32.test(id)) return this.readOne(chain, getter, id, blockNumber);
    const key = `${chain}|${getter}|${blockNumber ?? "latest"}`;
    let b = this.batches.get(key);
    if (!b) {
      b = { chain, getter, blockNumber, ids: new Map() };
      this.batches.set(key, b);
      this.schedule();
    }
    const lower = id.toLowerCase();
    let slot = b.ids.get(lower);
    if (!slot) b.ids.set(lower, (slot = { id, waiters: [] }));
    const waiters = slot.waiters;
    return new Promise<Value<G>>((resolve, reject) => waiters.push({ resolve: resolve as (v: Hex | boolean) => void, reject }));
  }

  private async send(b: Batch): Promise<void> {
    const slots = [...b.ids.values()];
    const lens = this.opts.deployment.chains[b.chain]!.lens;
    const settle = (slot: (typeof slots)[number], p: Promise<Hex | boolean>) =>
      p.then(
        (v) => slot.waiters.forEach((w) => w.resolve(v)),
        (e: unknown) => slot.waiters.forEach((w) => w.reject(e)),
      );
    const oneByOne = (part: typeof slots) => Promise.all(part.map((slot) => settle(slot, this.readOne(b.chain, b.getter, slot.id, b.blockNumber))));
    if (!lens) return void (await oneByOne(slots));
    const chain = this.opts.chains[b.chain]!;
    const gateway = this.opts.deployment.chains[b.chain]!.gateway;
    const tag = b.blockNumber === undefined ? "latest" : `0x${b.blockNumber.toString(16)}`;
    await Promise.all(
      Array.from({ length: Math.ceil(slots.length / LENS_BATCH) }, async (_, i) => {
        const part = slots.slice(i * LENS_BATCH, (i + 1) * LENS_BATCH);
        let result: Hex;
        try {
          result = await chain.request<Hex>("eth_call", [{ to: lens, data: encodeLensCall(b.getter, gateway, part.map((s) => s.id)) }, tag]);
        } catch (e) {
          // The batch's call failed: so does every read in it, as its own call would have.
          for (const slot of part) slot.waiters.forEach((w) => w.reject(e));
          return;
        }
        // No code there: the block is older than the lens. Read id by id, as without one.
        if (result === "0x") return void (await oneByOne(part));
        const values = decodeLensResult(b.getter, result, part.length);
        if (!values) {
          const e = new CorridorError("CORRIDOR_LENS_BAD_RESULT", `the lens at ${lens} on ${b.chain} returned no ${b.getter} list of ${part.length}`, { chain: b.chain, lens, result: result.slice(0, 200) });
          for (const slot of part) slot.waiters.forEach((w) => w.reject(e));
          return;
        }
        part.forEach((slot, k) => slot.waiters.forEach((w) => w.resolve(values[k]!)));
      }),
    );
  }

  /** One id through the gateway's own getter (no lens, or a block before it). */
  private async readOne<G extends Getter>(chain: string, getter: G, id: Hex, blockNumber: bigint | undefined): Promise<Value<G>> {
    const gateway = this.opts.deployment.chains[chain]!.gateway;
    try {
      return (await this.opts.chains[chain]!.client.readContract({
        address: gateway,
        abi: gatewayAbi(),
        functionName: getter,
        args: [id],
        ...(blockNumber === undefined ? {} : { blockNumber }),
      })) as Value<G>;
    } catch (err) {
      // A block older than the gateway (epoch finality reads up to 96 blocks back): nothing was sent or consumed there.
      let noData = false;
      for (let e = err as { name?: string; cause?: unknown } | undefined; e && !noData; e = e.cause as typeof e) noData = e.name === "ContractFunctionZeroDataError";
      if (blockNumber !== undefined && noData) {
        const code = await this.opts.chains[chain]!.request<Hex>("eth_getCode", [gateway, `0x${blockNumber.toString(16)}`]);
        if (code === "0x") return (getter === "outbound" ? `0x${"0".repeat(64)}` : false) as Value<G>;
      }
      throw err;
    }
  }
}

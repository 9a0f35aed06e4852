/**
 * What the operator and each attester read from the chains themselves, never from a caller: where a
 * message comes from and goes to (by the deployment's registry of chains, gateways and tokens),
 * whether its source gateway holds it at a given depth, whether its destination consumed it, and the
 * destination's clock.
 */
import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { getBlock } from "../chains/mining.js";
import { confirmationsFor, type ChainProfile } from "../chains/profiles.js";
import type { Deployment } from "../contracts/deploy.js";
import { gatewayAbi, OUTBOUND_FINALIZED } from "../contracts/gateway.js";
import { CorridorError } from "../domain/errors.js";
import { hashMessage, idOf, tierName, type Message } from "../domain/message.js";


/** A message placed in the deployment: its chains by name and its currencies by the token registry. */
export interface Route {
  srcChain: string;
  dstChain: string;
  inputCurrency: string;
  outputCurrency: string;
}

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

  async head(chain: string): Promise<{ number: number; timestamp: number }> {
    return getBlock(this.opts.chains[chain]!);
  }

  /** `outbound(id)` on the source as of `depth - 1` blocks below `head` (the head itself for depth 1; undefined if the chain is not that long). */
  async outbound(route: Route, id: Hex, depth: number, head?: number): Promise<Hex | undefined> {
    const chain = this.opts.chains[route.srcChain]!;
    let blockNumber: bigint | undefined;
    if (depth > 1) {
      const at = (head ?? (await getBlock(chain)).number) - depth + 1;
      if (at < 0) return undefined;
      blockNumber = BigInt(at);
    }
    return (await chain.client.readContract({
      address: this.opts.deployment.chains[route.srcChain]!.gateway,
      abi: gatewayAbi(),
      functionName: "outbound",
      args: [id],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    })) as Hex;
  }

  /** Whether the destination gateway consumed (settled) the id. */
  async consumed(route: Route, id: Hex): Promise<boolean> {
    return (await this.opts.chains[route.dstChain]!.client.readContract({
      address: this.opts.deployment.chains[route.dstChain]!.gateway,
      abi: gatewayAbi(),
      functionName: "consumed",
      args: [id],
    })) as boolean;
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
    const atTier = await this.outbound(route, id, d.tier, head);
    if (atTier !== hash) return { atTier: false, final: false };
    const atFinal = d.final === d.tier ? atTier : await this.outbound(route, id, d.final, head);
    return { atTier: true, final: atFinal === hash || atFinal === OUTBOUND_FINALIZED };
  }

  /** Whether the send is final on its source (pending or finalized at the finality depth). */
  async sourceFinal(route: Route, m: Message, id: Hex): Promise<boolean> {
    const at = await this.outbound(route, id, this.depths(route, m).final);
    return at === hashMessage(m) || at === OUTBOUND_FINALIZED;
  }

  /** Whether the destination's newest block is past the message's deadline, so that a settlement can no longer execute. */
  async pastDeadline(route: Route, m: Message): Promise<boolean> {
    return (await this.head(route.dstChain)).timestamp > Number(m.deadline);
  }
}

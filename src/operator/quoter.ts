import type { Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { keccak256, signHash } from "../crypto/native.js";
import type { Currency } from "../domain/money.js";
import type { RateSource } from "../domain/fx/rate-source.js";
import { midFor } from "../domain/fx/rate-source.js";
import { makeQuote, rateToFixed18 } from "../domain/fx/quote.js";
import { hashQuote, quoteDigest, RATE_SCALE, type LockedQuote } from "../domain/message.js";
import type { Decimal } from "../domain/money.js";

export interface QuoterOptions {
  privateKey: Hex;
  source: RateSource;
  /** Markup against the customer, bps of the mid, per direction ("<IN>-><OUT>" in currency codes); `default` otherwise. */
  spreadBps: Record<string, number>;
  ttlSeconds: number;
}

export interface Pricing {
  /** Output per input after the spread, 18 decimals. */
  rate: bigint;
  /** Output per input at mid. */
  mid: Decimal;
  spreadBps: number;
}

export interface SignedQuote {
  quote: LockedQuote;
  signature: Hex;
  mid: Decimal;
  spreadBps: number;
}

/**
 * The operator's FX desk: prices a direction from the rate source plus a spread, and issues
 * firm quotes signed (EIP-712) by the registered quoter key in the destination gateway's domain.
 */
export class Quoter {
  readonly address: Hex;
  private readonly issued = new Map<Hex, SignedQuote>();
  private seq = 0;

  constructor(private readonly opts: QuoterOptions) {
    this.address = privateKeyToAddress(opts.privateKey);
  }

  get source(): RateSource {
    return this.opts.source;
  }

  spreadFor(input: Currency, output: Currency): number {
    return this.opts.spreadBps[`${input}->${output}`] ?? this.opts.spreadBps.default ?? 0;
  }

  /** The price of input→output at `now`; same currency is 1 with no spread. */
  price(input: Currency, output: Currency, now: number): Pricing {
    const mid = midFor(this.opts.source, input, output, now);
    if (input === output) return { rate: RATE_SCALE, mid, spreadBps: 0 };
    const spreadBps = this.spreadFor(input, output);
    const q = makeQuote({ mid, spreadBps, side: "baseToQuote", id: "", issuedAt: now, ttlSeconds: 0 });
    return { rate: q.rateFixed18, mid, spreadBps };
  }

  /** A firm quote a sender can lock at send, valid for the configured time. */
  async issue(req: {
    sender: Hex;
    srcChainId: bigint;
    dstChainId: bigint;
    dstGateway: Hex;
    inputToken: Hex;
    outputToken: Hex;
    input: Currency;
    output: Currency;
    maxAmountIn: bigint;
    now: number;
  }): Promise<SignedQuote> {
    const p = this.price(req.input, req.output, req.now);
    const quote: LockedQuote = {
      quoteId: keccak256(Buffer.from(`quote/${this.address}/${req.now}/${this.seq++}`, "utf8")),
      sender: req.sender,
      srcChainId: req.srcChainId,
      dstChainId: req.dstChainId,
      inputToken: req.inputToken,
      outputToken: req.outputToken,
      rate: p.rate,
      maxAmountIn: req.maxAmountIn,
      expiresAt: BigInt(Math.floor(req.now + this.opts.ttlSeconds)),
    };
    const digest = quoteDigest(quote, req.dstGateway);
    const signature = signHash(digest, this.opts.privateKey);
    const signed = { quote, signature, mid: p.mid, spreadBps: p.spreadBps };
    this.issued.set(hashQuote(quote), signed);
    return signed;
  }

  /** A quote this desk issued, by its EIP-712 hash (the message's quoteHash). */
  lookup(quoteHash: Hex): SignedQuote | undefined {
    return this.issued.get(quoteHash);
  }
}

export { rateToFixed18 };

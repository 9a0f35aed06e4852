/**
 * An adversarial client of the operator's HTTP API against a live corridor (two local nodes), with
 * the DEFAULT compliance pipeline (OFAC list, limits, travel rule, manual review) and the honest
 * relayer daemon running beside it. The attacker holds the relayer's bearer token (the worst case)
 * and a funded account: it races the relayer from the moment each send is mined, edits messages,
 * replays, sends malformed bodies, asks for finality of random ids, tries the review desk, and
 * submits every signature it obtains to the chains itself (and tampered variants of them).
 *
 * Checked on the chains, not only in the API's answers: nothing denied or still held is paid;
 * nothing that can still settle is refunded; no id is both settled and refunded; every denied
 * sender is refunded exactly once; `reconcile` is clean at the end. Any signature set the attacker
 * obtains that it should not have (a settlement of a denied or held transfer, a refund of one that
 * can still settle, anything for an edited message) is counted and must be zero.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { recoverAddress, type Hex } from "viem";
import { TxSender, waitForReceipt } from "../../src/chains/tx-sender.js";
import { testKeyPair, type KeyPair } from "../../src/chains/keys.js";
import { fundNative } from "../../src/contracts/deploy.js";
import {
  decodeGatewayLogs,
  encodeCreditFastAllowance,
  encodeFinalizeBatch,
  encodeRefundBatch,
  encodeSend,
  encodeSettleBatch,
  GAS,
  gatewayAbi,
  tokenAbi,
  OUTBOUND_FINALIZED,
  OUTBOUND_REFUNDED,
} from "../../src/contracts/gateway.js";
import { hashMessage, idOf, NO_QUOTE, TIER, ZERO_HASH, type Message } from "../../src/domain/message.js";
import { parseWithBigints, stringifyWithBigints } from "../../src/domain/json.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { loadAddressList } from "../../src/data/sanctions-list.js";
import { deploymentOf, writeLiveConfig, type LiveConfig } from "../../src/live/config.js";
import { startOperatorService } from "../../src/live/runtime.js";
import { reconcile } from "../../src/live/reconcile.js";
import { ReviewDeskClient } from "../../src/operator/http.js";
import type { Attestation, SignedBatch } from "../../src/operator/operator.js";
import { batchDigest, type AttestBatch } from "../../src/operator/attester.js";
import { silentLogger } from "../../src/logger.js";
import { kill, sleep, spawnRelayer, startLiveHarness, travelRuleFor, type LiveHarness } from "../helpers/live.js";

type Kind = "allow" | "deny" | "hold-approve" | "hold-keep" | "hold-deny";
type ChainName = "us" | "uk";

interface Plan {
  label: string;
  from: ChainName;
  senderIndex: number;
  amount: string;
  tier: number;
  kind: Kind;
  /** An OFAC-listed recipient (index into the shipped list), else one of the harness's recipients. */
  ofac?: number;
}

/** What the default pipeline does with each (travel-rule data is never supplied live, so 3,000 USD and up is held before manual review's 10,000). */
const PLANS: Plan[] = [
  { label: "A1 allowed us->uk USD->USD", from: "us", senderIndex: 0, amount: "100", tier: TIER.standard, kind: "allow" },
  { label: "A2 allowed us->uk USD->GBP", from: "us", senderIndex: 1, amount: "200", tier: TIER.standard, kind: "allow" },
  { label: "A3 allowed uk->us GBP->GBP fast", from: "uk", senderIndex: 0, amount: "100", tier: TIER.fast, kind: "allow" },
  { label: "D1 OFAC recipient us->uk", from: "us", senderIndex: 2, amount: "150", tier: TIER.standard, kind: "deny", ofac: 0 },
  { label: "D2 over the per-transfer limit us->uk", from: "us", senderIndex: 3, amount: "30000", tier: TIER.standard, kind: "deny" },
  { label: "D3 OFAC recipient uk->us GBP->USD", from: "uk", senderIndex: 1, amount: "50", tier: TIER.standard, kind: "deny", ofac: 1 },
  { label: "H1 held (12,000 USD), approved", from: "us", senderIndex: 4, amount: "12000", tier: TIER.standard, kind: "hold-approve" },
  { label: "H2 held (5,000 USD), never reviewed", from: "us", senderIndex: 5, amount: "5000", tier: TIER.standard, kind: "hold-keep" },
  { label: "H3 held (4,000 USD), review denies", from: "us", senderIndex: 6, amount: "4000", tier: TIER.standard, kind: "hold-deny" },
];
// Same-currency routes (burn and mint); the others are cross-currency (lock and release)
const SAME_CURRENCY = new Set(["A1 allowed us->uk USD->USD", "A3 allowed uk->us GBP->GBP fast"]);

interface Sent {
  plan: Plan;
  id: Hex;
  message: Message;
  src: ChainName;
  dst: ChainName;
  senderBefore: bigint;
  recipientBefore: bigint;
}

interface HttpAnswer {
  status: number;
  body: { result?: unknown; error?: { code: string; message: string } } & Record<string, unknown>;
}

const other = (n: ChainName): ChainName => (n === "us" ? "uk" : "us");

class Adversary {
  attacks = 0;
  wrong: string[] = [];
  serverErrors: string[] = [];
  noQuorum: string[] = [];
  obtained = 0;
  /** Every signature set obtained, with the batch it covers, for replays. */
  readonly loot: { id: Hex; signed: SignedBatch }[] = [];
  private readonly seen = new Set<string>();
  private readonly senders: Record<ChainName, TxSender>;
  private readonly queue: Record<ChainName, Promise<unknown>> = { us: Promise.resolve(), uk: Promise.resolve() };

  constructor(
    private readonly h: LiveHarness,
    readonly url: string,
    readonly token: string,
    readonly key: KeyPair,
    /** What the attacker may legitimately get for an id at this moment (checked when an answer arrives). */
    private readonly may: (id: Hex) => { settle: boolean; refund: boolean },
  ) {
    this.senders = { us: new TxSender(h.corridor.chains.us!, key.privateKey), uk: new TxSender(h.corridor.chains.uk!, key.privateKey) };
  }

  async http(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    this.attacks++;
    const res = await fetch(`${this.url}${path}`, { method, headers: { "content-type": "application/json", ...headers }, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let json: HttpAnswer["body"];
    try {
      json = parseWithBigints(text);
    } catch {
      json = { error: { code: "<not json>", message: text.slice(0, 200) } };
    }
    if (res.status >= 500 && json.error?.code !== "CORRIDOR_ATTESTERS_NO_QUORUM") this.serverErrors.push(`${method} ${path} -> ${res.status} ${JSON.stringify(json.error)} (body ${String(body).slice(0, 120)})`);
    return { status: res.status, body: json };
  }

  /** POST with the relayer's token (the attacker stole it). */
  post(path: string, body: unknown, token: string | undefined = this.token): Promise<HttpAnswer> {
    return this.http("POST", path, typeof body === "string" ? body : stringifyWithBigints(body), token === undefined ? {} : { authorization: `Bearer ${token}` });
  }

  /**
   * Asks for the attestation of `id` with `message`; `real` is the message the source holds under
   * `id` (undefined when the attacker forged the pair). Judges what comes back and submits it.
   */
  async ask(id: Hex, message: Message, real: Message | undefined, what: string): Promise<Attestation | undefined> {
    const r = await this.post("/v1/attestation", { id, message });
    if (r.status !== 200) {
      // 503 NO_QUORUM is the one 5xx allowed: an ask racing its own transfer's refund or settlement being mined
      // finds the attesters refusing (the source or destination moved on under it). Counted, and nothing is signed.
      if (r.status === 503 && r.body.error?.code === "CORRIDOR_ATTESTERS_NO_QUORUM") {
        this.noQuorum.push(`${what}: ${r.body.error.message}`);
        return undefined;
      }
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
      return undefined;
    }
    const res = r.body.result as Attestation;
    if (res.kind !== "settle" && res.kind !== "refund" && res.kind !== "finalize") return res;
    // A decision carries no signatures: they are signed per batch. Ask for them as the relayer would, and
    // for every variant the attacker would like: its own recipient, a doubled rate, a claimed finality,
    // the other outcome, and the honest item batched with an edited copy.
    const mine = { ...message, recipient: this.key.address };
    const batches: [string, AttestBatch][] =
      res.kind === "settle"
        ? [
            ["as decided", { kind: "settle", items: [{ message, rate: res.rate, sourceFinal: res.sourceFinal }] }],
            ["recipient edited", { kind: "settle", items: [{ message: mine, rate: res.rate, sourceFinal: res.sourceFinal }] }],
            ["rate doubled", { kind: "settle", items: [{ message, rate: res.rate * 2n, sourceFinal: res.sourceFinal }] }],
            ["finality claimed", { kind: "settle", items: [{ message, rate: res.rate, sourceFinal: true }] }],
            ["refund instead", { kind: "refund", items: [{ message, reason: 0 }] }],
            ["batched with an edit", { kind: "settle", items: [{ message, rate: res.rate, sourceFinal: res.sourceFinal }, { message: mine, rate: res.rate, sourceFinal: res.sourceFinal }] }],
          ]
        : res.kind === "refund"
          ? [
              ["as decided", { kind: "refund", items: [{ message, reason: refundReason(res.reason) }] }],
              ["sender edited", { kind: "refund", items: [{ message: { ...message, sender: this.key.address }, reason: refundReason(res.reason) }] }],
              ["settle instead", { kind: "settle", items: [{ message, rate: 10n ** 18n, sourceFinal: true }] }],
            ]
          : [
              ["as decided", { kind: "finalize", items: [{ message }] }],
              ["refund instead", { kind: "refund", items: [{ message, reason: 1 }] }],
            ];
    for (const [variant, batch] of batches) await this.askBatch(batch, real, `${what} ${variant}`);
    return res;
  }

  /** Asks for signatures over `batch`; judges what was signed (every item must be one the attacker may get) and submits it. */
  async askBatch(batch: AttestBatch, real: Message | undefined, what: string): Promise<void> {
    const r = await this.post("/v1/batch-signatures", batch);
    if (r.status !== 200) {
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
      return;
    }
    const signed = r.body.result as SignedBatch;
    if (signed.signatures.length === 0) return;
    this.obtained++;
    for (const item of signed.batch.items) {
      const id = idOf(item.message);
      if (!real || hashMessage(real) !== hashMessage(item.message)) {
        this.wrong.push(`${what}: ${signed.batch.kind} signatures for a message the source does not hold under ${id}`);
        continue;
      }
      const may = this.may(id);
      if (signed.batch.kind === "settle" && !may.settle) this.wrong.push(`${what}: settle signatures for ${id}, which may not settle now`);
      if (signed.batch.kind === "refund" && !may.refund) this.wrong.push(`${what}: refund signatures for ${id}, which can still settle`);
      if (signed.batch.kind === "finalize" && !(await this.consumed(real))) this.wrong.push(`${what}: finalize signatures for ${id}, not settled`);
    }
    // The signatures are real attestations (the attesters' keys over the batch's digest): worth submitting.
    const attesters = new Set(this.h.corridor.attesters.addresses.map((a) => a.toLowerCase()));
    const digest = batchDigest(signed.batch);
    for (const sig of signed.signatures) expect(attesters.has((await recoverAddress({ hash: digest, signature: sig })).toLowerCase())).toBe(true);
    // Each new set is submitted at once (racing the relayer), repeats only as replays.
    const key = `${signed.batch.kind}:${signed.signatures.join(",")}`;
    if (this.seen.has(key) || !real) return;
    this.seen.add(key);
    this.loot.push({ id: idOf(real), signed });
    await this.submit(real, signed);
  }

  async consumed(m: Message): Promise<boolean> {
    const dst = chainOfId(this.h, m.dstChainId);
    return (await this.h.corridor.chains[dst]!.client.readContract({ address: m.dstGateway, abi: gatewayAbi(), functionName: "consumed", args: [idOf(m)] })) as boolean;
  }

  /** Sends a transaction from the attacker's account (one at a time per chain: the sender tracks its nonce). */
  tx(chain: ChainName, to: Hex, data: Hex, gas: bigint): Promise<void> {
    this.attacks++;
    const run = this.queue[chain].then(async () => {
      try {
        const hash = await this.senders[chain].send({ to, data, gas });
        await waitForReceipt(this.h.corridor.chains[chain]!, hash, { timeoutMs: 20_000 });
      } catch {
        this.senders[chain].invalidate();
      }
    });
    this.queue[chain] = run;
    return run;
  }

  /** Submits a signed batch as it is, and tampered: paid to itself, at another rate, the signatures used for the other outcome. */
  async submit(m: Message, signed: SignedBatch): Promise<void> {
    const src = chainOfId(this.h, m.srcChainId);
    const dst = chainOfId(this.h, m.dstChainId);
    const mine = { ...m, recipient: this.key.address };
    const sigs = signed.signatures;
    const b = signed.batch;
    const n = BigInt(b.items.length);
    if (b.kind === "settle") {
      // The quote the relayer would attach: the attacker copies it from the decision (none on these routes).
      const items = b.items.map((i) => ({ ...i, quote: NO_QUOTE, quoteSignature: "0x" as Hex }));
      await Promise.all([
        this.tx(dst, m.dstGateway, encodeSettleBatch(items, sigs), GAS.settleBase + GAS.settlePerItem * n),
        this.tx(dst, m.dstGateway, encodeSettleBatch(items.map((i) => ({ ...i, message: mine })), sigs), GAS.settleBase + GAS.settlePerItem * n),
        this.tx(dst, m.dstGateway, encodeSettleBatch(items.map((i) => ({ ...i, rate: i.rate * 2n })), sigs), GAS.settleBase + GAS.settlePerItem * n),
        this.tx(src, m.srcGateway, encodeRefundBatch(items.map((i) => ({ message: i.message, reason: 0 })), sigs), GAS.refundPerItem * 2n * n),
      ]);
    } else if (b.kind === "refund") {
      await Promise.all([
        this.tx(src, m.srcGateway, encodeRefundBatch(b.items, sigs), GAS.refundPerItem * 2n * n),
        this.tx(src, m.srcGateway, encodeRefundBatch(b.items.map((i) => ({ ...i, message: { ...i.message, sender: this.key.address } })), sigs), GAS.refundPerItem * 2n * n),
        this.tx(dst, m.dstGateway, encodeSettleBatch(b.items.map((i) => ({ message: i.message, rate: 10n ** 18n, sourceFinal: true, quote: NO_QUOTE, quoteSignature: "0x" as Hex })), sigs), GAS.settleBase + GAS.settlePerItem * n),
      ]);
    } else {
      await this.tx(src, m.srcGateway, encodeFinalizeBatch(b.items, sigs), GAS.finalizePerItem * 2n * n);
    }
  }
}

const REASONS = { denied: 0, expired: 1, belowMinimum: 2, other: 3 } as const;
const refundReason = (r: keyof typeof REASONS) => REASONS[r];

function chainOfId(h: LiveHarness, chainId: bigint): ChainName {
  return BigInt(h.corridor.deployment.chains.us!.chainId) === chainId ? "us" : "uk";
}

/** Messages the attacker edits, each field the relayer could lie about. */
function edits(h: LiveHarness, m: Message, attacker: Hex): [string, Message][] {
  const d = h.corridor.deployment.chains;
  const src = chainOfId(h, m.srcChainId);
  const dst = other(src);
  const otherToken = (chain: ChainName, t: Hex) => Object.values(d[chain]!.tokens).find((x) => x.toLowerCase() !== t.toLowerCase())! as Hex;
  return [
    ["amount up", { ...m, amount: m.amount * 10n }],
    ["amount down", { ...m, amount: m.amount - 1n }],
    ["recipient", { ...m, recipient: attacker }],
    ["sender", { ...m, sender: attacker }],
    ["output token relabelled", { ...m, outputToken: otherToken(dst, m.outputToken) }],
    ["input token relabelled", { ...m, inputToken: otherToken(src, m.inputToken) }],
    ["mode flipped", { ...m, mode: 1 - m.mode }],
    ["chains swapped", { ...m, srcChainId: m.dstChainId, srcGateway: m.dstGateway, dstChainId: m.srcChainId, dstGateway: m.srcGateway, inputToken: m.outputToken, outputToken: m.inputToken }],
    ["sentAt changed", { ...m, sentAt: m.sentAt + 7n }],
    ["deadline extended", { ...m, deadline: m.deadline + 86_400n }],
    ["tier flipped", { ...m, tier: m.tier === TIER.fast ? TIER.standard : TIER.fast }],
    ["fee", { ...m, fee: m.fee + 1n }],
    ["nonce", { ...m, nonce: m.nonce + 1n }],
    ["unknown destination", { ...m, dstChainId: 999n }],
  ];
}

/** Malformed bodies: each must be answered 4xx with a CORRIDOR_HTTP_* code, never 500. */
function malformed(valid: { id: Hex; message: Message }): [string, string, string][] {
  const msgJson = JSON.parse(stringifyWithBigints(valid.message)) as Record<string, unknown>;
  const withMsg = (patch: Record<string, unknown>) => JSON.stringify({ id: valid.id, message: { ...msgJson, ...patch } });
  const A = "/v1/attestation";
  const F = "/v1/finality";
  const B = "/v1/batch-signatures";
  const item = { message: msgJson, rate: { $bigint: "1" }, sourceFinal: true };
  return [
    [A, "not json", "{not json"],
    [A, "empty body", ""],
    [A, "null", "null"],
    [A, "array", "[]"],
    [A, "number", "123"],
    [A, "string", '"hello"'],
    [A, "empty object", "{}"],
    [A, "no message", JSON.stringify({ id: valid.id })],
    [A, "no id", JSON.stringify({ message: msgJson })],
    [A, "extra top-level field", JSON.stringify({ id: valid.id, message: msgJson, rate: "1" })],
    [A, "extra message field", withMsg({ rate: { $bigint: "1" } })],
    [A, "bigints as plain numbers", withMsg({ amount: 100, nonce: 1 })],
    [A, "negative amount", withMsg({ amount: { $bigint: "-1" } })],
    [A, "nonce over uint64", withMsg({ nonce: { $bigint: (1n << 64n).toString() } })],
    [A, "amount over uint256", withMsg({ amount: { $bigint: (1n << 256n).toString() } })],
    [A, "$bigint not digits", withMsg({ amount: { $bigint: "1e5" } })],
    [A, "$bigint with a second key", withMsg({ amount: { $bigint: "1", x: 1 } })],
    [A, "short address", withMsg({ recipient: "0x1234" })],
    [A, "address not hex", withMsg({ recipient: `0x${"zz".repeat(20)}` })],
    [A, "tier 256", withMsg({ tier: 256 })],
    [A, "tier fractional", withMsg({ tier: 0.5 })],
    [A, "tier as string", withMsg({ tier: "1" })],
    [A, "extraHash short", withMsg({ extraHash: "0x00" })],
    [A, "id not hex", JSON.stringify({ id: "0xnothex", message: msgJson })],
    [A, "id short", JSON.stringify({ id: valid.id.slice(0, 40), message: msgJson })],
    [A, "message is an array", JSON.stringify({ id: valid.id, message: [] })],
    [A, "__proto__ key", `{"id":"${valid.id}","message":${JSON.stringify(msgJson)},"__proto__":{"admin":true}}`],
    [A, "deep nesting", `${"[".repeat(50_000)}${"]".repeat(50_000)}`],
    [A, "over 1 MB", JSON.stringify({ id: valid.id, message: msgJson, pad: "x".repeat(1_100_000) })],
    [F, "finality: empty ids", JSON.stringify({ ids: [] })],
    [F, "finality: ids not hex", JSON.stringify({ ids: ["hello"] })],
    [F, "finality: ids as string", JSON.stringify({ ids: valid.id })],
    [F, "finality: too many ids", JSON.stringify({ ids: Array.from({ length: 5_001 }, () => valid.id) })],
    [F, "finality: extra field", JSON.stringify({ ids: [valid.id], all: true })],
    [B, "batch: no kind", JSON.stringify({ items: [item] })],
    [B, "batch: unknown kind", JSON.stringify({ kind: "mint", items: [item] })],
    [B, "batch: empty items", JSON.stringify({ kind: "settle", items: [] })],
    [B, "batch: items not an array", JSON.stringify({ kind: "settle", items: item })],
    [B, "batch: settle item without rate", JSON.stringify({ kind: "settle", items: [{ message: msgJson, sourceFinal: true }] })],
    [B, "batch: settle item with signatures", JSON.stringify({ kind: "settle", items: [{ ...item, signatures: [] }] })],
    [B, "batch: refund reason 256", JSON.stringify({ kind: "refund", items: [{ message: msgJson, reason: 256 }] })],
    [B, "batch: too many items", JSON.stringify({ kind: "settle", items: Array.from({ length: 501 }, () => item) })],
    [B, "batch: malformed message", JSON.stringify({ kind: "finalize", items: [{ message: { ...msgJson, amount: 5 } }] })],
  ];
}

const randomId = (): Hex => `0x${Array.from({ length: 64 }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("")}` as Hex;

async function freePortNear(base: number): Promise<number> {
  const { createServer } = await import("node:net");
  for (let port = base; ; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

describe.each(["hardhat", "anvil"] as const)("an adversarial client of the operator's HTTP API (%s nodes)", (kind) => {
  it("gets no signature it should not have, and the chains show no settlement of a denied or held transfer, no refund of one that can settle, no id both", async () => {
    const started = Date.now();
    const h = await startLiveHarness(kind, { senders: 8 });
    let relayer: ChildProcess | undefined;
    let operator: Awaited<ReturnType<typeof startOperatorService>> | undefined;
    const chains = h.corridor.chains as Record<ChainName, (typeof h.corridor.chains)[string]>;
    const dep = h.corridor.deployment.chains as Record<ChainName, (typeof h.corridor.deployment.chains)[string]>;
    try {
      // Whatever the harness configured, the operator under attack runs the DEFAULT pipeline (hooks left out of the config).
      await h.operator.stop();
      h.operator.stop = async () => {};
      const cfg: LiveConfig = structuredClone(h.config);
      delete cfg.operator.hooks;
      cfg.operator.port = await freePortNear(h.config.operator.port + 1);
      cfg.operator.url = `http://127.0.0.1:${cfg.operator.port}`;
      cfg.operator.store = join(h.dir, "default-hooks", "operator.db");
      const cfgFile = join(h.dir, "live-default-hooks.json");
      writeLiveConfig(cfgFile, cfg);
      operator = await startOperatorService(cfg, { logger: silentLogger });
      expect(cfg.operator.hooks).toBeUndefined();

      // The honest relayer, in its own process.
      relayer = spawnRelayer(h, cfgFile);
      let relayerErr = "";
      relayer.stderr?.on("data", (d) => (relayerErr = (relayerErr + String(d)).slice(-4000)));

      const attacker = testKeyPair(`adversary-${kind}`, "attacker");
      await Promise.all([fundNative(chains.us, [attacker.address]), fundNative(chains.uk, [attacker.address])]);
      const reviewerToken = cfg.operator.reviewers[0]!.token;
      const desk = new ReviewDeskClient(cfg.operator.url, reviewerToken);

      // What may be signed for each id right now (the test sets approval/denial flags before it asks the desk).
      const kindOf = new Map<string, Kind>();
      const approved = new Set<string>();
      const reviewDenied = new Set<string>();
      const may = (id: Hex) => {
        const k = kindOf.get(id.toLowerCase());
        return {
          settle: k === "allow" || (k === "hold-approve" && approved.has(id.toLowerCase())),
          refund: k === "deny" || (k === "hold-deny" && reviewDenied.has(id.toLowerCase())),
        };
      };
      const adv = new Adversary(h, cfg.operator.url, cfg.relayer.operatorToken, attacker, may);

      const ofac = [...loadAddressList()];
      const balance = (chain: ChainName, token: Hex, who: Hex) =>
        chains[chain].client.readContract({ address: token, abi: tokenAbi(), functionName: "balanceOf", args: [who] }) as Promise<bigint>;
      const sent: Sent[] = [];
      const races: Promise<unknown>[] = [];

      // Each send, then the race from the moment it is mined.
      for (const [i, plan] of PLANS.entries()) {
        const src = plan.from;
        const dst = other(src);
        const kp = h.senders[src][plan.senderIndex]!;
        const recipient = (plan.ofac !== undefined ? ofac[plan.ofac]! : h.recipients[i]!) as Hex;
        const outCur = SAME_CURRENCY.has(plan.label) ? dep[src].home : dep[dst].home;
        const inputToken = dep[src].tokens[dep[src].home] as Hex;
        const outputToken = dep[dst].tokens[outCur] as Hex;
        const senderBefore = await balance(src, inputToken, kp.address);
        const recipientBefore = await balance(dst, outputToken, recipient);
        const sender = new TxSender(chains[src], kp.privateKey);
        // The allowed ones carry the parties' names (the UK asks for them at any amount); the held ones carry
        // no travel-rule data, which is what holds those above the US threshold.
        const extraHash = plan.kind === "allow" ? await travelRuleFor({ config: cfg }, kp.address, recipient) : ZERO_HASH;
        const hash = await sender.send({
          to: dep[src].gateway,
          gas: GAS.send,
          data: encodeSend({
            inputToken,
            dstChainId: BigInt(dep[dst].chainId),
            outputToken,
            recipient,
            amount: toBaseUnits(plan.amount),
            maxFee: 0n,
            minAmountOut: 0n,
            deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
            tier: plan.tier,
            extraHash,
            quote: NO_QUOTE,
          }),
        });
        const receipt = await waitForReceipt(chains[src], hash);
        expect(receipt.status).toBe("success");
        const ev = decodeGatewayLogs(receipt.logs).find((e) => e.name === "TransferSent");
        if (!ev || ev.name !== "TransferSent") throw new Error("no TransferSent");
        kindOf.set(ev.id.toLowerCase(), plan.kind);
        const s: Sent = { plan, id: ev.id, message: ev.message, src, dst, senderBefore, recipientBefore };
        sent.push(s);
        // The race: concurrent asks with the real message, then every edit (with the real id and with the edit's own).
        const race = (async () => {
            await Promise.all(Array.from({ length: 6 }, (_, k) => adv.ask(s.id, s.message, s.message, `race ${k} ${plan.label}`)));
            for (const [what, m] of edits(h, s.message, attacker.address)) {
              const a = await adv.post("/v1/attestation", { id: s.id, message: m });
              if (a.status === 200) {
                const res = a.body.result as Attestation;
                if (res.kind === "settle" || res.kind === "refund" || res.kind === "finalize") adv.wrong.push(`${plan.label} ${what} (real id): a ${res.kind} decision`);
                expect(["pending", "done"], `${plan.label} ${what} (real id)`).toContain(res.kind);
              } else {
                expect(a.status, `${plan.label} ${what} (real id): ${JSON.stringify(a.body)}`).toBe(422);
                expect(a.body.error?.code).toMatch(/^CORRIDOR_ATTEST_/);
              }
              await adv.ask(idOf(m), m, undefined, `${plan.label} ${what} (own id)`).catch((e) => {
                throw new Error(`${plan.label} ${what} (own id): ${(e as Error).message}`);
              });
            }
          })();
        race.catch(() => {}); // awaited below, with the others
        races.push(race);
      }
      await Promise.all(races);
      const byKind = (k: Kind) => sent.filter((s) => s.plan.kind === k);

      // Authentication: no token, a wrong one, another scheme, the reviewer's token on the relayer routes, the relayer's on the review desk.
      const some = sent[0]!;
      const body = stringifyWithBigints({ id: some.id, message: some.message });
      const unauthorized: [string, string, string | undefined, Record<string, string>][] = [
        ["POST", "/v1/attestation", body, {}],
        ["POST", "/v1/attestation", body, { authorization: "Bearer not-the-token-but-long-enough-to-look-like-one" }],
        ["POST", "/v1/attestation", body, { authorization: `Basic ${cfg.relayer.operatorToken}` }],
        ["POST", "/v1/attestation", body, { authorization: `Bearer ${cfg.relayer.operatorToken}x` }],
        ["POST", "/v1/attestation", body, { authorization: `Bearer ${reviewerToken}` }],
        ["POST", "/v1/finality", JSON.stringify({ ids: [some.id] }), {}],
        ["GET", "/v1/reviews", undefined, { authorization: `Bearer ${cfg.relayer.operatorToken}` }],
        ["GET", "/v1/reviews?state=all", undefined, {}],
        ...sent.filter((s) => s.plan.kind.startsWith("hold")).flatMap((s): [string, string, string | undefined, Record<string, string>][] => [
          ["POST", `/v1/reviews/${s.id}`, JSON.stringify({ decision: "approve" }), { authorization: `Bearer ${cfg.relayer.operatorToken}` }],
          ["POST", `/v1/reviews/${s.id}`, JSON.stringify({ decision: "approve" }), {}],
          ["POST", `/v1/reviews/${s.id}`, JSON.stringify({ decision: "deny" }), { authorization: `Bearer ${cfg.relayer.operatorToken}` }],
        ]),
      ];
      for (const [method, path, b, headers] of unauthorized) {
        const r = await adv.http(method, path, b, headers);
        expect(r.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.body.error?.code).toBe("CORRIDOR_HTTP_UNAUTHORIZED");
      }
      // Unknown routes and methods.
      for (const [method, path] of [["GET", "/v1/attestation"], ["POST", "/v1/attestations"], ["PUT", "/v1/finality"], ["POST", "/v1/reviews/0x12"], ["DELETE", `/v1/reviews/${some.id}`]] as const) {
        const r = await adv.http(method, path, method === "GET" ? undefined : "{}", { authorization: `Bearer ${cfg.relayer.operatorToken}` });
        expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${method} ${path}`).toBeLessThan(500);
      }
      // Malformed bodies.
      for (const [path, what, b] of malformed({ id: some.id, message: some.message })) {
        const r = await adv.post(path, b);
        expect([400, 413], `${what}: ${r.status} ${JSON.stringify(r.body)}`).toContain(r.status);
        expect(r.body.error?.code, what).toMatch(/^CORRIDOR_HTTP_/);
      }
      // An id that is not the message's (another transfer's id, a random one).
      for (const s of sent) {
        for (const id of [sent[(sent.indexOf(s) + 1) % sent.length]!.id, randomId()]) {
          const r = await adv.post("/v1/attestation", { id, message: s.message });
          expect(r.status).toBe(422);
          expect(r.body.error?.code).toBe("CORRIDOR_ATTEST_ID_MISMATCH");
        }
      }
      // Finality: random ids, denied and held ones, ids of both directions at once.
      const finalityAsk = async (ids: Hex[]) => {
        const r = await adv.post("/v1/finality", { ids });
        expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
        const res = r.body.result as { ids: Hex[]; signatures: Hex[] } | null | undefined;
        if (r.status === 200 && res) {
          for (const id of res.ids) if (!may(id).settle) adv.wrong.push(`finality signed for ${id}, which may not settle`);
          const dst = chainOfId(h, sent.find((s) => s.id.toLowerCase() === res.ids[0]!.toLowerCase())!.message.dstChainId);
          await adv.tx(dst, dep[dst].gateway, encodeCreditFastAllowance(res.ids, res.signatures), GAS.admin + GAS.creditPerItem * BigInt(res.ids.length));
        }
        return r;
      };
      await finalityAsk(Array.from({ length: 20 }, randomId));
      await finalityAsk([...byKind("deny"), ...byKind("hold-keep"), ...byKind("hold-approve"), ...byKind("hold-deny")].map((s) => s.id));
      await finalityAsk([...sent.map((s) => s.id), ...Array.from({ length: 5 }, randomId)]);

      // Held ones: hammered while held; they stay unpaid and unrefunded.
      const consumed = (s: Sent) => chains[s.dst].client.readContract({ address: dep[s.dst].gateway, abi: gatewayAbi(), functionName: "consumed", args: [s.id] }) as Promise<boolean>;
      const outbound = (s: Sent) => chains[s.src].client.readContract({ address: dep[s.src].gateway, abi: gatewayAbi(), functionName: "outbound", args: [s.id] }) as Promise<Hex>;
      const hammer = () => Promise.all(sent.flatMap((s) => [adv.ask(s.id, s.message, s.message, `hammer ${s.plan.label}`), adv.ask(s.id, s.message, s.message, `hammer ${s.plan.label}`)]));
      const held = sent.filter((s) => s.plan.kind.startsWith("hold"));
      for (let i = 0; i < 3; i++) {
        await hammer();
        await sleep(300);
      }
      for (const s of held) {
        expect(await consumed(s), `${s.plan.label} paid while held`).toBe(false);
        expect(await outbound(s), `${s.plan.label} no longer pending while held`).toBe(hashMessage(s.message));
      }
      const pending = await desk.list("pending");
      expect(pending.map((r) => r.id.toLowerCase()).sort()).toEqual(held.map((s) => s.id.toLowerCase()).sort());

      // The review desk decides (a person, with the reviewer's token): H1 approved, H3 denied; H2 left held.
      const [h1] = byKind("hold-approve");
      const [h3] = byKind("hold-deny");
      approved.add(h1!.id.toLowerCase());
      reviewDenied.add(h3!.id.toLowerCase());
      // Racing the decision: asks in flight while it is made.
      await Promise.all([desk.decide(h1!.id, "approve"), desk.decide(h3!.id, "deny"), hammer()]);
      for (const [s, d] of [[h1!, "deny"], [h3!, "approve"]] as const) {
        const r = await adv.http("POST", `/v1/reviews/${s.id}`, JSON.stringify({ decision: d }), { authorization: `Bearer ${reviewerToken}` });
        expect(r.status).toBe(409);
        expect(r.body.error?.code).toBe("CORRIDOR_REVIEW_ALREADY_DECIDED");
      }

      // Until the chains are done: everything allowed (and H1) settled, A2 finalized, every denied one (and H3) refunded.
      const isDone = async () => {
        for (const s of sent) {
          const k = s.plan.kind;
          if (k === "allow" || k === "hold-approve") {
            if (!(await consumed(s))) return false;
            if (s.message.mode === 1 && (await outbound(s)) !== OUTBOUND_FINALIZED) return false;
          }
          if ((k === "deny" || k === "hold-deny") && (await outbound(s)) !== OUTBOUND_REFUNDED) return false;
        }
        return true;
      };
      const deadline = Date.now() + 40_000;
      while (!(await isDone())) {
        if (Date.now() > deadline) throw new Error(`not done in time; relayer stderr: ${relayerErr}`);
        await hammer();
        // Replays: every signature set obtained so far, submitted again.
        for (const { id, signed } of adv.loot.slice(-3)) await adv.submit(sent.find((s) => s.id === id)!.message, signed);
        await sleep(250);
      }
      // A last round of replays of everything, and asks after the end.
      for (const { id, signed } of adv.loot) await adv.submit(sent.find((s) => s.id === id)!.message, signed);
      await hammer();
      await kill(relayer, "SIGTERM");
      relayer = undefined;

      // ---- On the chains.
      const counts = new Map<string, { settled: number; refunded: number; finalized: number }>();
      for (const name of ["us", "uk"] as const) {
        const logs = await chains[name].request<{ topics: Hex[]; data: Hex }[]>("eth_getLogs", [{ address: dep[name].gateway, fromBlock: `0x${cfg.deployment.chains[name]!.startBlock.toString(16)}`, toBlock: "latest" }]);
        for (const ev of decodeGatewayLogs(logs)) {
          if (ev.name !== "TransferSettled" && ev.name !== "TransferRefunded" && ev.name !== "TransferFinalized") continue;
          const c = counts.get(ev.id.toLowerCase()) ?? { settled: 0, refunded: 0, finalized: 0 };
          if (ev.name === "TransferSettled") c.settled++;
          if (ev.name === "TransferRefunded") c.refunded++;
          if (ev.name === "TransferFinalized") c.finalized++;
          counts.set(ev.id.toLowerCase(), c);
        }
      }
      const count = (s: Sent) => counts.get(s.id.toLowerCase()) ?? { settled: 0, refunded: 0, finalized: 0 };
      for (const s of sent) {
        const c = count(s);
        const k = s.plan.kind;
        const inputToken = s.message.inputToken;
        const paid = (await balance(s.dst, s.message.outputToken, s.message.recipient)) - s.recipientBefore;
        const senderNow = await balance(s.src, inputToken, s.message.sender);
        // (c) never both.
        expect(c.settled > 0 && c.refunded > 0, `${s.plan.label} settled and refunded`).toBe(false);
        expect(c.settled, s.plan.label).toBeLessThanOrEqual(1);
        expect(c.refunded, s.plan.label).toBeLessThanOrEqual(1);
        if (k === "allow" || k === "hold-approve") {
          // (b) nothing that can settle is refunded; it settled once, to its recipient.
          expect(c, s.plan.label).toMatchObject({ settled: 1, refunded: 0 });
          expect(await consumed(s)).toBe(true);
          expect(await outbound(s)).not.toBe(OUTBOUND_REFUNDED);
          expect(paid, s.plan.label).toBeGreaterThan(0n);
          expect(senderNow, s.plan.label).toBe(s.senderBefore - s.message.amount);
        } else {
          // (a) nothing denied or held is paid.
          expect(await consumed(s), s.plan.label).toBe(false);
          expect(c.settled, s.plan.label).toBe(0);
          expect(paid, s.plan.label).toBe(0n);
        }
        if (k === "deny" || k === "hold-deny") {
          // Refunded exactly once, in full.
          expect(c.refunded, s.plan.label).toBe(1);
          expect(await outbound(s)).toBe(OUTBOUND_REFUNDED);
          expect(senderNow, s.plan.label).toBe(s.senderBefore);
        }
        if (k === "hold-keep") {
          expect(c.refunded, s.plan.label).toBe(0);
          expect(await outbound(s)).toBe(hashMessage(s.message));
          expect(senderNow).toBe(s.senderBefore - s.message.amount);
        }
      }
      // The attacker never received a token on either chain.
      for (const name of ["us", "uk"] as const) for (const t of Object.values(dep[name].tokens)) expect(await balance(name, t as Hex, attacker.address)).toBe(0n);
      // The books, from the chains alone.
      const rec = await reconcile(h.corridor.chains, deploymentOf(cfg));
      expect(rec.discrepancies).toEqual([]);
      expect(rec.ok).toBe(true);

      expect(adv.serverErrors).toEqual([]);
      expect(adv.wrong).toEqual([]);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `[adversarial-operator ${kind}] attacks tried: ${adv.attacks}, answers carrying signatures: ${adv.obtained} (${adv.loot.length} distinct sets, each submitted to the chains), signatures obtained wrongly: ${adv.wrong.length}, 503 no-quorum answers to racing asks: ${adv.noQuorum.length}, runtime: ${seconds} s`,
      );
    } finally {
      if (relayer) await kill(relayer, "SIGKILL");
      await operator?.stop();
      await h.close();
    }
  }, 150_000);
});

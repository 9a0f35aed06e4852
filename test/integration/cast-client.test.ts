/**
 * A foreign client with Foundry's `cast` alone: every step of a transfer is a spawned `cast` process
 * (approve, quote, sendSimple, the id from the receipt's logs, statusOf on both chains, balances), and a
 * revert decodes to the gateway's own error name from the gateway's ABI. The setup (two anvil nodes, the
 * corridor, the operator) is the live harness; the relayer daemon settles, as in production.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLiveHarness, spawnRelayer, kill, sleep, type LiveHarness } from "../helpers/live.js";
import { testKeyPair } from "../../src/chains/keys.js";
import { packagePath } from "../../src/paths.js";
import { ReviewDeskClient } from "../../src/operator/http.js";
import type { ChildProcess } from "node:child_process";

/**
 * The native cast binary of @foundry-rs/cast's platform package. Not the package's `bin.mjs` wrapper: in
 * 1.7.1 it exits 0 whatever cast's own exit status was, so a revert would look like a success.
 */
function castBinary(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  const exe = process.platform === "win32" ? "cast.exe" : "cast";
  return createRequire(import.meta.url).resolve(`@foundry-rs/cast-${process.platform}-${arch}/bin/${exe}`);
}
const CAST = castBinary();

/** Runs `cast args...`; resolves with stdout, rejects with stderr (a revert, say). */
function cast(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(CAST, args, { env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`cast ${args[0]} failed: ${stderr || err.message}`), { stderr: String(stderr) }));
      else resolve(stdout.trim());
    });
  });
}

/** `cast` prints numbers as "1000000 [1e6]": the first word of each line. */
const numbers = (out: string): bigint[] => out.split("\n").map((l) => BigInt(l.trim().split(/\s+/)[0]!));

/** The error signatures of the gateway's ABI (the artifact a foreign client is given), e.g. "FeeAboveMax(uint256,uint256)". */
function gatewayErrorSignatures(): string[] {
  const abi = JSON.parse(readFileSync(packagePath("artifacts", "contracts", "CorridorGateway.sol", "CorridorGateway.json"), "utf8")).abi as {
    type: string;
    name: string;
    inputs: { type: string }[];
  }[];
  return abi.filter((x) => x.type === "error").map((e) => `${e.name}(${e.inputs.map((i) => i.type).join(",")})`);
}

/** Decodes revert data with cast and the gateway's ABI: the error whose selector (`cast sig`) matches, and its arguments (`cast decode-error --sig`). */
async function decodeWithCast(data: string): Promise<{ name: string; args: string[] }> {
  for (const sig of gatewayErrorSignatures()) {
    if ((await cast("sig", sig)).toLowerCase() !== data.slice(0, 10).toLowerCase()) continue;
    const args = (await cast("decode-error", "--sig", sig, data)).split("\n").map((l) => l.trim().split(/\s+/)[0]!);
    return { name: sig.slice(0, sig.indexOf("(")), args };
  }
  throw new Error(`no error in the gateway's ABI has selector ${data.slice(0, 10)}`);
}

/** The revert data that cast reports for a failed call. */
function revertData(e: unknown): string {
  const text = (e as { stderr?: string }).stderr ?? String(e);
  const m = /data: "?(0x[0-9a-fA-F]+)"?/.exec(text) ?? /(0x[0-9a-fA-F]{8,})/.exec(text);
  if (!m) throw new Error(`no revert data in: ${text}`);
  return m[1]!;
}

const SEND_SIMPLE = "sendSimple(address,uint64,address,address,uint256,uint256,uint256,uint64,uint8)";
const QUOTE_SEND = "quoteSend(address,uint64,address,uint256,uint8,uint256)(uint256,uint256)";
const STATUS_OF = "statusOf(bytes32)(uint8)";
const MESSAGE_TUPLE = "(uint64,address,uint64,address,uint64,address,address,address,address,uint256,uint256,uint256,uint64,uint8,uint8,bytes32,bytes32,uint64)";
const STATUS = { None: 0n, Pending: 1n, Refunded: 2n, Finalized: 3n, Settled: 4n } as const;

describe("a client with cast alone", () => {
  let h: LiveHarness;
  let relayer: ChildProcess | undefined;

  beforeAll(async () => {
    h = await startLiveHarness("anvil", { senders: 1 });
  });

  afterAll(async () => {
    if (relayer) await kill(relayer, "SIGTERM");
    await h?.close();
  });

  it("quotes, sends with sendSimple, reads Pending on the source and Settled on the destination, and reads reverts by name", async () => {
    const us = h.config.chains.us!.url;
    const uk = h.config.chains.uk!.url;
    const src = h.corridor.deployment.chains.us!;
    const dst = h.corridor.deployment.chains.uk!;
    const usd = src.tokens.USD!;
    const deployer = h.corridor.keys.deployer;
    const client = testKeyPair("cast-client", "client");
    const recipient = testKeyPair("cast-client", "recipient").address;
    const amount = 250_000_000n; // 250 USD, below the default pipeline's travel-rule and review thresholds

    // Setup, with cast too: gas money, tokens from the issuer, a fee module with a schedule for the route.
    await cast("rpc", "--rpc-url", us, "anvil_setBalance", client.address, "0xde0b6b3a7640000");
    await cast("send", "--rpc-url", us, "--private-key", deployer, usd, "mint(address,uint256)", client.address, amount.toString());
    const feeArt = JSON.parse(readFileSync(packagePath("artifacts", "contracts", "fees", "FeeModule.sol", "FeeModule.json"), "utf8")) as { bytecode: string };
    const admin = await cast("wallet", "address", "--private-key", deployer);
    const created = JSON.parse(await cast("send", "--rpc-url", us, "--private-key", deployer, "--json", "--create", feeArt.bytecode, "constructor(address)", admin)) as { contractAddress: string };
    const feeModule = created.contractAddress;
    // fixed 0.5 USD + 10 bps, no minimum, at most 10 USD
    await cast("send", "--rpc-url", us, "--private-key", deployer, feeModule, "setSchedule(address,uint256,(uint128,uint128,uint128,uint128,uint16,uint16,(uint128,uint128,uint16)[]))", usd, String(dst.chainId), "(500000,0,10000000,0,10,0,[])");
    await cast("send", "--rpc-url", us, "--private-key", deployer, src.gateway, "setFeeModule(address)", feeModule);

    // 1. The fee and the payout, from the gateway (same currency: rate 0 means 1e18).
    const [fee, amountOut] = numbers(await cast("call", "--rpc-url", us, src.gateway, QUOTE_SEND, usd, String(dst.chainId), dst.tokens.USD!, amount.toString(), "0", "0"));
    expect(fee).toBe(500_000n + (amount * 10n) / 10_000n);
    expect(amountOut).toBe(amount - fee!);
    const deadline = String(Math.floor(Date.now() / 1000) + 3600);
    const sendArgs = [usd, String(dst.chainId), dst.tokens.USD!, recipient, amount.toString(), fee!.toString(), amountOut!.toString(), deadline, "0"];

    // 2. Without an allowance the send reverts; cast reads the token's error by name from the gateway's ABI.
    const failed = await cast("call", "--rpc-url", us, "--from", client.address, src.gateway, SEND_SIMPLE, ...sendArgs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed, "sendSimple without an allowance must revert").toBeDefined();
    const decoded = await decodeWithCast(revertData(failed));
    expect(decoded.name).toBe("ERC20InsufficientAllowance");
    expect(decoded.args.map((a) => a.toLowerCase())).toEqual([src.gateway.toLowerCase(), "0", amount.toString()]);
    // A gateway error too: a fee cap below the quoted fee.
    const capped = await cast("call", "--rpc-url", us, "--from", client.address, src.gateway, SEND_SIMPLE, ...sendArgs.slice(0, 5), "1", ...sendArgs.slice(6)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(await decodeWithCast(revertData(capped))).toEqual({ name: "FeeAboveMax", args: [fee!.toString(), "1"] });

    // 3. Approve and send.
    await cast("send", "--rpc-url", us, "--private-key", client.privateKey, usd, "approve(address,uint256)", src.gateway, amount.toString());
    const sent = JSON.parse(await cast("send", "--rpc-url", us, "--private-key", client.privateKey, "--json", src.gateway, SEND_SIMPLE, ...sendArgs)) as { status: string; transactionHash: string };
    expect(sent.status).toBe("0x1");

    // 4. The id: topic 1 of TransferSent in the receipt's logs.
    const topic = (await cast("sig-event", `TransferSent(bytes32,address,address,${MESSAGE_TUPLE})`)).toLowerCase();
    const receipt = JSON.parse(await cast("receipt", "--rpc-url", us, "--json", sent.transactionHash)) as { logs: { address: string; topics: string[] }[] };
    const log = receipt.logs.find((l) => l.address.toLowerCase() === src.gateway.toLowerCase() && l.topics[0]!.toLowerCase() === topic);
    expect(log, "TransferSent in the receipt").toBeDefined();
    const id = log!.topics[1]!;

    // 5. Pending on the source, unknown on the destination.
    expect(numbers(await cast("call", "--rpc-url", us, src.gateway, STATUS_OF, id))[0]).toBe(STATUS.Pending);
    expect(numbers(await cast("call", "--rpc-url", uk, dst.gateway, STATUS_OF, id))[0]).toBe(STATUS.None);

    // 6. The relayer daemon asks for it; sendSimple carries no travel-rule data and the UK asks for the parties'
    // names at any amount, so the operator holds it for review; a reviewer approves it.
    relayer = spawnRelayer(h);
    const desk = new ReviewDeskClient(h.config.operator.url, h.config.operator.reviewers[0]!.token);
    const heldBy = Date.now() + 60_000;
    while (Date.now() < heldBy && !(await desk.list()).some((r) => r.id.toLowerCase() === id.toLowerCase())) await sleep(300);
    const [held] = (await desk.list()).filter((r) => r.id.toLowerCase() === id.toLowerCase());
    expect(held?.screening, "held for the UK's travel rule").toMatchObject({ reason: "TRAVEL_RULE_MISSING" });
    await desk.decide(id as `0x${string}`, "approve");
    // The destination then says Settled and the recipient holds the quoted payout.
    const until = Date.now() + 90_000;
    let status = STATUS.None as bigint;
    while (status !== STATUS.Settled && Date.now() < until) {
      await sleep(500);
      status = numbers(await cast("call", "--rpc-url", uk, dst.gateway, STATUS_OF, id))[0]!;
    }
    expect(status).toBe(STATUS.Settled);
    expect(numbers(await cast("call", "--rpc-url", uk, dst.tokens.USD!, "balanceOf(address)(uint256)", recipient))[0]).toBe(amountOut);
    // Same currency: nothing is left to release on the source, which keeps it Pending.
    expect(numbers(await cast("call", "--rpc-url", us, src.gateway, STATUS_OF, id))[0]).toBe(STATUS.Pending);
  });
});

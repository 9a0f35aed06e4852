import type { Command } from "commander";
import type { Hex } from "viem";
import { CorridorError } from "../../domain/errors.js";
import { checkChecksum, parseAddress, parseAmount, parseChainName, parsePrivateKey, parseTransferId, UsageCode } from "../options.js";
import { table } from "../table.js";

const DEFAULT_CONFIG = ".corridor/live.json";
/** Lifecycle order (block-stamped stages use chain time, the others the services' clock, so sorting by time can mislead). */
const STAGE_ORDER = ["initiated", "confirmed", "screened", "held", "reviewed", "attested", "submitted", "settled", "refundAttested", "refunded", "finalized", "dropped"] as const;

// viem, the SDK and the store load when a command runs, after its flags are checked (usage errors stay fast).
const loadLiveConfig = async (file: string) => (await import("../../live/config.js")).loadLiveConfig(file);

export function registerTransfer(program: Command): void {
  program
    .command("send")
    .description("send one corridor transfer on running chains (see corridor up)")
    .requiredOption("--from <chain>", "source chain: one of the config's chains, e.g. us", parseChainName("--from"))
    .requiredOption("--to <chain>", "destination chain: one of the config's chains, e.g. uk", parseChainName("--to"))
    .requiredOption("--amount <amount>", "amount in whole units of the input currency, e.g. 250.00", parseAmount("--amount"))
    .requiredOption("--recipient <address>", "recipient address on the destination chain", parseAddress("--recipient"))
    .option("--tier <tier>", "standard or fast", "standard")
    .option("--currency <same|cross>", "cross: pay out the destination's home currency (FX); same: burn-and-mint the sender's currency", "cross")
    .option("--key <privateKey>", "sender's private key (default: the first funded account on the source chain)", parsePrivateKey("--key"))
    .option("--config <file>", "live config (written by corridor up)", DEFAULT_CONFIG)
    .option("--originator-name <name>", "the sender's full name: with --beneficiary-name, sent to the operator as the transfer's travel-rule data (IVMS101), which the UK asks for at any amount")
    .option("--beneficiary-name <name>", "the recipient's full name (see --originator-name)")
    .action(async (o: { from: string; to: string; amount: string; recipient: Hex; tier: string; currency: string; key?: string; config: string; originatorName?: string; beneficiaryName?: string }) => {
      if (o.from === o.to) throw new CorridorError("CORRIDOR_USAGE_INVALID", "--from and --to must be different chains");
      if (o.tier !== "standard" && o.tier !== "fast") throw new CorridorError("CORRIDOR_USAGE_INVALID", `--tier must be standard or fast, got "${o.tier}"`);
      if (o.currency !== "same" && o.currency !== "cross") throw new CorridorError("CORRIDOR_USAGE_INVALID", `--currency must be same or cross, got "${o.currency}"`);
      if ((o.originatorName === undefined) !== (o.beneficiaryName === undefined)) {
        throw new CorridorError("CORRIDOR_USAGE_INVALID", "--originator-name and --beneficiary-name go together: give both or neither");
      }
      for (const [flag, name] of [["--originator-name", o.originatorName], ["--beneficiary-name", o.beneficiaryName]] as const) {
        if (name !== undefined && !/^\p{L}[\p{L}\p{M} .'-]{0,98}$/u.test(name.trim())) {
          throw new CorridorError("CORRIDOR_USAGE_INVALID", `${flag}: a person's name in letters, spaces, dots, hyphens and apostrophes (at most 100), got "${name}"`, { flag });
        }
      }
      await checkChecksum("--recipient", o.recipient);
      const config = await loadLiveConfig(o.config);
      for (const [flag, name] of [["--from", o.from], ["--to", o.to]] as const) {
        if (!(name in config.chains)) throw new CorridorError(UsageCode.UnknownChain, `${flag}: unknown chain "${name}"; ${o.config} has ${Object.keys(config.chains).join(", ")}`, { flag, chain: name });
      }
      const key = (o.key ?? config.accounts.find((a) => a.chain === o.from)?.privateKey) as Hex | undefined;
      if (!key) throw new CorridorError("CORRIDOR_USAGE_INVALID", `no sender key: ${o.config} lists no funded account on ${o.from}; pass --key 0x… (32 bytes hex)`);
      const src = config.deployment.chains[o.from]!;
      const dst = config.deployment.chains[o.to]!;
      const input = src.home;
      const output = o.currency === "same" ? input : dst.home;
      const [{ createWalletClient, http }, { privateKeyToAccount }, { sendCorridorTransfer }, { fromBaseUnits }, { tierName }] = await Promise.all([
        import("viem"),
        import("viem/accounts"),
        import("../../sdk/index.js"),
        import("../../domain/money.js"),
        import("../../domain/message.js"),
      ]);
      const account = privateKeyToAccount(key);
      const wallet = createWalletClient({ account, transport: http(config.chains[o.from]!.url, { retryCount: 0 }) });
      // Travel-rule data goes to the operator off chain; the transfer commits to it by its hash.
      let extraHash: Hex | undefined;
      if (o.originatorName !== undefined && o.beneficiaryName !== undefined) {
        const [{ RemoteOperator }, { buildTravelRulePayload }] = await Promise.all([import("../../operator/http.js"), import("../../domain/compliance/ivms.js")]);
        const data = buildTravelRulePayload({ originator: { name: o.originatorName.trim(), account: account.address }, beneficiary: { name: o.beneficiaryName.trim(), account: o.recipient } });
        extraHash = await new RemoteOperator(config.operator.url, config.relayer.operatorToken).submitTravelRule(data);
      }
      const sent = await sendCorridorTransfer({
        signer: wallet,
        gateway: src.gateway,
        inputToken: src.tokens[input]!,
        dstChainId: dst.chainId,
        outputToken: dst.tokens[output]!,
        recipient: o.recipient,
        amount: o.amount,
        tier: o.tier,
        ...(extraHash ? { extraHash } : {}),
      });
      const m = sent.message;
      console.log(`Sent ${fromBaseUnits(m.amount).toFixed(2)} ${input} from ${o.from} to ${o.to} (${tierName(m.tier)}, paid out in ${output}; fee ${fromBaseUnits(m.fee).toFixed(6)} ${input}).`);
      console.log(`Transfer id: ${sent.id}\nSource transaction: ${sent.txHash}\nFollow it with: corridor status ${sent.id}`);
    });

  program
    .command("status")
    .description("show every stage of a transfer with its time")
    .argument("<id>", "transfer id (0x…)", parseTransferId())
    .option("--config <file>", "live config (written by corridor up)", DEFAULT_CONFIG)
    .action(async (id: string, o: { config: string }) => {
      const config = await loadLiveConfig(o.config);
      const [{ isAddress }, { getTransferStatus }, { openSqliteStore }, { connectRpcChain }, { fromBaseUnits }, { tierName }] = await Promise.all([
        import("viem"),
        import("../../sdk/index.js"),
        import("../../relayer/sqlite-store.js"),
        import("../../chains/chain.js"),
        import("../../domain/money.js"),
        import("../../domain/message.js"),
      ]);
      const store = openSqliteStore(config.relayer.store);
      const record = store.get(id as Hex);
      store.close();
      if (!record) {
        // Not in the relayer's store (another relayer's, or not seen yet): ask every gateway.
        const { gatewayAbi } = await import("../../contracts/gateway.js");
        const names = Object.keys(config.chains);
        const chains = await Promise.all(names.map((n) => connectRpcChain(n, config.chains[n]!.url)));
        const read = (i: number, fn: "outbound" | "consumed") =>
          chains[i]!.client.readContract({ address: config.deployment.chains[names[i]!]!.gateway as Hex, abi: gatewayAbi(), functionName: fn, args: [id as Hex] });
        const outbound = await Promise.all(names.map((_, i) => read(i, "outbound") as Promise<Hex>));
        const consumed = await Promise.all(names.map((_, i) => read(i, "consumed") as Promise<boolean>));
        const srcIndex = outbound.findIndex((h) => BigInt(h) !== 0n);
        if (srcIndex < 0) throw new CorridorError("CORRIDOR_TRANSFER_NOT_FOUND", `no gateway knows transfer ${id} (the relayer has not seen it, and no chain shows it sent)`);
        const dstIndex = consumed.findIndex((c) => c);
        const stored = BigInt(outbound[srcIndex]!);
        const state = stored === 1n ? "refunded" : stored === 2n ? "finalized" : dstIndex >= 0 ? "settled" : "pending";
        console.log(`Transfer ${id}: ${state} (from the chains; the relayer's store does not know it)`);
        console.log(`sent on ${names[srcIndex]}${dstIndex >= 0 ? `, settled on ${names[dstIndex]}` : ""}`);
        return;
      }
      const urlOf = (name: string) => {
        const url = config.chains[name]?.url;
        if (!url) throw new CorridorError("CORRIDOR_CONFIG_INVALID", `the relayer's store has transfer ${id} on chain "${name}", which ${o.config} does not name (it has ${Object.keys(config.chains).join(", ")})`, { chain: name });
        return url;
      };
      const src = config.deployment.chains[record.srcChain]!;
      const dst = config.deployment.chains[record.dstChain]!;
      const [srcChain, dstChain] = await Promise.all([connectRpcChain(record.srcChain, urlOf(record.srcChain)), connectRpcChain(record.dstChain, urlOf(record.dstChain))]);
      const onChain = await getTransferStatus({ source: { publicClient: srcChain.client, gateway: src.gateway }, destination: { publicClient: dstChain.client, gateway: dst.gateway }, id: id as Hex });
      const m = record.message;
      console.log(`Transfer ${id}: ${record.state} (on chain: ${onChain.status})`);
      console.log(`${fromBaseUnits(m.amount).toFixed(2)} ${record.inputCurrency} ${record.srcChain} → ${record.dstChain} ${record.outputCurrency}, ${tierName(m.tier)}` + (record.amountOut !== undefined ? `, paid ${fromBaseUnits(record.amountOut).toFixed(6)} ${record.outputCurrency}` : ""));
      const t0 = record.stages.initiated ?? 0;
      console.log(
        table(
          ["stage", "time (UTC)", "since sent"],
          STAGE_ORDER.filter((k) => record.stages[k] !== undefined)
            .map((k) => [k, record.stages[k]] as const)
            .map(([stage, t]) => [stage, new Date(t! * 1000).toISOString(), `${(t! - t0).toFixed(1)} s`]),
        ),
      );
      if (record.refundReason) console.log(`Refund reason: ${record.refundReason}`);
      if (record.compliance && record.compliance.outcome !== "allow") console.log(`Compliance: ${record.compliance.outcome} (${record.compliance.reason})`);
      if (!isAddress(m.recipient)) process.exitCode = 1;
    });
}

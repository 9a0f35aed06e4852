import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, custom, encodeFunctionData, keccak256, toHex, type EIP1193RequestFn, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { BrowserProvider, Wallet, type Eip1193Provider } from "ethers";
import { bootCorridor, type BootedCorridor } from "../../src/corridor/boot.js";
import type { Chain } from "../../src/chains/chain.js";
import { testKeyPair } from "../../src/chains/keys.js";
import { TxSender, waitForReceipt } from "../../src/chains/tx-sender.js";
import { fundNative } from "../../src/contracts/deploy.js";
import { GAS, tokenAbi } from "../../src/contracts/gateway.js";
import { TIER, idOf } from "../../src/domain/message.js";
import { CorridorError, getTransferStatus, sendCorridorTransfer, SdkErrorCode, type SendCorridorTransferOptions } from "../../src/sdk/index.js";

let c: BootedCorridor;
let us: Chain;
const viemSender = testKeyPair("sdk", "sender/viem");
const ethersSender = testKeyPair("sdk", "sender/ethers");
const recipient = testKeyPair("sdk", "recipient").address;

/** The embedded chain as an EIP-1193 provider, as a browser wallet would expose it. */
const eip1193 = (chain: Chain): Eip1193Provider => ({
  request: ({ method, params }) => chain.request(method, (params ?? []) as unknown[]),
});

/**
 * A viem wallet client for a local key over the embedded chain's request function. retryCount 0: the
 * embedded chain reports a revert as an internal error (-32603), which viem's transport retries three
 * times with backoff (about a second per reverted eth_call) before giving up.
 */
const viemWallet = (privateKey: Hex, chain: Chain) =>
  createWalletClient({
    account: privateKeyToAccount(privateKey),
    transport: custom({ request: (({ method, params }) => chain.request(method, (params ?? []) as unknown[])) as EIP1193RequestFn }, { retryCount: 0 }),
  });

const balanceOf = (token: Hex, holder: Hex) => us.client.readContract({ address: token, abi: tokenAbi(), functionName: "balanceOf", args: [holder] }) as Promise<bigint>;
const allowance = (token: Hex, holder: Hex, spender: Hex) =>
  us.client.readContract({ address: token, abi: tokenAbi(), functionName: "allowance", args: [holder, spender] }) as Promise<bigint>;

beforeAll(async () => {
  c = await bootCorridor({ seed: "sdk" });
  us = c.chains.us!;
  const { tokens } = c.deployment.chains.us!;
  await fundNative(us, [viemSender.address, ethersSender.address]);
  // The deployer administers the tokens: it grants itself MINTER_ROLE, then mints to both senders.
  const issuer = new TxSender(us, c.keys.deployer);
  const call = (to: Hex, functionName: string, args: unknown[]) => ({ to, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName, args } as never) });
  const hashes = [
    await issuer.send(call(tokens.USD!, "grantRole", [keccak256(toHex("MINTER_ROLE")), issuer.address])),
    await issuer.send(call(tokens.USD!, "mint", [viemSender.address, 1_000_000_000n])),
    await issuer.send(call(tokens.USD!, "mint", [ethersSender.address, 1_000_000_000n])),
  ];
  for (const h of hashes) expect((await waitForReceipt(us, h)).status).toBe("success");
});

afterAll(async () => {
  await c?.close();
});

describe("the corridor SDK", () => {
  it("sends a transfer with a viem wallet client, approving exactly the amount first", async () => {
    const { gateway, tokens } = c.deployment.chains.us!;
    const uk = c.deployment.chains.uk!;
    const wallet = viemWallet(viemSender.privateKey, us);
    const before = await balanceOf(tokens.USD!, viemSender.address);

    const sent = await sendCorridorTransfer({
      signer: wallet,
      gateway,
      inputToken: tokens.USD!,
      dstChainId: uk.chainId,
      outputToken: uk.tokens.USD!,
      recipient,
      amount: 25_000_000n,
      tier: "fast",
    });

    expect(sent.message).toMatchObject({ sender: viemSender.address, recipient, amount: 25_000_000n, tier: TIER.fast, inputToken: tokens.USD!, outputToken: uk.tokens.USD!, fee: 0n, mode: 0 });
    expect(sent.id).toBe(idOf(sent.message));
    expect(sent.id).toBe(idOf(sent.message));
    expect(sent.approvalTxHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await balanceOf(tokens.USD!, viemSender.address)).toBe(before - 25_000_000n);
    expect(await allowance(tokens.USD!, viemSender.address, gateway)).toBe(0n);
    // The deadline counts from chain time: an hour after the send's block, less the blocks mined since the read.
    expect(sent.message.deadline - sent.message.sentAt).toBeGreaterThan(3590n);
    expect(sent.message.deadline - sent.message.sentAt).toBeLessThanOrEqual(3600n);

    const status = await getTransferStatus({
      source: { publicClient: us.client, gateway },
      destination: { publicClient: c.chains.uk!.client, gateway: uk.gateway },
      id: sent.id,
    });
    expect(status).toEqual({ status: "pending", outbound: "pending", settled: false });
  });

  it("sends a transfer with an ethers Wallet over a BrowserProvider, with the amount in whole units", async () => {
    const { gateway, tokens } = c.deployment.chains.us!;
    const uk = c.deployment.chains.uk!;
    // Default options on purpose: ethers answers a request identical to one of the last 250 ms from a cache
    // (pending nonce, eth_call), which approve-then-send on an automining chain runs straight into.
    const provider = new BrowserProvider(eip1193(us));
    const wallet = new Wallet(ethersSender.privateKey, provider);
    const before = await balanceOf(tokens.USD!, ethersSender.address);

    const sent = await sendCorridorTransfer({
      signer: wallet,
      gateway,
      inputToken: tokens.USD!,
      dstChainId: BigInt(uk.chainId),
      outputToken: uk.tokens.GBP!,
      recipient,
      amount: "12.345678",
      minAmountOut: "9",
      deadlineSeconds: 600,
    });

    expect(sent.message).toMatchObject({ sender: ethersSender.address, recipient, amount: 12_345_678n, tier: TIER.standard, minAmountOut: 9_000_000n, outputToken: uk.tokens.GBP!, mode: 1 });
    expect(sent.id).toBe(idOf(sent.message));
    expect(await balanceOf(tokens.USD!, ethersSender.address)).toBe(before - 12_345_678n);
    const status = await getTransferStatus({ source: { provider, gateway }, id: sent.id });
    expect(status).toEqual({ status: "pending", outbound: "pending", settled: undefined });
    const never = await getTransferStatus({ source: { provider, gateway }, id: keccak256(toHex("never sent")) });
    expect(never.status).toBe("unknown");

    // A second send from the same Wallet right after the first: the nonce comes from the node each time.
    const again = await sendCorridorTransfer({ signer: wallet, gateway, inputToken: tokens.USD!, dstChainId: uk.chainId, outputToken: uk.tokens.USD!, recipient, amount: 1n });
    expect(again.message.nonce).toBe(sent.message.nonce + 1n);
    expect(await balanceOf(tokens.USD!, ethersSender.address)).toBe(before - 12_345_679n);
  });

  describe("refuses a bad send before anything moves", () => {
    const base = (): SendCorridorTransferOptions => {
      const { gateway, tokens } = c.deployment.chains.us!;
      const uk = c.deployment.chains.uk!;
      return {
        signer: new Wallet(ethersSender.privateKey, new BrowserProvider(eip1193(us))),
        gateway,
        inputToken: tokens.USD!,
        dstChainId: uk.chainId,
        outputToken: uk.tokens.USD!,
        recipient,
        amount: 5_000_000n,
      };
    };

    /** Runs the send, expects a CorridorError with `code`, and checks that no token and no nonce moved. */
    async function expectRefused(opts: SendCorridorTransferOptions, code: string): Promise<CorridorError> {
      const { tokens, gateway } = c.deployment.chains.us!;
      const balance = await balanceOf(tokens.USD!, ethersSender.address);
      const allowed = await allowance(tokens.USD!, ethersSender.address, gateway);
      const nonce = await us.request<Hex>("eth_getTransactionCount", [ethersSender.address, "latest"]);
      const error = await sendCorridorTransfer(opts).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CorridorError);
      expect((error as CorridorError).code, (error as Error).message).toBe(code);
      expect(await balanceOf(tokens.USD!, ethersSender.address)).toBe(balance);
      expect(await allowance(tokens.USD!, ethersSender.address, gateway)).toBe(allowed);
      expect(await us.request<Hex>("eth_getTransactionCount", [ethersSender.address, "latest"])).toBe(nonce);
      return error as CorridorError;
    }

    it("rejects a recipient that is not an address", async () => {
      const e = await expectRefused({ ...base(), recipient: "0x1234" }, SdkErrorCode.InvalidAddress);
      expect(e.details).toMatchObject({ field: "recipient" });
    });

    it("rejects a recipient with a wrong checksum", async () => {
      // Flip the case of the first letter of a checksummed address.
      const i = [...recipient].findIndex((ch, k) => k > 1 && /[a-fA-F]/.test(ch));
      const ch = recipient[i]!;
      const bad = recipient.slice(0, i) + (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()) + recipient.slice(i + 1);
      const e = await expectRefused({ ...base(), recipient: bad }, SdkErrorCode.AddressChecksum);
      expect(e.details).toMatchObject({ field: "recipient", expected: recipient });
    });

    it("rejects a zero amount, in base units or in whole units", async () => {
      await expectRefused({ ...base(), amount: 0n }, SdkErrorCode.InvalidAmount);
      await expectRefused({ ...base(), amount: "0.000000" }, SdkErrorCode.InvalidAmount);
      await expectRefused({ ...base(), amount: "1.0000001" }, SdkErrorCode.InvalidAmount);
    });

    it("decodes RouteNotFound for a route the gateway does not have, without approving, from either library", async () => {
      const { tokens } = c.deployment.chains.us!;
      for (const signer of [base().signer, viemWallet(ethersSender.privateKey, us)]) {
        const e = await expectRefused({ ...base(), signer, dstChainId: 424242 }, "CORRIDOR_REVERT_RouteNotFound");
        expect(e.details).toMatchObject({ error: "RouteNotFound", args: [tokens.USD!, "424242", c.deployment.chains.uk!.tokens.USD!] });
      }
    });

    it("rejects a signer that cannot send", async () => {
      await expectRefused({ ...base(), signer: us.client as never }, SdkErrorCode.InvalidSigner);
    });

    it("refuses to approve more than the sender holds", async () => {
      await expectRefused({ ...base(), amount: 10n ** 15n }, SdkErrorCode.InsufficientBalance);
    });

    it("refuses a short allowance when approval is turned off", async () => {
      await expectRefused({ ...base(), approve: false }, SdkErrorCode.AllowanceTooLow);
    });
  });
});

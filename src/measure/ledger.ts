import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import type { Deployment } from "../contracts/deploy.js";
import type { Currency } from "../domain/money.js";
import { gatewayAbi, tokenAbi } from "../contracts/gateway.js";

/** On-chain balances the conservation check compares, per chain and token. */
export interface LedgerSnapshot {
  /** chain -> token currency (every token of the spec) -> holder group -> base units */
  balances: Record<string, Record<Currency, Record<LedgerGroup, bigint>>>;
}

export type LedgerGroup = "senders" | "recipients" | "gatewayBalance" | "escrowed" | "liquidity" | "feeRecipient" | "totalSupply";

export interface LedgerParties {
  senders: Record<string, Hex[]>;
  recipients: Hex[];
}

/** Reads every balance the books need, on every chain, with plain eth_calls. */
export async function snapshotLedger(chains: Record<string, Chain>, deployment: Deployment, parties: LedgerParties): Promise<LedgerSnapshot> {
  const balances: LedgerSnapshot["balances"] = {};
  for (const [name, chain] of Object.entries(chains)) {
    const d = deployment.chains[name]!;
    balances[name] = {} as Record<Currency, Record<LedgerGroup, bigint>>;
    for (const [cur, token] of Object.entries(d.tokens) as [Currency, Hex][]) {
      const bal = (a: Hex) => chain.client.readContract({ address: token, abi: tokenAbi(), functionName: "balanceOf", args: [a] }) as Promise<bigint>;
      const sum = async (as: Hex[]) => (await Promise.all(as.map(bal))).reduce((s, v) => s + v, 0n);
      const gw = (fn: string) => chain.client.readContract({ address: d.gateway, abi: gatewayAbi(), functionName: fn, args: [token] }) as Promise<bigint>;
      balances[name][cur] = {
        senders: await sum(parties.senders[name] ?? []),
        recipients: await sum(parties.recipients),
        gatewayBalance: await bal(d.gateway),
        escrowed: await gw("escrowed"),
        liquidity: await gw("liquidity"),
        feeRecipient: await bal(d.feeRecipient),
        totalSupply: (await chain.client.readContract({ address: token, abi: tokenAbi(), functionName: "totalSupply" })) as bigint,
      };
    }
  }
  return { balances };
}

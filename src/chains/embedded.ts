import type { Chain } from "./chain.js";
import { chainFromProvider } from "./chain.js";
import { PACKAGE_ROOT } from "../paths.js";

type Hre = Awaited<ReturnType<typeof import("hardhat/hre").createHardhatRuntimeEnvironment>>;
let hrePromise: Promise<Hre> | undefined;

/** One Hardhat runtime per process, built from the package's own config wherever the command runs. */
async function hre(): Promise<Hre> {
  hrePromise ??= (async () => {
    const { createHardhatRuntimeEnvironment } = await import("hardhat/hre");
    const config = (await import("../../hardhat.config.js")).default;
    return createHardhatRuntimeEnvironment(config, {}, PACKAGE_ROOT);
  })();
  return hrePromise;
}

/**
 * A fresh in-process Hardhat EDR chain. `network` names an `edr-simulated` network in
 * hardhat.config.ts ("us" or "uk", the default being `name`); each call creates an
 * independent chain. `initialDate` fixes the genesis time, so that simulated block
 * timestamps (and so results) do not depend on the wall clock.
 */
export async function createEmbeddedChain(
  name: string,
  opts: { network?: string; chainId?: number; initialDate?: Date } = {},
): Promise<Chain> {
  const network = opts.network ?? name;
  const override: Record<string, unknown> = {};
  if (opts.chainId !== undefined) override.chainId = opts.chainId;
  if (opts.initialDate !== undefined) override.initialDate = opts.initialDate;
  const conn = await (await hre()).network.create({ network, override });
  return chainFromProvider({
    name,
    kind: "embedded",
    endpoint: `embedded:${network}`,
    provider: conn.provider,
    close: () => conn.close(),
  });
}

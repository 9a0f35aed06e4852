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
 * hardhat.config.ts ("us" or "uk"); each call creates an independent chain.
 */
export async function createEmbeddedChain(name: string, network = name): Promise<Chain> {
  const conn = await (await hre()).network.create(network);
  return chainFromProvider({
    name,
    kind: "embedded",
    endpoint: `embedded:${network}`,
    provider: conn.provider,
    close: () => conn.close(),
  });
}

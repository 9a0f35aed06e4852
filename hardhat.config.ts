import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";

const require = createRequire(import.meta.url);

/**
 * Two simulated chains, `us` and `uk`, that run side by side in one process
 * (Hardhat EDR). Their chain ids are distinct so that attestations bound to
 * one chain cannot be replayed on the other. Automine is on by default; the
 * simulator turns it off and mines blocks itself under virtual time.
 */
export const CHAIN_IDS = { us: 31_001, uk: 31_002 } as const;

export default defineConfig({
  plugins: [hardhatViem, hardhatEthers],
  solidity: {
    version: "0.8.30",
    // Hardhat cannot download solc offline: use the npm `solc` package's
    // compiler, by absolute path (a relative path fails).
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: false,
    },
  },
  networks: {
    us: { type: "edr-simulated", chainId: CHAIN_IDS.us, chainType: "l1", allowBlocksWithSameTimestamp: true },
    uk: { type: "edr-simulated", chainId: CHAIN_IDS.uk, chainType: "l1", allowBlocksWithSameTimestamp: true },
  },
});

import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";

const require = createRequire(import.meta.url);

/**
 * One generic network, `corridor`, for simulated chains that run side by side in one process
 * (Hardhat EDR) or as `hardhat node`. The corridor's chains are declared once, in its spec
 * (src/spec/): each is created on this network with the spec's chain id as an override (distinct
 * ids, so that an attestation bound to one chain cannot be replayed on another). Automine is on by
 * default; the simulator turns it off and mines blocks itself under virtual time.
 */
const edr = (chainId: number) => ({ type: "edr-simulated" as const, chainId, chainType: "l1" as const, allowBlocksWithSameTimestamp: true });

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
    corridor: edr(31_000),
  },
});

import { describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { keccak256 as viemKeccak256, numberToHex, type Hex, type TransactionSerializable } from "viem";
import { privateKeyToAccount, privateKeyToAddress, sign } from "viem/accounts";
import { addressOf, keccak256, keccak256PureJs, keccak256Bytes, localAccount, nativeCrypto, nativeCryptoFallbackReasons, signHash, signHashPureJs } from "../../src/crypto/native.js";

/** The native signing and hashing (src/crypto/native.ts) against viem's pure-JS code, byte for byte. */

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n; // secp256k1's group order
const hex = (min: number, max = min) => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);
const privateKey = fc
  .oneof(fc.bigInt({ min: 1n, max: N - 1n }), fc.constantFrom(1n, 2n, N - 1n, N - 2n, (N - 1n) / 2n))
  .map((k) => numberToHex(k, { size: 32 }));
// Random hashes, and hashes around the group order n (libsecp256k1 and @noble seed RFC 6979 differently at or above n).
const hash32 = fc.oneof(
  hex(32),
  fc.constantFrom(0n, 1n, N - 1n, N, N + 1n, (1n << 256n) - 1n).map((h) => numberToHex(h, { size: 32 })),
  fc.bigInt({ min: N - 1000n, max: (1n << 256n) - 1n }).map((h) => numberToHex(h, { size: 32 })),
);
const address = hex(20);
const uint = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });

/** What a call gives: its value, or that it threw. */
async function outcome<T>(fn: () => T | Promise<T>): Promise<{ ok: T } | { threw: true }> {
  try {
    return { ok: await fn() };
  } catch {
    return { threw: true };
  }
}

describe("native crypto", () => {
  it.runIf(process.platform === "linux" && process.arch === "x64")("loads both native halves on linux-x64 (a broken prebuild must not fall back silently here)", () => {
    expect(nativeCryptoFallbackReasons()).toEqual({});
    expect(nativeCrypto.secp256k1 === true && nativeCrypto.keccak === true).toBe(true);
  });

  it("signHash equals viem's sign byte for byte over random keys and hashes", async () => {
    await fc.assert(
      fc.asyncProperty(privateKey, hash32, async (key, hash) => {
        const viem = await sign({ hash, privateKey: key, to: "hex" });
        expect(signHash(hash, key)).toBe(viem);
        expect(signHashPureJs(hash, key)).toBe(viem);
        expect(viem.length).toBe(132);
        expect(["1b", "1c"]).toContain(viem.slice(130));
      }),
      { numRuns: 200 },
    );
  });

  it("signHash does what viem does with an upper-case hash, a hash at or above n, a hash that is not 32 bytes, and an invalid key", async () => {
    const key = numberToHex(0x1234n, { size: 32 });
    const cases: [Hex, Hex][] = [
      [`0x${"AB".repeat(32)}`, key],
      [`0x${"ab".repeat(20)}`, key],
      [`0x${"ab".repeat(40)}`, key],
      [numberToHex(N, { size: 32 }), key],
      [numberToHex((1n << 256n) - 1n, { size: 32 }), key],
      [`0x${"ab".repeat(32)}`, numberToHex(0n, { size: 32 })],
      [`0x${"ab".repeat(32)}`, numberToHex(N, { size: 32 })],
      [`0x${"ab".repeat(32)}`, `0x${"ab".repeat(31)}`],
    ];
    for (const [hash, privateKey] of cases) {
      const viem = await outcome(() => sign({ hash, privateKey, to: "hex" }));
      expect(await outcome(() => signHash(hash, privateKey)), `${hash} ${privateKey}`).toEqual(viem);
    }
    // The invalid keys throw (they are not cached as valid either).
    expect(() => signHash(`0x${"ab".repeat(32)}`, numberToHex(0n, { size: 32 }))).toThrow();
  });

  it("keccak256 equals viem's over random bytes (empty, one block, several 136-byte blocks), as bytes and as hex", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 140 }), fc.uint8Array({ minLength: 130, maxLength: 700 }), fc.constant(new Uint8Array())), (bytes) => {
        const want = viemKeccak256(bytes);
        expect(keccak256(bytes)).toBe(want);
        expect(keccak256(`0x${Buffer.from(bytes).toString("hex")}`)).toBe(want);
        expect(keccak256(`0x${Buffer.from(bytes).toString("hex").toUpperCase()}`)).toBe(want);
        expect(keccak256PureJs(bytes)).toBe(want);
        expect(Buffer.from(keccak256Bytes(bytes)).toString("hex")).toBe(want.slice(2));
      }),
      { numRuns: 300 },
    );
  });

  it("keccak256 hashes only a view's own bytes, and reads odd-length and invalid hex as viem does", async () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = a % bytes.length;
        const end = start + (b % (bytes.length - start + 1));
        const view = bytes.subarray(start, end);
        expect(keccak256(view)).toBe(viemKeccak256(view));
        expect(keccak256(Buffer.from(view))).toBe(viemKeccak256(view));
      }),
      { numRuns: 200 },
    );
    for (const input of ["0x", "0x1", "0xabc", "0x0g", "0xzz", "0x12zz34", "1234"] as Hex[]) {
      expect(await outcome(() => keccak256(input)), input).toEqual(await outcome(() => viemKeccak256(input)));
    }
  });

  const eip1559: fc.Arbitrary<TransactionSerializable> = fc.record(
    {
      type: fc.constant("eip1559" as const),
      chainId: fc.integer({ min: 1, max: 2 ** 32 }),
      nonce: fc.integer({ min: 0, max: 2 ** 31 }),
      gas: uint(32),
      maxFeePerGas: uint(80),
      maxPriorityFeePerGas: uint(40),
      to: address,
      data: hex(0, 700),
      value: uint(96),
    },
    { requiredKeys: ["type", "chainId", "nonce", "gas", "maxFeePerGas", "maxPriorityFeePerGas"] },
  ).map((tx) => ({ ...tx, maxFeePerGas: tx.maxFeePerGas! + tx.maxPriorityFeePerGas! })); // viem refuses a tip above the fee cap
  const legacy: fc.Arbitrary<TransactionSerializable> = fc.record({
    type: fc.constant("legacy" as const),
    chainId: fc.integer({ min: 1, max: 2 ** 32 }),
    nonce: fc.integer({ min: 0, max: 2 ** 31 }),
    gas: uint(32),
    gasPrice: uint(64),
    to: address,
    data: hex(0, 200),
    value: uint(96),
  });

  it("localAccount(pk).signTransaction equals viem's privateKeyToAccount(pk).signTransaction for random EIP-1559 transactions", async () => {
    await fc.assert(
      fc.asyncProperty(privateKey, eip1559, async (key, tx) => {
        expect(await localAccount(key).signTransaction(tx)).toBe(await privateKeyToAccount(key).signTransaction(tx));
      }),
      { numRuns: 150 },
    );
  });

  it("localAccount signs legacy transactions (v from the chain id), messages, typed data and hashes as viem does, with viem's address and public key", async () => {
    await fc.assert(
      fc.asyncProperty(privateKey, legacy, fc.string({ maxLength: 80 }), hash32, async (key, tx, message, hash) => {
        const ours = localAccount(key);
        const viem = privateKeyToAccount(key);
        expect(ours.address).toBe(viem.address);
        expect(ours.address).toBe(privateKeyToAddress(key));
        expect(addressOf(key)).toBe(privateKeyToAddress(key));
        expect(ours.publicKey).toBe(viem.publicKey);
        expect(ours.source).toBe("privateKey");
        expect(ours.type).toBe("local");
        expect(await ours.signTransaction(tx)).toBe(await viem.signTransaction(tx));
        expect(await ours.signMessage({ message })).toBe(await viem.signMessage({ message }));
        expect(await ours.sign({ hash })).toBe(await viem.sign({ hash }));
        const typed = {
          domain: { name: "Corridor", version: "1", chainId: tx.chainId!, verifyingContract: tx.to! },
          types: { Note: [{ name: "text", type: "string" }, { name: "hash", type: "bytes32" }] },
          primaryType: "Note" as const,
          message: { text: message, hash },
        };
        expect(await ours.signTypedData(typed)).toBe(await viem.signTypedData(typed));
      }),
      { numRuns: 40 },
    );
  });

  it("CORRIDOR_PURE_JS_CRYPTO=1 forces the pure-JS path, with the same bytes", async () => {
    vi.stubEnv("CORRIDOR_PURE_JS_CRYPTO", "1");
    vi.resetModules();
    try {
      const pure = await import("../../src/crypto/native.js");
      expect(pure.nativeCrypto).toEqual({ secp256k1: false, keccak: false });
      expect(pure.nativeCryptoFallbackReasons()).toEqual({ secp256k1: "CORRIDOR_PURE_JS_CRYPTO=1", keccak: "CORRIDOR_PURE_JS_CRYPTO=1" });
      const key = numberToHex(0xc0ffeen, { size: 32 });
      const hash = viemKeccak256("0x1234");
      expect(pure.signHash(hash, key)).toBe(await sign({ hash, privateKey: key, to: "hex" }));
      expect(pure.keccak256("0x1234")).toBe(viemKeccak256("0x1234"));
      const tx: TransactionSerializable = { type: "eip1559", chainId: 7, nonce: 3, gas: 21_000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, to: `0x${"11".repeat(20)}` };
      expect(await pure.localAccount(key).signTransaction(tx)).toBe(await privateKeyToAccount(key).signTransaction(tx));
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

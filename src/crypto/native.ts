/**
 * Native (N-API) secp256k1 signing and keccak-256 for the hot paths, with viem's pure-JS
 * @noble code as the fallback where a binary cannot load. One place for this knowledge:
 * signers and hashers import from here, never from the native packages.
 *
 * - secp256k1: the `secp256k1` package's native bindings (libsecp256k1), loaded through
 *   `secp256k1/bindings`, never its index file: that one falls back to `elliptic` (slow JS),
 *   where ours falls back to @noble/curves (what viem signs with).
 * - keccak: the `keccak` package's native sponge, loaded the way `keccak/bindings` loads it
 *   (node-gyp-build on the package's folder), never its index file (which falls back to a JS
 *   keccak). Its stream wrapper builds a Node Transform stream per hash (about 5 µs of the
 *   11 µs a 600-byte hash costs through it), so one raw sponge is reused: every call here is
 *   synchronous and re-initializes it first.
 *
 * Both are checked once at load against known answers (computed with viem): a binary that
 * loads but computes something else is not used. `CORRIDOR_PURE_JS_CRYPTO=1` forces the
 * fallback (for the equality test and the bench lever). Results are byte-identical either
 * way: RFC 6979 deterministic nonces and low-s on both sides, v = 27/28.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { secp256k1 as nobleSecp256k1 } from "@noble/curves/secp256k1";
import {
  hashMessage,
  hashTypedData,
  keccak256 as viemKeccak256,
  numberToHex,
  serializeSignature,
  serializeTransaction,
  type Hex,
  type SerializeTransactionFn,
  type SignableMessage,
  type TransactionSerializable,
  type TypedDataDefinition,
} from "viem";
import { privateKeyToAccount, privateKeyToAddress, publicKeyToAddress, toAccount, type PrivateKeyAccount } from "viem/accounts";

/** The part of `secp256k1/bindings` (secp256k1@5) used here. */
interface Secp256k1Bindings {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array, options?: object, output?: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(seckey: Uint8Array, compressed?: boolean, output?: Uint8Array): Uint8Array;
}

/** keccak@3's native sponge (KeccakWidth1600). */
interface KeccakSponge {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

// Keccak-256: rate 1088 bits, capacity 512, Ethereum's original padding (no SHA-3 suffix).
const RATE = 1088;
const CAPACITY = 512;

const FORCED_PURE_JS = process.env.CORRIDOR_PURE_JS_CRYPTO === "1";
const require = createRequire(import.meta.url);

// Known answers, computed with viem's keccak256 and sign.
const KAT = {
  hash: "0x1780da19dc41c11db7b7a63199bb4551ec7828cd68c9960ff5d01777f4678bf6",
  key: "0x7d4dd859de08fe4665481c752aff1b945b486e39efa4c1532cb69e8575be0d2b",
  sig: "0xb34b97d490a551c136537dbd7353ff44c28b943f7d1762df446b097c735b39017a40c87cfc3c44db894055505a29bb903053da4c82ea642441a545daee10cabb1b",
  keccakEmpty: "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
  /** keccak256 of the 300 bytes (i * 7 + 3) & 0xff: more than two 136-byte blocks. */
  keccak300: "0xfa75f2293be9f9a14dcdeeff53f7b91ff6a2b1331b13886e69077ab1cf8252a9",
} as const;

/** Why a native half is not in use (forced off, failed to load, or failed its known answer). */
const fallbackReasons: { secp256k1?: string; keccak?: string } = {};

function loadKeccak(): KeccakSponge | undefined {
  if (FORCED_PURE_JS) {
    fallbackReasons.keccak = "CORRIDOR_PURE_JS_CRYPTO=1";
    return undefined;
  }
  try {
    // What keccak/bindings.js does, minus its stream wrapper: node-gyp-build (keccak's own
    // dependency) picks the prebuild for this platform from the package's folder.
    const pkg = require.resolve("keccak/package.json");
    const addon: unknown = createRequire(pkg)("node-gyp-build")(dirname(pkg));
    // Runtimes without N-API may hand back an empty object instead of throwing.
    if (typeof addon !== "function") throw new Error("keccak's native add-on did not load");
    const sponge = new (addon as new () => KeccakSponge)();
    const hash = (bytes: Buffer): string => {
      sponge.initialize(RATE, CAPACITY);
      sponge.absorb(bytes);
      return `0x${sponge.squeeze(32).toString("hex")}`;
    };
    const long = Buffer.alloc(300);
    for (let i = 0; i < long.length; i++) long[i] = (i * 7 + 3) & 0xff;
    if (hash(Buffer.alloc(0)) !== KAT.keccakEmpty || hash(long) !== KAT.keccak300) throw new Error("keccak's native add-on failed its known answer");
    return sponge;
  } catch (e) {
    fallbackReasons.keccak = (e as Error).message;
    return undefined;
  }
}

function loadSecp256k1(): Secp256k1Bindings | undefined {
  if (FORCED_PURE_JS) {
    fallbackReasons.secp256k1 = "CORRIDOR_PURE_JS_CRYPTO=1";
    return undefined;
  }
  try {
    const bindings = require("secp256k1/bindings") as Secp256k1Bindings;
    if (typeof bindings?.ecdsaSign !== "function") throw new Error("secp256k1's native add-on did not load");
    if (signWith(bindings, hexToBuffer(KAT.hash)!, hexToBuffer(KAT.key)!) !== KAT.sig) throw new Error("secp256k1's native add-on failed its known answer");
    return bindings;
  } catch (e) {
    fallbackReasons.secp256k1 = (e as Error).message;
    return undefined;
  }
}

/** `0x…` hex to bytes like viem's hexToBytes (an odd length gets a leading 0); undefined if not valid hex. */
function hexToBuffer(hex: string): Buffer | undefined {
  if (typeof hex !== "string" || !hex.startsWith("0x")) return undefined;
  const body = hex.length % 2 === 1 ? `0${hex.slice(2)}` : hex.slice(2);
  const bytes = Buffer.from(body, "hex");
  // Buffer.from stops at the first pair that is not hex: a short result means invalid input.
  return bytes.length * 2 === body.length ? bytes : undefined;
}

const NO_OPTIONS = Object.freeze({});
/** secp256k1's group order n, big-endian. */
const GROUP_ORDER = Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex");

function signWith(secp: Secp256k1Bindings, hash32: Uint8Array, key32: Uint8Array): Hex {
  const out = Buffer.allocUnsafe(65);
  const { recid } = secp.ecdsaSign(hash32, key32, NO_OPTIONS, out.subarray(0, 64));
  out[64] = 27 + recid;
  return `0x${out.toString("hex")}`;
}

const sponge = loadKeccak();
const secp = loadSecp256k1();

/** Which halves run natively in this process. */
export const nativeCrypto: { readonly secp256k1: boolean; readonly keccak: boolean } = Object.freeze({
  secp256k1: secp !== undefined,
  keccak: sponge !== undefined,
});

/** Why each half that is not native fell back (empty when both are native). */
export function nativeCryptoFallbackReasons(): { secp256k1?: string; keccak?: string } {
  return { ...fallbackReasons };
}

/** keccak-256 with hex output, the same as viem's `keccak256(data)`: native where it loaded. */
export function keccak256(data: Hex | Uint8Array): Hex {
  if (!sponge) return viemKeccak256(data);
  let bytes: Buffer | undefined;
  if (typeof data === "string") {
    bytes = hexToBuffer(data);
    // Not valid hex: viem's answer (its error, or its reading of the input).
    if (!bytes) return viemKeccak256(data);
  } else {
    bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  sponge.initialize(RATE, CAPACITY);
  sponge.absorb(bytes);
  return `0x${sponge.squeeze(32).toString("hex")}`;
}

/**
 * The checksummed address of a private key (viem's `privateKeyToAddress`, byte for byte): the public key
 * from libsecp256k1 and both keccaks (the address, its EIP-55 checksum) native where they load.
 */
export function addressOf(privateKey: Hex): Hex {
  const key = secp ? privateKeyBytes(privateKey) : undefined;
  if (!secp || !key || !sponge) return privateKeyToAddress(privateKey);
  let publicKey: Uint8Array;
  try {
    publicKey = secp.publicKeyCreate(key, false);
  } catch {
    return privateKeyToAddress(privateKey); // an invalid key: viem's error
  }
  const lower = keccak256Bytes(publicKey.subarray(1)).subarray(12);
  const hex = Buffer.from(lower).toString("hex");
  const hash = keccak256Bytes(Buffer.from(hex, "ascii"));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? hex[i]!.toUpperCase() : hex[i]!;
  }
  return out as Hex;
}

/** keccak256 of bytes, as bytes (the EIP-712 hashers of src/domain/message.ts chain these). */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  if (!sponge) return viemKeccak256(data, "bytes");
  sponge.initialize(RATE, CAPACITY);
  sponge.absorb(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return new Uint8Array(sponge.squeeze(32));
}

/** viem's keccak256, always pure JS (for the equality test and the bench lever). */
export function keccak256PureJs(data: Hex | Uint8Array): Hex {
  return viemKeccak256(data);
}

/** Private keys as bytes, decoded once per key (a handful of keys sign millions of times). */
const keyBytes = new Map<string, Buffer>();
const KEY_CACHE_MAX = 1024;

function privateKeyBytes(privateKey: Hex): Buffer | undefined {
  let key = keyBytes.get(privateKey);
  if (key) return key;
  if (privateKey.length !== 66) return undefined;
  key = hexToBuffer(privateKey);
  if (!key) return undefined;
  if (keyBytes.size >= KEY_CACHE_MAX) keyBytes.clear();
  keyBytes.set(privateKey, key);
  return key;
}

/**
 * Signs a 32-byte hash: the 65-byte signature r‖s‖v as hex, v = 27 or 28, byte-identical to
 * viem's `sign({ hash, privateKey, to: "hex" })`. Synchronous. Native where it loaded; a hash
 * that is not 32 bytes, or a key the native code refuses, goes to the pure-JS path (which signs
 * or throws as viem would).
 */
export function signHash(hash: Hex, privateKey: Hex): Hex {
  if (!secp) return signHashPureJs(hash, privateKey);
  const key = privateKeyBytes(privateKey);
  const msg = hash.length === 66 ? hexToBuffer(hash) : undefined;
  // A hash at or above the group order n (about 2^-128 of hashes): libsecp256k1 as bundled seeds
  // its RFC 6979 nonce with the hash as given, @noble with the hash mod n (what RFC 6979 says),
  // so both signatures are valid but differ. The pure-JS path keeps the bytes identical.
  if (!key || !msg || Buffer.compare(msg, GROUP_ORDER) >= 0) return signHashPureJs(hash, privateKey);
  try {
    return signWith(secp, msg, key);
  } catch {
    return signHashPureJs(hash, privateKey);
  }
}

/** What viem's `sign({ hash, privateKey, to: "hex" })` computes (@noble/curves), synchronously and always in JS. */
export function signHashPureJs(hash: Hex, privateKey: Hex): Hex {
  const { r, s, recovery } = nobleSecp256k1.sign(hash.slice(2), privateKey.slice(2), { lowS: true, extraEntropy: false });
  return serializeSignature({ r: numberToHex(r, { size: 32 }), s: numberToHex(s, { size: 32 }), v: recovery ? 28n : 27n, yParity: recovery });
}

/** A 65-byte hex signature as the parts viem's serializers take. */
function signatureParts(sig: Hex): { r: Hex; s: Hex; v: bigint; yParity: number } {
  const v = parseInt(sig.slice(130, 132), 16);
  return { r: `0x${sig.slice(2, 66)}`, s: `0x${sig.slice(66, 130)}`, v: BigInt(v), yParity: v - 27 };
}

/** The uncompressed public key (0x04‖x‖y) of `privateKey`. */
function publicKeyOf(privateKey: Hex): Hex {
  const key = secp ? privateKeyBytes(privateKey) : undefined;
  if (secp && key) {
    try {
      return `0x${Buffer.from(secp.publicKeyCreate(key, false)).toString("hex")}`;
    } catch {
      // An invalid key: viem's error below.
    }
  }
  return privateKeyToAccount(privateKey).publicKey;
}

/**
 * A viem local account for `privateKey` that signs with `signHash` and hashes with the native
 * keccak: `signTransaction` returns the same raw transaction as viem's
 * `privateKeyToAccount(privateKey).signTransaction(tx)` (viem's serializer, so every transaction
 * type viem knows), `sign`, `signMessage` and `signTypedData` the same signatures.
 * `signAuthorization` is viem's own (not on a hot path).
 */
export function localAccount(privateKey: Hex): PrivateKeyAccount {
  const publicKey = publicKeyOf(privateKey);
  const address = secp ? publicKeyToAddress(publicKey) : privateKeyToAddress(privateKey);
  let viemAccount: PrivateKeyAccount | undefined;
  const viem = () => (viemAccount ??= privateKeyToAccount(privateKey));
  const account = toAccount({
    address,
    async sign({ hash }: { hash: Hex }) {
      return signHash(hash, privateKey);
    },
    async signAuthorization(authorization) {
      return viem().signAuthorization(authorization);
    },
    async signMessage({ message }: { message: SignableMessage }) {
      return signHash(hashMessage(message), privateKey);
    },
    async signTransaction(transaction, options) {
      const serializer = (options?.serializer ?? serializeTransaction) as SerializeTransactionFn<TransactionSerializable>;
      const tx = transaction as TransactionSerializable;
      // As viem: an EIP-4844 transaction is signed without its sidecars (the network wrapper).
      const signable = tx.type === "eip4844" ? { ...tx, sidecars: false as const } : tx;
      const signature = signatureParts(signHash(keccak256(await serializer(signable)), privateKey));
      return await serializer(tx, signature);
    },
    async signTypedData(typedData) {
      return signHash(hashTypedData(typedData as TypedDataDefinition), privateKey);
    },
  });
  return { ...account, publicKey, source: "privateKey" } as PrivateKeyAccount;
}

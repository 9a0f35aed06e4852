/**
 * Reads at old blocks on a chain that keeps only its last few states (anvil with `--prune-history`).
 *
 * anvil keeps a full copy of the state for each block it remembers, so remembering the 65 blocks an
 * Ethereum Standard transfer waits for costs 65 copies of a state that grows with every transfer
 * (measured: ~110 bytes per storage slot per copy). Instead the chain keeps a handful of states and
 * this journal keeps, for each block mined since the simulator took over block production, what
 * the block changed: the value each touched account field and storage slot had before it (anvil's
 * `debug_traceBlockByNumber` with the prestate tracer in diff mode, right after the block is mined).
 * A read at an older block is then the same call at the newest journaled block with those changes
 * undone as a state override, and the block's number and time as a block override: the chain's own
 * EVM runs it, on exactly the state that block left (every account field and slot a later block
 * changed is put back). The journal holds the last `keepBlocks` blocks, so its memory follows the
 * rate of transfers, not the length of the run.
 *
 * The journal starts at the chain's genesis: blocks are journaled right after each call that mines
 * (evm_mine, hardhat_mine one block at a time, and a transaction sent while automine is on), while the
 * chain still holds their parent's state; `hardhat_set*` overwrites, which no trace shows, are
 * journaled with the next block. So a read at any block still in the journal is exact.
 */

type Hex = `0x${string}`;
type Raw = (method: string, params: readonly unknown[]) => Promise<unknown>;

interface AccountUndo {
  balance?: Hex;
  nonce?: Hex;
  code?: Hex;
  storage?: Map<Hex, Hex>;
}

interface BlockUndo {
  number: number;
  timestamp: number;
  accounts: Map<string, AccountUndo>;
}

interface PrestateAccount {
  balance?: Hex;
  nonce?: number | Hex;
  code?: Hex;
  storage?: Record<string, Hex>;
}

const ZERO_WORD = `0x${"0".repeat(64)}` as Hex;
const word = (v: string): Hex => `0x${v.slice(2).padStart(64, "0")}` as Hex;
const quantity = (v: number | string | undefined): Hex => (v === undefined ? "0x0" : typeof v === "number" ? (`0x${v.toString(16)}` as Hex) : (v as Hex));

/** The undo of one transaction's prestate diff, merged into its block's (the first transaction to touch a field gives its value before the block). */
function mergeDiff(into: Map<string, AccountUndo>, pre: Record<string, PrestateAccount>, post: Record<string, PrestateAccount>): void {
  for (const addr of new Set([...Object.keys(pre), ...Object.keys(post)])) {
    const key = addr.toLowerCase();
    const a = pre[addr];
    const b = post[addr];
    let u = into.get(key);
    if (!u) into.set(key, (u = {}));
    if (u.balance === undefined && (a?.balance !== undefined || b?.balance !== undefined)) u.balance = quantity(a?.balance);
    if (u.nonce === undefined && (a?.nonce !== undefined || b?.nonce !== undefined)) u.nonce = quantity(a?.nonce);
    if (u.code === undefined && (a?.code !== undefined || b?.code !== undefined)) u.code = a?.code ?? "0x";
    const slots = new Set([...Object.keys(a?.storage ?? {}), ...Object.keys(b?.storage ?? {})]);
    if (slots.size === 0) continue;
    u.storage ??= new Map();
    for (const s of slots) {
      const slot = word(s);
      if (!u.storage.has(slot)) u.storage.set(slot, a?.storage?.[s] !== undefined ? word(a.storage[s]!) : ZERO_WORD);
    }
  }
}

export class StateJournal {
  /** Journaled blocks, oldest first, contiguous up to `last` (the chain's genesis, block 0, is where it starts). */
  private readonly blocks: BlockUndo[] = [];
  private last = 0;
  /** Values that `hardhat_set*` calls overwrote since the last block: part of the next block's undo. */
  private pending = new Map<string, AccountUndo>();
  private automine = true;
  private catching: Promise<void> = Promise.resolve();

  constructor(
    private readonly raw: Raw,
    private readonly opts: {
      /** Blocks kept in the journal: the deepest read plus a margin. */
      keepBlocks: number;
      /** Block states the chain itself keeps (its `--prune-history`). */
      chainStates: number;
    },
  ) {}

  /** What the chain's provider does, with reads at old blocks served through the journal. */
  async request(method: string, params: readonly unknown[] = []): Promise<unknown> {
    switch (method) {
      case "evm_setAutomine": {
        const result = await this.raw(method, params);
        this.automine = params[0] !== false;
        await this.catchUp();
        return result;
      }
      case "eth_sendRawTransaction":
      case "eth_sendTransaction": {
        const result = await this.raw(method, params);
        // An automining chain has mined it (or is about to): journal it while its parent's state is kept.
        if (this.automine) await this.catchUp();
        return result;
      }
      case "hardhat_mine":
      case "anvil_mine": {
        // One block at a time (same timestamps: each is `interval` after the one before), so that
        // each is journaled while the chain still holds its parent's state.
        const count = params[0] === undefined ? 1 : Number(params[0]);
        let result: unknown;
        for (let i = 0; i < Math.max(1, count); i++) {
          result = await this.raw(method, count <= 1 ? params : ["0x1", ...params.slice(1)]);
          await this.catchUp();
        }
        return result;
      }
      case "evm_mine": {
        const result = await this.raw(method, params);
        await this.catchUp();
        return result;
      }
      case "hardhat_setBalance":
      case "anvil_setBalance":
      case "hardhat_setNonce":
      case "anvil_setNonce":
      case "hardhat_setCode":
      case "anvil_setCode":
      case "hardhat_setStorageAt":
      case "anvil_setStorageAt": {
        // Not a transaction, so no trace shows it: note what it overwrites, undone with the next block.
        await this.catching;
        const addr = String(params[0]).toLowerCase();
        const u = this.pending.get(addr) ?? {};
        if (method.endsWith("Balance")) u.balance ??= (await this.raw("eth_getBalance", [params[0], "latest"])) as Hex;
        else if (method.endsWith("Nonce")) u.nonce ??= (await this.raw("eth_getTransactionCount", [params[0], "latest"])) as Hex;
        else if (method.endsWith("Code")) u.code ??= (await this.raw("eth_getCode", [params[0], "latest"])) as Hex;
        else {
          const slot = word(String(params[1]));
          u.storage ??= new Map();
          if (!u.storage.has(slot)) u.storage.set(slot, word((await this.raw("eth_getStorageAt", [params[0], slot, "latest"])) as string));
        }
        this.pending.set(addr, u);
        return this.raw(method, params);
      }
      case "evm_revert":
        // The chain goes back to the snapshot's block: so does the journal.
        return this.raw(method, params).then(async (r) => {
          await this.catching;
          const head = Number(await this.raw("eth_blockNumber", []));
          while (this.blocks.length > 0 && this.blocks[this.blocks.length - 1]!.number > head) this.blocks.pop();
          this.last = Math.min(this.last, head);
          this.pending.clear();
          return r;
        });
      case "eth_call": {
        const n = await this.oldBlock(params[1]);
        if (n === undefined) return this.raw(method, params);
        const { state, block } = this.overridesFor(n);
        if (block.time === undefined) block.time = ((await this.raw("eth_getBlockByNumber", [block.number, false])) as { timestamp: Hex }).timestamp;
        return this.raw("eth_call", [params[0], `0x${this.last.toString(16)}`, state, block]);
      }
      case "eth_getStorageAt": {
        const n = await this.oldBlock(params[2]);
        if (n === undefined) return this.raw(method, params);
        const v = this.undoneField(n, String(params[0]).toLowerCase(), (u) => u.storage?.get(word(String(params[1]))));
        return v ?? this.raw(method, [params[0], params[1], `0x${this.last.toString(16)}`]);
      }
      case "eth_getBalance":
      case "eth_getTransactionCount":
      case "eth_getCode": {
        const n = await this.oldBlock(params[1]);
        if (n === undefined) return this.raw(method, params);
        const pick = (u: AccountUndo) => (method === "eth_getBalance" ? u.balance : method === "eth_getCode" ? u.code : u.nonce);
        const v = this.undoneField(n, String(params[0]).toLowerCase(), pick);
        return v ?? this.raw(method, [params[0], `0x${this.last.toString(16)}`]);
      }
      default:
        return this.raw(method, params);
    }
  }

  /** Journals the blocks mined since the last call (one at a time, in order). */
  private catchUp(): Promise<void> {
    this.catching = this.catching.then(async () => {
      const head = Number(await this.raw("eth_blockNumber", []));
      for (let n = this.last + 1; n <= head; n++) {
        const tag = `0x${n.toString(16)}`;
        const header = (await this.raw("eth_getBlockByNumber", [tag, false])) as { timestamp: Hex; transactions: unknown[] };
        const undo: BlockUndo = { number: n, timestamp: Number(header.timestamp), accounts: this.pending };
        this.pending = new Map();
        if (header.transactions.length > 0) {
          const traces = (await this.raw("debug_traceBlockByNumber", [tag, { tracer: "prestateTracer", tracerConfig: { diffMode: true } }])) as {
            result?: { pre: Record<string, PrestateAccount>; post: Record<string, PrestateAccount> };
          }[];
          for (const t of traces) {
            if (!t.result) throw new Error(`cannot journal block ${n}: ${JSON.stringify(t).slice(0, 300)}`);
            mergeDiff(undo.accounts, t.result.pre ?? {}, t.result.post ?? {});
          }
        }
        this.blocks.push(undo);
        this.last = n;
      }
      const keepFrom = this.last - this.opts.keepBlocks;
      let drop = 0;
      while (drop < this.blocks.length && this.blocks[drop]!.number <= keepFrom) drop++;
      if (drop > 0) this.blocks.splice(0, drop);
    });
    return this.catching;
  }

  /** The block number of a read the chain may no longer hold the state for (served here), or undefined for reads it answers itself. */
  private async oldBlock(tag: unknown): Promise<number | undefined> {
    if (typeof tag !== "string" || !tag.startsWith("0x")) return undefined;
    await this.catching;
    const n = Number(tag);
    // The chain holds its last `chainStates` states; keep a block's slack for one being journaled.
    if (n >= this.last || this.last - n < this.opts.chainStates - 1) return undefined;
    const oldest = this.blocks[0]?.number ?? this.last + 1;
    if (n < oldest - 1) throw new Error(`state at block ${n} is no longer kept (journal holds blocks ${oldest}..${this.last})`);
    return n;
  }

  /** The journaled blocks after `n`, newest first. */
  private after(n: number): BlockUndo[] {
    const out: BlockUndo[] = [];
    for (let i = this.blocks.length - 1; i >= 0 && this.blocks[i]!.number > n; i--) out.push(this.blocks[i]!);
    return out;
  }

  /** A field's value at block `n`: the value before the earliest later block that changed it (undefined: unchanged since). */
  private undoneField(n: number, addr: string, pick: (u: AccountUndo) => Hex | undefined): Hex | undefined {
    let v: Hex | undefined;
    for (const b of this.after(n)) {
      const u = b.accounts.get(addr);
      const x = u ? pick(u) : undefined;
      if (x !== undefined) v = x;
    }
    return v;
  }

  /** State and block overrides that turn the newest journaled block's state into block `n`'s. */
  private overridesFor(n: number): { state: Record<string, { balance?: Hex; nonce?: Hex; code?: Hex; stateDiff?: Record<string, Hex> }>; block: { number: Hex; time?: Hex } } {
    const state: Record<string, { balance?: Hex; nonce?: Hex; code?: Hex; stateDiff?: Record<string, Hex> }> = {};
    const later = this.after(n);
    // Newest first, so the earliest later block's value (the one block n left) is written last.
    for (const b of later) {
      for (const [addr, u] of b.accounts) {
        const o = (state[addr] ??= {});
        if (u.balance !== undefined) o.balance = u.balance;
        if (u.nonce !== undefined) o.nonce = u.nonce;
        if (u.code !== undefined) o.code = u.code;
        if (u.storage) {
          o.stateDiff ??= {};
          for (const [slot, v] of u.storage) o.stateDiff[slot] = v;
        }
      }
    }
    const own = this.blocks.find((b) => b.number === n);
    return { state, block: { number: `0x${n.toString(16)}` as Hex, ...(own ? { time: `0x${own.timestamp.toString(16)}` as Hex } : {}) } };
  }
}

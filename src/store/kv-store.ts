import { BTree } from "./btree.js";
import { fromByteKey, toByteKey } from "./bytes.js";
import { type Clock, ManualClock } from "./clock.js";
import { STRING_CODEC, type ValueCodec } from "./codec.js";
import { Errors, EtcdError } from "./errors.js";
import { EventLog } from "./event-log.js";
import { KeyIndex, type Rec } from "./key-index.js";
import { Lessor } from "./lessor.js";
import { deleteSize, putSize, raftRequestSize, txnSize } from "./request-size.js";
import { checkPutShape, checkTxnRequest, txnPath } from "./txn-check.js";
import type {
  CompactionRequest,
  CompactionResponse,
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  SortTarget,
  TxnRequest,
  TxnResponse,
} from "./types.js";

/**
 * Behaviours that differ between etcd releases and can change observable results
 * (etcd.md §15). Pick the release you compare against.
 */
export interface EtcdCompat {
  /** "keep": a tombstone at exactly the compact revision survives (3.4.34+, 3.5.16+, 3.6). "drop": older. */
  tombstoneAtCompactRev: "keep" | "drop";
  /** "ifSynced": a manual progress request is answered only when all of the stream's watchers are synced (3.4.25+, 3.5.8+). */
  progressRequest: "always" | "ifSynced";
  /**
   * Which error an invalid txn reports first. "putsThenRanges" (3.4, 3.5 applier): every put
   * of the chosen path is checked (key for ignore_*, lease), then every range's revision.
   * "inOrder" (3.6 txn package): each op in turn.
   */
  txnCheckOrder: "putsThenRanges" | "inOrder";
}

/** Current etcd behaviour (3.6). */
export const ETCD_CURRENT: EtcdCompat = {
  tombstoneAtCompactRev: "keep",
  progressRequest: "ifSynced",
  txnCheckOrder: "inOrder",
};
/** etcd 3.4.23, the Debian package the differential test runs against. */
export const ETCD_3_4_23: EtcdCompat = {
  tombstoneAtCompactRev: "drop",
  progressRequest: "always",
  txnCheckOrder: "putsThenRanges",
};

export interface MvccOptions<V> {
  /** Virtual clock for leases (µs). Default: a ManualClock at 0. */
  clock?: Clock;
  /** How values are sized and compared. Default: UTF-8 strings. */
  codec?: ValueCodec<V>;
  /** "utf8" (default): keys are text, ordered by their UTF-8 bytes. "binary": keys are already byte strings. */
  keyEncoding?: "utf8" | "binary";
  /** --max-request-bytes: 1.5 MiB (etcd.md §10). */
  maxRequestBytes?: number;
  /** --max-txn-ops: 128. */
  maxTxnOps?: number;
  /** --election-timeout in ms: sets the minimum lease TTL (default 1000 ms -> 2 s). */
  electionTimeoutMs?: number;
  compat?: EtcdCompat;
  clusterId?: string;
  memberId?: string;
  /** Current raft term, supplied by a cluster model. Default 1. */
  raftTerm?: () => number;
  /** First lease id the store assigns. */
  firstLeaseId?: number;
}

/** Receives committed changes (watch layer) and compactions. */
export interface StoreListener<V> {
  committed(rev: number, changes: readonly Rec<V>[]): void;
  compacted(rev: number): void;
}

/** Default for `firstLeaseId`: readable in hex like etcd's ids, but deterministic and < 2^53. */
export const FIRST_LEASE_ID = 0x694d_0000_0001;

/**
 * etcd v3's MVCC key-value store with leases: revisions, historical reads, put/delete/txn
 * with etcd's validation and revision rules, compaction, and a change stream for the watch
 * hub. Synchronous and deterministic; time only matters for leases and comes from the clock.
 */
export class MvccStore<V = string> {
  readonly codec: ValueCodec<V>;
  readonly compat: EtcdCompat;
  readonly lessor: Lessor;
  readonly clock: Clock;
  readonly log = new EventLog<V>();
  private readonly tree = new BTree<KeyIndex<V>>();
  private readonly binaryKeys: boolean;
  private readonly maxRequestBytes: number;
  private readonly maxTxnOps: number;
  private readonly clusterId: string;
  private readonly memberId: string;
  private readonly raftTerm: () => number;
  private readonly listeners: StoreListener<V>[] = [];
  private currentRev = 1;
  private compactMainRev = -1;
  // The open write transaction: its revision and the changes made so far.
  private wMain = 0;
  private wChanges: Rec<V>[] = [];

  constructor(options: MvccOptions<V> = {}) {
    this.clock = options.clock ?? new ManualClock();
    this.codec = options.codec ?? (STRING_CODEC as unknown as ValueCodec<V>);
    this.compat = options.compat ?? ETCD_CURRENT;
    this.binaryKeys = options.keyEncoding === "binary";
    this.maxRequestBytes = options.maxRequestBytes ?? 1_572_864;
    this.maxTxnOps = options.maxTxnOps ?? 128;
    this.clusterId = options.clusterId ?? "14841639068965178418";
    this.memberId = options.memberId ?? "10276657743932975437";
    this.raftTerm = options.raftTerm ?? (() => 1);
    this.lessor = new Lessor(this.clock, options.electionTimeoutMs ?? 1000, options.firstLeaseId ?? FIRST_LEASE_ID);
  }

  /** The current store revision (starts at 1). */
  get revision(): number {
    return this.currentRev;
  }

  /** The compact revision (-1 before the first compaction). */
  get compactRevision(): number {
    return this.compactMainRev;
  }

  /** Number of keys in the index (live or with history). */
  get keyCount(): number {
    return this.tree.size;
  }

  /** Visits every key's history in key order (for snapshots). */
  forEachKey(visit: (ki: KeyIndex<V>) => void): void {
    this.tree.forRange("\u0000", undefined, 0, (_k, ki) => {
      visit(ki);
    });
  }

  /**
   * Replaces the state with restored key histories (a snapshot): revision counters, the index,
   * the event log rebuilt from the histories, and leases with their remaining time.
   */
  restore(
    keys: KeyIndex<V>[],
    revision: number,
    compactRevision: number,
    leases: { lease: number; ttl: number; remainingUs: number }[],
  ): void {
    this.tree.clear();
    const all: Rec<V>[] = [];
    for (const ki of keys) {
      this.tree.set(ki.bkey, ki);
      for (const r of ki.recs) if (r.modRevision >= compactRevision) all.push(r);
    }
    all.sort((a, b) => a.modRevision - b.modRevision || a.sub - b.sub);
    let i = 0;
    const first = Math.max(1, compactRevision);
    for (let rev = first; rev <= revision; rev++) {
      const changes: Rec<V>[] = [];
      while (i < all.length && (all[i] as Rec<V>).modRevision === rev) changes.push(all[i++] as Rec<V>);
      if (rev > 1 || changes.length > 0) this.log.append(rev, changes);
    }
    this.currentRev = revision;
    this.compactMainRev = compactRevision;
    for (const l of leases) {
      const lease = this.lessor.grant(l.ttl, l.lease);
      lease.expiry = this.clock.now() + l.remainingUs;
    }
    for (const ki of keys) {
      const live = ki.latest();
      if (live !== undefined && live.lease !== 0) this.lessor.attach(live.lease, ki.bkey);
    }
  }

  /** Registers a listener for commits and compactions (the watch hub). */
  listen(l: StoreListener<V>): void {
    this.listeners.push(l);
  }

  /** A response header at the current revision. */
  header(revision = this.currentRev): ResponseHeader {
    return { clusterId: this.clusterId, memberId: this.memberId, revision, raftTerm: this.raftTerm() };
  }

  /**
   * Header of a response inside a txn: etcd sets only its revision (cluster, member and term
   * are filled in on the top-level header alone), and never sets a nested txn's (revision 0).
   */
  private subHeader(revision: number): ResponseHeader {
    return { clusterId: "0", memberId: "0", revision, raftTerm: 0 };
  }

  /** Encodes a client key into the byte string used for ordering. */
  enc(key: string): string {
    return this.binaryKeys ? key : toByteKey(key);
  }

  /** Decodes a byte string back to the client's key form. */
  dec(bkey: string): string {
    return this.binaryKeys ? bkey : fromByteKey(bkey);
  }

  // ---------------------------------------------------------------- KV API

  /** Range (Get): keys, prefixes and ranges at the latest or a past revision. */
  range(req: RangeRequest): RangeResponse<V> {
    if (req.key === "") throw Errors.emptyKey();
    return this.rangeAt(req, this.currentRev);
  }

  /** Put: writes one key; one new revision. */
  put(req: PutRequest<V>): PutResponse<V> {
    checkPutShape(req, this.isEmpty);
    const bkey = this.enc(req.key);
    this.checkSize(putSize(req, bkey.length, this.codec));
    // A standalone put checks the lease first (applier Put); inside a txn the key check comes
    // first (checkRequestPut).
    this.checkPutLease(req);
    this.checkPutKey(req, bkey);
    this.begin();
    const resp = this.applyPut(req, bkey);
    this.commit();
    resp.header.revision = this.currentRev;
    return resp;
  }

  /** DeleteRange: deletes a key or range in one revision (none if nothing matched). */
  deleteRange(req: DeleteRangeRequest): DeleteRangeResponse<V> {
    if (req.key === "") throw Errors.emptyKey();
    this.checkSize(deleteSize(req, (s) => this.keyLen(s)));
    this.begin();
    const resp = this.applyDelete(req);
    this.commit();
    resp.header = this.header();
    return resp;
  }

  /** Txn: compares, then the success or failure ops atomically, at most one new revision. */
  txn(req: TxnRequest<V>): TxnResponse<V> {
    checkTxnRequest(req, this.maxTxnOps, (k) => this.enc(k), this.isEmpty);
    this.checkSize(txnSize(req, (s) => this.keyLen(s), this.codec));
    // etcd evaluates every compare, nested ones included, against the state before the txn,
    // then checks the chosen ops (leases, keys for ignore_*, read revisions), then applies.
    const path = txnPath(req, (c) => this.applyCompare(c));
    if (this.compat.txnCheckOrder === "inOrder") this.checkTxnApply(req, path, { i: 0 }, true, true);
    else {
      // 3.4 checks puts only for write txns (isTxnReadonly looks at both branches, nested too).
      if (!readOnly(req)) this.checkTxnApply(req, path, { i: 0 }, true, false);
      this.checkTxnApply(req, path, { i: 0 }, false, true);
    }
    this.begin();
    this.undo = [];
    let resp: TxnResponse<V>;
    try {
      resp = this.applyTxn(req, path, { i: 0 }, true);
    } catch (e) {
      this.rollback();
      throw e;
    } finally {
      this.undo = undefined;
    }
    this.commit();
    resp.header = this.header();
    return resp;
  }

  /** Compaction: forgets history below `revision`; the revision does not change. */
  compact(req: CompactionRequest): CompactionResponse {
    const rev = req.revision;
    if (rev <= this.compactMainRev) throw Errors.compacted();
    if (rev > this.currentRev) throw Errors.futureRev();
    this.compactMainRev = rev;
    const keep = this.compat.tombstoneAtCompactRev === "keep";
    const empty: string[] = [];
    // The records left at exactly `rev` are the only changes of that revision the backend keeps.
    const keptAtRev = new Set<Rec<V>>();
    this.tree.forRange("\u0000", undefined, 0, (bkey, ki) => {
      if (ki.compact(rev, keep)) empty.push(bkey);
      const first = ki.recs[0];
      if (first !== undefined && first.modRevision === rev) keptAtRev.add(first);
    });
    for (const k of empty) this.tree.delete(k);
    this.log.compact(rev, (c) => keptAtRev.has(c));
    for (const l of this.listeners) l.compacted(rev);
    return { header: this.header() };
  }

  // ---------------------------------------------------------------- Lease API

  /** LeaseGrant: does not change the revision. */
  leaseGrant(req: LeaseGrantRequest): LeaseGrantResponse {
    const l = this.lessor.grant(req.TTL, req.ID ?? 0);
    return { header: this.header(), ID: l.id, TTL: l.ttl };
  }

  /** LeaseRevoke: deletes every attached key in one revision (none if no keys). */
  leaseRevoke(id: number): LeaseRevokeResponse {
    this.revokeLease(id);
    return { header: this.header() };
  }

  /** LeaseKeepAlive: renews to the granted TTL. */
  leaseKeepAlive(id: number): LeaseKeepAliveResponse {
    const ttl = this.lessor.renew(id);
    return { header: this.header(), ID: id, TTL: ttl };
  }

  /** LeaseTimeToLive: remaining whole seconds, or TTL -1 for an unknown lease (not an error). */
  leaseTimeToLive(id: number, keys = false): LeaseTimeToLiveResponse {
    const l = this.lessor.get(id);
    if (l === undefined) return { header: this.header(), ID: id, TTL: -1, grantedTTL: 0 };
    const resp: LeaseTimeToLiveResponse = {
      header: this.header(),
      ID: id,
      TTL: this.lessor.remaining(l),
      grantedTTL: l.ttl,
    };
    if (keys) resp.keys = [...l.keys].sort().map((k) => this.dec(k));
    return resp;
  }

  /** LeaseLeases: every lease id. */
  leaseLeases(): LeaseLeasesResponse {
    return { header: this.header(), leases: this.lessor.ids().map((ID) => ({ ID })) };
  }

  /** Revokes leases past their expiry, at most `limit`; returns their ids (the leader's expiry loop). */
  revokeExpiredLeases(limit = 500): number[] {
    const ids = this.lessor.expired(limit);
    for (const id of ids) this.revokeLease(id);
    return ids;
  }

  // ---------------------------------------------------------------- reads

  /** The live record of a key at a revision (internal fast path for the watch layer). */
  recordAt(bkey: string, rev: number): Rec<V> | undefined {
    if (rev < this.compactMainRev) return undefined;
    return this.tree.get(bkey)?.at(rev);
  }

  private rangeAt(req: RangeRequest, curRev: number): RangeResponse<V> {
    let rev = req.revision ?? 0;
    if (rev > curRev) throw Errors.futureRev();
    if (rev <= 0) rev = curRev;
    if (rev < this.compactMainRev) throw Errors.compacted();
    const sortTarget: SortTarget = req.sortTarget ?? "KEY";
    let sortOrder = req.sortOrder ?? "NONE";
    const explicitOrder = sortOrder;
    // etcd sorts ASCEND by default when the target is not KEY (v3_server range).
    if (sortTarget !== "KEY" && sortOrder === "NONE") sortOrder = "ASCEND";
    const reqLimit = req.limit ?? 0;
    const filtered =
      (req.minModRevision ?? 0) !== 0 ||
      (req.maxModRevision ?? 0) !== 0 ||
      (req.minCreateRevision ?? 0) !== 0 ||
      (req.maxCreateRevision ?? 0) !== 0;
    // A real sort or a revision filter needs the whole range; otherwise one extra for `more`.
    // etcd tests the request's own sort order here, not the defaulted one.
    let fetch = explicitOrder !== "NONE" || filtered ? 0 : reqLimit;
    if (fetch > 0) fetch++;

    const recs: Rec<V>[] = [];
    let count = 0;
    const bkey = this.enc(req.key);
    if (req.rangeEnd === undefined || req.rangeEnd === "") {
      const r = this.tree.get(bkey)?.at(rev);
      if (r !== undefined) {
        count = 1;
        if (!req.countOnly) recs.push(r);
      }
    } else {
      const end = req.rangeEnd === "\u0000" ? undefined : this.enc(req.rangeEnd);
      const countOnly = req.countOnly === true;
      this.tree.forRange(bkey, end, 0, (_k, ki) => {
        const r = ki.at(rev);
        if (r === undefined) return;
        count++;
        if (!countOnly && (fetch === 0 || recs.length < fetch)) recs.push(r);
      });
    }
    const header = this.header(curRev);
    if (req.countOnly) return { header, kvs: [], more: false, count };

    let kept = recs;
    if (filtered) {
      const { minModRevision: minMod = 0, maxModRevision: maxMod = 0 } = req;
      const { minCreateRevision: minCreate = 0, maxCreateRevision: maxCreate = 0 } = req;
      kept = recs.filter(
        (r) =>
          !(maxMod !== 0 && r.modRevision > maxMod) &&
          !(minMod !== 0 && r.modRevision < minMod) &&
          !(maxCreate !== 0 && r.createRevision > maxCreate) &&
          !(minCreate !== 0 && r.createRevision < minCreate),
      );
    }
    if (sortOrder !== "NONE" && !(sortTarget === "KEY" && sortOrder === "ASCEND")) {
      // Stable sort over key order: etcd's sort.Sort keeps key order among ties for small
      // results; for large ones Go leaves tie order unspecified and we keep key order.
      const cmp = this.sortComparator(sortTarget);
      const dir = sortOrder === "DESCEND" ? -1 : 1;
      kept = kept.slice().sort((a, b) => dir * cmp(a, b));
    }
    let more = false;
    if (reqLimit > 0 && kept.length > reqLimit) {
      kept = kept.slice(0, reqLimit);
      more = true;
    }
    const keysOnly = req.keysOnly === true;
    return { header, kvs: kept.map((r) => this.toKv(r, keysOnly)), more, count };
  }

  private sortComparator(target: SortTarget): (a: Rec<V>, b: Rec<V>) => number {
    switch (target) {
      case "KEY":
        return (a, b) => (a.bkey < b.bkey ? -1 : a.bkey > b.bkey ? 1 : 0);
      case "VERSION":
        return (a, b) => a.version - b.version;
      case "CREATE":
        return (a, b) => a.createRevision - b.createRevision;
      case "MOD":
        return (a, b) => a.modRevision - b.modRevision;
      case "VALUE":
        return (a, b) => this.codec.compare(a.value, b.value);
    }
  }

  /** A response copy of a record (the index's own records are never handed out). */
  toKv(r: Rec<V>, keysOnly = false): KeyValue<V> {
    return {
      key: r.key,
      createRevision: r.createRevision,
      modRevision: r.modRevision,
      version: r.version,
      value: keysOnly ? this.codec.empty : r.value,
      lease: r.lease,
    };
  }

  // ---------------------------------------------------------------- checks

  private keyLen(key: string): number {
    return this.enc(key).length;
  }

  private checkSize(innerBytes: number): void {
    if (raftRequestSize(innerBytes) > this.maxRequestBytes) throw Errors.requestTooLarge();
  }

  private readonly isEmpty = (v: V): boolean => this.codec.size(v) === 0;

  // Apply-time checks: the key must exist for ignore_*, the lease must exist.
  private checkPutKey(req: PutRequest<V>, bkey?: string): void {
    if ((req.ignoreValue || req.ignoreLease) && this.tree.get(bkey ?? this.enc(req.key))?.latest() === undefined) {
      throw Errors.keyNotFound();
    }
  }

  private checkPutLease(req: PutRequest<V>): void {
    const lease = req.lease ?? 0;
    if (lease !== 0 && this.lessor.get(lease) === undefined) throw Errors.leaseNotFound();
  }

  // Apply-time checks along the chosen path (etcd's checkRequestPut / checkRequestRange).
  private checkTxnApply(req: TxnRequest<V>, path: boolean[], at: { i: number }, puts: boolean, ranges: boolean): void {
    const ops = path[at.i++] ? req.success : req.failure;
    for (const op of ops ?? []) {
      if (op.requestPut !== undefined) {
        if (!puts) continue;
        this.checkPutKey(op.requestPut);
        this.checkPutLease(op.requestPut);
      } else if (op.requestRange !== undefined) {
        if (!ranges) continue;
        const rev = op.requestRange.revision ?? 0;
        if (rev !== 0 && rev > this.currentRev) throw Errors.futureRev();
        if (rev !== 0 && rev < this.compactMainRev) throw Errors.compacted();
      } else if (op.requestTxn !== undefined) this.checkTxnApply(op.requestTxn, path, at, puts, ranges);
    }
  }

  // ---------------------------------------------------------------- writes

  // Inside a txn: how to take back each change, should a later op fail.
  private undo: (() => void)[] | undefined;

  private rollback(): void {
    const undo = this.undo ?? [];
    for (let i = undo.length - 1; i >= 0; i--) (undo[i] as () => void)();
    this.wChanges = [];
  }

  private begin(): void {
    this.wMain = this.currentRev + 1;
    this.wChanges = [];
  }

  private commit(): void {
    const changes = this.wChanges;
    this.wChanges = [];
    if (changes.length === 0) return;
    this.currentRev = this.wMain;
    this.log.append(this.currentRev, changes);
    for (const l of this.listeners) l.committed(this.currentRev, changes);
  }

  /** Revision a read inside the open write txn sees: the new one once something changed. */
  private txnReadRev(): number {
    return this.wChanges.length > 0 ? this.wMain : this.currentRev;
  }

  private applyPut(req: PutRequest<V>, bkey = this.enc(req.key)): PutResponse<V> {
    let ki = this.tree.get(bkey);
    if (ki === undefined) {
      ki = new KeyIndex<V>(this.binaryKeys ? bkey : req.key, bkey);
      this.tree.set(bkey, ki);
      this.undo?.push(() => this.tree.delete(bkey));
    }
    const prev = ki.latest();
    if ((req.ignoreValue || req.ignoreLease) && prev === undefined) {
      // Checks ran against the state before the txn; an earlier op of this txn deleted the key
      // (possible through the "\0"-ended delete that the duplicate check lets through). Real
      // etcd panics here ("unexpected error during txn with writes"); we refuse the txn whole.
      throw new EtcdError("Internal", "etcdserver: unexpected error during txn with writes: etcdserver: key not found");
    }
    const value = req.ignoreValue ? (prev as Rec<V>).value : (req.value ?? this.codec.empty);
    const lease = req.ignoreLease ? (prev as Rec<V>).lease : (req.lease ?? 0);
    if (prev !== undefined && prev.lease !== 0 && prev.lease !== lease) this.lessorDetach(prev.lease, bkey);
    if (lease !== 0) this.lessorAttach(lease, bkey);
    const rec = ki.put(this.wMain, this.wChanges.length, value, lease);
    const owner = ki;
    this.undo?.push(() => owner.recs.pop());
    this.wChanges.push(rec);
    const resp: PutResponse<V> = { header: this.header(this.wMain) };
    if (req.prevKv && prev !== undefined) resp.prevKv = this.toKv(prev);
    return resp;
  }

  private applyDelete(req: DeleteRangeRequest): DeleteRangeResponse<V> {
    const bkey = this.enc(req.key);
    const victims: KeyIndex<V>[] = [];
    if (req.rangeEnd === undefined || req.rangeEnd === "") {
      const ki = this.tree.get(bkey);
      if (ki?.latest() !== undefined) victims.push(ki);
    } else {
      const end = req.rangeEnd === "\u0000" ? undefined : this.enc(req.rangeEnd);
      this.tree.forRange(bkey, end, 0, (_k, ki) => {
        if (ki.latest() !== undefined) victims.push(ki);
      });
    }
    const prevKvs: KeyValue<V>[] = [];
    for (const ki of victims) {
      const prev = ki.latest() as Rec<V>;
      if (prev.lease !== 0) this.lessorDetach(prev.lease, ki.bkey);
      this.wChanges.push(ki.tombstone(this.wMain, this.wChanges.length, this.codec.empty));
      this.undo?.push(() => ki.recs.pop());
      if (req.prevKv) prevKvs.push(this.toKv(prev));
    }
    const resp: DeleteRangeResponse<V> = { header: this.header(this.txnReadRev()), deleted: victims.length };
    if (req.prevKv) resp.prevKvs = prevKvs;
    return resp;
  }

  private lessorAttach(id: number, bkey: string): void {
    const had = this.lessor.get(id)?.keys.has(bkey) ?? true;
    this.lessor.attach(id, bkey);
    if (!had) this.undo?.push(() => this.lessor.detach(id, bkey));
  }

  private lessorDetach(id: number, bkey: string): void {
    const had = this.lessor.get(id)?.keys.has(bkey) ?? false;
    this.lessor.detach(id, bkey);
    if (had) this.undo?.push(() => this.lessor.attach(id, bkey));
  }

  private applyTxn(req: TxnRequest<V>, path: boolean[], at: { i: number }, top: boolean): TxnResponse<V> {
    const succeeded = path[at.i++] as boolean;
    const ops: RequestOp<V>[] = (succeeded ? req.success : req.failure) ?? [];
    const responses: ResponseOp<V>[] = [];
    for (const op of ops) {
      if (op.requestRange !== undefined) {
        const r = this.rangeAt(op.requestRange, this.txnReadRev());
        r.header = this.subHeader(r.header.revision);
        responses.push({ responseRange: r });
      } else if (op.requestPut !== undefined) {
        const r = this.applyPut(op.requestPut);
        r.header = this.subHeader(r.header.revision);
        responses.push({ responsePut: r });
      } else if (op.requestDeleteRange !== undefined) {
        const r = this.applyDelete(op.requestDeleteRange);
        r.header = this.subHeader(r.header.revision);
        responses.push({ responseDeleteRange: r });
      } else if (op.requestTxn !== undefined) {
        responses.push({ responseTxn: this.applyTxn(op.requestTxn, path, at, false) });
      }
    }
    return { header: top ? this.header(this.txnReadRev()) : this.subHeader(0), succeeded, responses };
  }

  // etcd's applyCompare: every key in the range must satisfy the compare; with no keys, VALUE
  // compares fail and the others compare against an all-zero kv (so mod == 0 means "absent").
  private applyCompare(c: Compare<V>): boolean {
    const matched: Rec<V>[] = [];
    const bkey = this.enc(c.key);
    if (c.rangeEnd === undefined || c.rangeEnd === "") {
      const r = this.tree.get(bkey)?.latest();
      if (r !== undefined) matched.push(r);
    } else {
      const end = c.rangeEnd === "\u0000" ? undefined : this.enc(c.rangeEnd);
      this.tree.forRange(bkey, end, 0, (_k, ki) => {
        const r = ki.latest();
        if (r !== undefined) matched.push(r);
      });
    }
    if (matched.length === 0) {
      if (c.target === "VALUE") return false;
      return this.compareOne(c, undefined);
    }
    for (const r of matched) if (!this.compareOne(c, r)) return false;
    return true;
  }

  private compareOne(c: Compare<V>, r: Rec<V> | undefined): boolean {
    let result: number;
    switch (c.target) {
      case "VALUE":
        result = this.codec.compare((r as Rec<V>).value, c.value ?? this.codec.empty);
        break;
      case "VERSION":
        result = Math.sign((r?.version ?? 0) - (c.version ?? 0));
        break;
      case "CREATE":
        result = Math.sign((r?.createRevision ?? 0) - (c.createRevision ?? 0));
        break;
      case "MOD":
        result = Math.sign((r?.modRevision ?? 0) - (c.modRevision ?? 0));
        break;
      case "LEASE":
        result = Math.sign((r?.lease ?? 0) - (c.lease ?? 0));
        break;
    }
    switch (c.result) {
      case "EQUAL":
        return result === 0;
      case "NOT_EQUAL":
        return result !== 0;
      case "GREATER":
        return result > 0;
      case "LESS":
        return result < 0;
    }
  }

  // Revoke: the attached keys, sorted, deleted in one write txn (etcd lessor.Revoke).
  private revokeLease(id: number): void {
    const l = this.lessor.get(id);
    if (l === undefined) throw Errors.leaseNotFound();
    const keys = [...l.keys].sort();
    this.begin();
    for (const bkey of keys) {
      const ki = this.tree.get(bkey);
      const prev = ki?.latest();
      if (ki === undefined || prev === undefined) continue;
      this.wChanges.push(ki.tombstone(this.wMain, this.wChanges.length, this.codec.empty));
    }
    this.lessor.remove(id);
    this.commit();
  }
}

/** True if no branch of the txn, nested ones included, writes (etcd's isTxnReadonly). */
function readOnly<V>(t: TxnRequest<V>): boolean {
  for (const op of [...(t.success ?? []), ...(t.failure ?? [])]) {
    if (op.requestPut !== undefined || op.requestDeleteRange !== undefined) return false;
    if (op.requestTxn !== undefined && !readOnly(op.requestTxn)) return false;
  }
  return true;
}

// Differential test: the same seeded random operation sequences are played against a real
// etcd (started here on loopback, talked to over its HTTP/JSON gateway) and against MvccStore,
// and every answer is compared field by field. Only lease ids (mapped between the two) and
// TTL countdowns are ignored. `.ci/run` installs Debian's etcd-server and sets
// KUBESIM_REQUIRE_ETCD=1 so the test cannot be skipped there.
import { afterEach, describe, expect, it } from "vitest";
import { Rng } from "../../src/engine/rng.js";
import { prefixEnd } from "../../src/store/bytes.js";
import { EtcdError } from "../../src/store/errors.js";
import { ETCD_3_4_23, ETCD_CURRENT, type EtcdCompat, MvccStore } from "../../src/store/kv-store.js";
import type {
  Compare,
  CompareResult,
  CompareTarget,
  KeyValue,
  RequestOp,
  SortOrder,
  SortTarget,
  WatchCreateRequest,
  WatchResponse,
} from "../../src/store/types.js";
import { WatchHub } from "../../src/store/watch/hub.js";
import { call, watch } from "./etcd-gateway.js";
import { etcdVersion, findEtcd, type RunningEtcd, startEtcd } from "./etcd-server.js";

const BIN = findEtcd();
const REQUIRED = process.env.KUBESIM_REQUIRE_ETCD === "1";

/** Which etcd release's observable behaviour to expect (etcd.md §15). */
function compatFor(version: string): EtcdCompat {
  const [maj = 0, min = 0, patch = 0] = version.split(".").map(Number);
  const v = maj * 1e6 + min * 1e3 + patch;
  const keepTomb = v >= 3_006_000 || (v >= 3_005_016 && v < 3_006_000) || (v >= 3_004_034 && v < 3_005_000);
  const ifSynced = v >= 3_005_008 || (v >= 3_004_025 && v < 3_005_000);
  return {
    tombstoneAtCompactRev: keepTomb ? "keep" : "drop",
    progressRequest: ifSynced ? "ifSynced" : "always",
    txnCheckOrder: v >= 3_006_000 ? "inOrder" : "putsThenRanges",
  };
}

type Op =
  | { kind: "put"; req: Parameters<MvccStore["put"]>[0] }
  | { kind: "range"; req: Parameters<MvccStore["range"]>[0] }
  | { kind: "delete"; req: Parameters<MvccStore["deleteRange"]>[0] }
  | { kind: "txn"; req: Parameters<MvccStore["txn"]>[0] }
  | { kind: "grant"; ttl: number }
  | { kind: "revoke"; id: number }
  | { kind: "ttl"; id: number }
  | { kind: "compact"; revision: number }
  | { kind: "watch"; req: WatchCreateRequest };

const KEYS = ["a", "a/1", "a/2", "ab", "b", "b/x", "b/y", "c", "\u00e9t\u00e9", "z"];
const VALUES = ["", "x", "yy", "hello", "\u00fcber", "0", "9"];
const BOGUS_LEASE = 0x1234_5678;

/** Seeded generator of requests that exercise valid and invalid paths. */
class Gen {
  private readonly rng: Rng;
  leases: number[] = [];
  constructor(
    seed: number,
    private readonly store: MvccStore,
  ) {
    this.rng = new Rng(seed, "etcd-differential");
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[this.rng.int(xs.length)] as T;
  }
  private p(x: number): boolean {
    return this.rng.bool(x);
  }
  private leaseId(): number {
    return this.leases.length > 0 && this.p(0.8) ? this.pick(this.leases) : BOGUS_LEASE;
  }
  private rangeEnd(key: string): string | undefined {
    return this.pick([undefined, prefixEnd(key), "\u0000", this.pick(KEYS)]);
  }
  private revision(): number {
    const cur = this.store.revision;
    return this.pick([0, 0, 1 + this.rng.int(cur + 2), cur, Math.max(1, this.store.compactRevision)]);
  }
  private put(): Op & { kind: "put" } {
    const key = this.pick(KEYS);
    const req: Op & { kind: "put" } = { kind: "put", req: { key } };
    if (this.p(0.06)) req.req.ignoreValue = true;
    else req.req.value = this.pick(VALUES);
    if (this.p(0.06)) req.req.ignoreLease = true;
    else if (this.p(0.15)) req.req.lease = this.leaseId();
    if (this.p(0.3)) req.req.prevKv = true;
    return req;
  }
  private range(): Op & { kind: "range" } {
    const key = this.pick(KEYS);
    const end = this.rangeEnd(key);
    const req: Op["req"] & object = { key, ...(end === undefined ? {} : { rangeEnd: end }) };
    const r = req as Parameters<MvccStore["range"]>[0];
    if (this.p(0.5)) r.limit = this.rng.int(4);
    if (this.p(0.4)) r.revision = this.revision();
    if (this.p(0.1)) r.keysOnly = true;
    if (this.p(0.1)) r.countOnly = true;
    if (this.p(0.25)) {
      r.sortOrder = this.pick<SortOrder>(["NONE", "ASCEND", "DESCEND"]);
      r.sortTarget = this.pick<SortTarget>(["KEY", "VERSION", "CREATE", "MOD"]);
    }
    if (this.p(0.1)) r.minModRevision = 1 + this.rng.int(this.store.revision + 1);
    if (this.p(0.1)) r.maxCreateRevision = 1 + this.rng.int(this.store.revision + 1);
    return { kind: "range", req: r };
  }
  private del(): Op & { kind: "delete" } {
    const key = this.pick(KEYS);
    const end = this.rangeEnd(key);
    return {
      kind: "delete",
      req: { key, ...(end === undefined ? {} : { rangeEnd: end }), ...(this.p(0.4) ? { prevKv: true } : {}) },
    };
  }
  private compare(): Compare {
    const target = this.pick<CompareTarget>(["VALUE", "VERSION", "CREATE", "MOD", "LEASE"]);
    const result = this.pick<CompareResult>(["EQUAL", "NOT_EQUAL", "GREATER", "LESS"]);
    const key = this.pick(KEYS);
    const c: Compare = { key, target, result };
    if (this.p(0.15)) c.rangeEnd = prefixEnd(key);
    const n = this.rng.int(this.store.revision + 2);
    if (target === "VALUE") c.value = this.pick(VALUES);
    else if (target === "VERSION") c.version = this.rng.int(4);
    else if (target === "CREATE") c.createRevision = n;
    else if (target === "MOD") c.modRevision = n;
    else c.lease = this.p(0.5) ? 0 : this.leaseId();
    return c;
  }
  private ops(depth: number): RequestOp[] {
    const out: RequestOp[] = [];
    const n = this.rng.int(4);
    for (let i = 0; i < n; i++) {
      const x = this.rng.int(depth < 1 ? 10 : 9);
      if (x < 4) out.push({ requestPut: this.put().req });
      else if (x < 6) out.push({ requestRange: this.range().req });
      else if (x < 9) out.push({ requestDeleteRange: this.del().req });
      else out.push({ requestTxn: this.txn(depth + 1).req });
    }
    return out;
  }
  private txn(depth = 0): Op & { kind: "txn" } {
    const compare = Array.from({ length: this.rng.int(3) }, () => this.compare());
    return { kind: "txn", req: { compare, success: this.ops(depth), failure: this.ops(depth) } };
  }
  next(): Op {
    const x = this.rng.next();
    if (x < 0.3) return this.put();
    if (x < 0.5) return this.range();
    if (x < 0.6) return this.del();
    if (x < 0.8) return this.txn();
    if (x < 0.84) return { kind: "grant", ttl: this.pick([600, 3600, 7200]) };
    if (x < 0.87) return { kind: "revoke", id: this.leaseId() };
    if (x < 0.9) return { kind: "ttl", id: this.leaseId() };
    if (x < 0.93) {
      const cur = this.store.revision;
      const c = this.store.compactRevision;
      return {
        kind: "compact",
        revision: this.pick([Math.max(c, 1), c + 1 + this.rng.int(Math.max(1, cur - c)), cur, cur + 1]),
      };
    }
    const key = this.pick(KEYS);
    const end = this.pick([undefined, prefixEnd(key), "\u0000"]);
    const req: WatchCreateRequest = { key, startRevision: 1 + this.rng.int(this.store.revision + 1) };
    if (end !== undefined) req.rangeEnd = end;
    if (this.p(0.3)) req.prevKv = true;
    if (this.p(0.15)) req.filters = [this.pick(["NOPUT", "NODELETE"] as const)];
    return { kind: "watch", req };
  }
}

/** Lease ids: ours are numbers, the real server's are 64-bit strings; canonical form is ours. */
class LeaseMap {
  readonly realOf = new Map<number, string>();
  readonly oursOf = new Map<string, number>();
  add(ours: number, real: string): void {
    this.realOf.set(ours, real);
    this.oursOf.set(real, ours);
  }
  /** Replaces our lease ids by real ones inside a request. */
  toReal<T>(req: T): T {
    return JSON.parse(JSON.stringify(req), (k, v) =>
      (k === "lease" || k === "ID") && typeof v === "number" && v !== 0 ? (this.realOf.get(v) ?? String(v)) : v,
    ) as T;
  }
  canon(v: unknown): string {
    if (v === undefined || v === 0 || v === "0") return "0";
    if (typeof v === "number") return String(v);
    return String(this.oursOf.get(String(v)) ?? `real:${String(v)}`);
  }
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const rev = (r: Obj) => (r.header as Obj | undefined)?.revision ?? 0;

function canonKv(kv: Obj | KeyValue | undefined, leases: LeaseMap): unknown {
  if (kv === undefined) return null;
  const o = kv as Obj;
  return {
    key: o.key ?? "",
    value: o.value ?? "",
    createRevision: o.createRevision ?? 0,
    modRevision: o.modRevision ?? 0,
    version: o.version ?? 0,
    lease: leases.canon(o.lease),
  };
}

function canonRange(r: Obj, l: LeaseMap) {
  return { rev: rev(r), kvs: arr(r.kvs).map((kv) => canonKv(kv, l)), count: r.count ?? 0, more: r.more ?? false };
}

function canonOps(rs: unknown, l: LeaseMap): unknown[] {
  return arr(rs).map((op) => {
    if (op.responseRange !== undefined) return { range: canonRange(op.responseRange as Obj, l) };
    if (op.responsePut !== undefined) {
      const p = op.responsePut as Obj;
      return { put: { rev: rev(p), prevKv: canonKv(p.prevKv as Obj | undefined, l) } };
    }
    if (op.responseDeleteRange !== undefined) {
      const d = op.responseDeleteRange as Obj;
      return { del: { rev: rev(d), deleted: d.deleted ?? 0, prevKvs: arr(d.prevKvs).map((kv) => canonKv(kv, l)) } };
    }
    const t = op.responseTxn as Obj;
    return { txn: { rev: rev(t), succeeded: t.succeeded ?? false, responses: canonOps(t.responses, l) } };
  });
}

function canonWatch(rs: Obj[], l: LeaseMap): unknown {
  const events = rs.flatMap((r) =>
    arr(r.events).map((e) => ({
      type: e.type ?? "PUT",
      kv: canonKv(e.kv as Obj, l),
      prevKv: canonKv(e.prevKv as Obj | undefined, l),
    })),
  );
  const cancel = rs.find((r) => r.canceled === true && r.created !== true);
  return { events, canceled: cancel !== undefined, compactRevision: cancel?.compactRevision ?? 0 };
}

type Outcome = { error: string } | { value: unknown };

async function playReal(etcd: RunningEtcd, op: Op, l: LeaseMap, expectedWatch: unknown): Promise<Outcome> {
  const post = async (path: string, req: unknown, f: (b: Obj) => unknown): Promise<Outcome> => {
    const r = await call(etcd.url, path, l.toReal(req));
    return r.ok ? { value: f(r.body) } : { error: r.error };
  };
  switch (op.kind) {
    case "put":
      return post("/v3/kv/put", op.req, (b) => ({ rev: rev(b), prevKv: canonKv(b.prevKv as Obj | undefined, l) }));
    case "range":
      return post("/v3/kv/range", op.req, (b) => canonRange(b, l));
    case "delete":
      return post("/v3/kv/deleterange", op.req, (b) => ({
        rev: rev(b),
        deleted: b.deleted ?? 0,
        prevKvs: arr(b.prevKvs).map((kv) => canonKv(kv, l)),
      }));
    case "txn":
      return post("/v3/kv/txn", op.req, (b) => ({
        rev: rev(b),
        succeeded: b.succeeded ?? false,
        responses: canonOps(b.responses, l),
      }));
    case "grant":
      return post("/v3/lease/grant", { TTL: op.ttl }, (b) => ({ TTL: b.TTL, realId: b.ID }));
    case "revoke":
      return post("/v3/kv/lease/revoke", { ID: op.id }, (b) => ({ rev: rev(b) }));
    case "ttl":
      return post("/v3/kv/lease/timetolive", { ID: op.id, keys: true }, (b) => ({
        unknown: b.TTL === -1,
        grantedTTL: b.grantedTTL ?? 0,
        keys: ((b.keys as string[] | undefined) ?? []).map((k) => Buffer.from(k, "base64").toString("utf8")).sort(),
      }));
    case "compact":
      return post("/v3/kv/compaction", { revision: op.revision }, (b) => ({ rev: rev(b) }));
    case "watch": {
      const want = expectedWatch as { events: unknown[]; canceled: boolean };
      const rs = await watch(
        etcd.url,
        op.req,
        (got) => {
          const c = canonWatch(got, l) as { events: unknown[]; canceled: boolean };
          return c.canceled || (want.events.length > 0 && c.events.length >= want.events.length);
        },
        want.events.length === 0 && !want.canceled ? 400 : 3000,
      );
      return { value: canonWatch(rs, l) };
    }
  }
}

function playOurs(s: MvccStore, hub: WatchHub, op: Op, l: LeaseMap): Outcome {
  try {
    switch (op.kind) {
      case "put": {
        const r = s.put(op.req);
        return { value: { rev: r.header.revision, prevKv: canonKv(r.prevKv, l) } };
      }
      case "range":
        return { value: canonRange(s.range(op.req) as unknown as Obj, l) };
      case "delete": {
        const r = s.deleteRange(op.req);
        return {
          value: { rev: r.header.revision, deleted: r.deleted, prevKvs: (r.prevKvs ?? []).map((kv) => canonKv(kv, l)) },
        };
      }
      case "txn": {
        const r = s.txn(op.req);
        return { value: { rev: r.header.revision, succeeded: r.succeeded, responses: canonOps(r.responses, l) } };
      }
      case "grant": {
        const r = s.leaseGrant({ TTL: op.ttl });
        return { value: { TTL: r.TTL, ourId: r.ID } };
      }
      case "revoke":
        return { value: { rev: s.leaseRevoke(op.id).header.revision } };
      case "ttl": {
        const r = s.leaseTimeToLive(op.id, true);
        return { value: { unknown: r.TTL === -1, grantedTTL: r.grantedTTL, keys: (r.keys ?? []).slice().sort() } };
      }
      case "compact":
        return { value: { rev: s.compact({ revision: op.revision }).header.revision } };
      case "watch": {
        const got: WatchResponse[] = [];
        const stream = hub.openStream((r) => got.push(r));
        stream.watch(op.req);
        stream.close();
        return { value: canonWatch(got as unknown as Obj[], l) };
      }
    }
  } catch (e) {
    if (e instanceof EtcdError) return { error: e.message };
    throw e;
  }
}

// 10 sequences in the normal suite; KUBESIM_ETCD_SEEDS=200 runs a long sweep (all 200 passed
// against etcd 3.4.23 when this was written).
const SEEDS = Array.from({ length: Number(process.env.KUBESIM_ETCD_SEEDS ?? 10) }, (_, i) => i + 1);
const OPS_PER_SEED = 120;

describe.skipIf(BIN === undefined && !REQUIRED)("differential test against a real etcd", () => {
  let etcd: RunningEtcd | undefined;
  afterEach(async () => {
    await etcd?.stop();
    etcd = undefined;
  });

  it("knows which etcd it compares against", () => {
    expect(BIN, "etcd is not installed (apt-get install etcd-server)").toBeDefined();
    const v = etcdVersion(BIN as string);
    expect(v).toMatch(/^3\.\d+\.\d+$/);
    expect(compatFor("3.4.23")).toEqual(ETCD_3_4_23);
    expect(compatFor("3.6.0")).toEqual(ETCD_CURRENT);
  });

  it.each(SEEDS)(
    "seed %i: every answer matches",
    async (seed) => {
      etcd = await startEtcd(BIN as string);
      const compat = compatFor(etcdVersion(BIN as string));
      const store = new MvccStore({ compat });
      const hub = new WatchHub(store);
      const gen = new Gen(seed, store);
      const leases = new LeaseMap();
      for (let i = 0; i < OPS_PER_SEED; i++) {
        const op = gen.next();
        const ours = playOurs(store, hub, op, leases);
        if ("error" in ours && ours.error.startsWith("etcdserver: unexpected error during txn")) {
          // Real etcd panics on this txn and the server dies (checked by hand); we refuse it
          // atomically instead, so it is not sent.
          continue;
        }
        const real = await playReal(etcd, op, leases, "value" in ours ? ours.value : { events: [], canceled: false });
        if (op.kind === "grant" && "value" in ours && "value" in real) {
          const o = ours.value as { TTL: number; ourId: number };
          const r = real.value as { TTL: number; realId: string };
          leases.add(o.ourId, r.realId);
          gen.leases.push(o.ourId);
          expect(r.TTL, `seed ${seed} op ${i} lease TTL`).toBe(o.TTL);
          continue;
        }
        if (op.kind === "revoke" && "value" in ours) gen.leases = gen.leases.filter((x) => x !== op.id);
        expect(real, `seed ${seed} op ${i} ${op.kind} ${JSON.stringify(op)}`).toEqual(ours);
      }
    },
    60_000,
  );
});

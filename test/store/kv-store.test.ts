import { describe, expect, it } from "vitest";
import { MvccStore } from "../../src/store/kv-store.js";
import { etcdMessage } from "./helpers.js";

const put = (s: MvccStore, key: string, value = "v") => s.put({ key, value });
const code = etcdMessage;

describe("revisions", () => {
  it("start at 1; each changing request adds exactly 1", () => {
    const s = new MvccStore();
    expect(s.revision).toBe(1);
    expect(put(s, "a").header.revision).toBe(2);
    expect(
      s.txn({ success: [{ requestPut: { key: "b", value: "1" } }, { requestPut: { key: "c", value: "1" } }] }).header
        .revision,
    ).toBe(3);
    expect(s.deleteRange({ key: "a", rangeEnd: "d" }).header.revision).toBe(4);
  });

  it("requests that change nothing leave it alone", () => {
    const s = new MvccStore();
    put(s, "a");
    expect(s.deleteRange({ key: "zzz" }).header.revision).toBe(2);
    expect(s.txn({ success: [{ requestRange: { key: "a" } }] }).header.revision).toBe(2);
    s.leaseGrant({ TTL: 10 });
    const empty = s.leaseGrant({ TTL: 10 });
    s.leaseRevoke(empty.ID);
    s.compact({ revision: 2 });
    expect(s.revision).toBe(2);
  });
});

describe("per-key metadata", () => {
  it("createRevision, modRevision and version; a put always bumps the version", () => {
    const s = new MvccStore();
    put(s, "k", "x");
    put(s, "k", "x");
    put(s, "k", "y");
    expect(s.range({ key: "k" }).kvs[0]).toEqual({
      key: "k",
      createRevision: 2,
      modRevision: 4,
      version: 3,
      value: "y",
      lease: 0,
    });
  });

  it("a delete resets the key: re-creation gets a new createRevision and version 1", () => {
    const s = new MvccStore();
    put(s, "k");
    put(s, "k");
    s.deleteRange({ key: "k" });
    put(s, "k", "again");
    expect(s.range({ key: "k" }).kvs[0]).toMatchObject({ createRevision: 5, modRevision: 5, version: 1 });
    // The deleted generation is still readable before compaction.
    expect(s.range({ key: "k", revision: 3 }).kvs[0]).toMatchObject({ createRevision: 2, modRevision: 3, version: 2 });
    expect(s.range({ key: "k", revision: 4 }).count).toBe(0);
  });
});

describe("range", () => {
  const filled = () => {
    const s = new MvccStore();
    for (const k of ["a", "b", "c", "d", "e"]) put(s, k, `val-${k}`);
    return s; // revisions 2..6
  };

  it("answers the header at the current revision, also for historical reads", () => {
    const s = filled();
    const r = s.range({ key: "a", rangeEnd: "z", revision: 3 });
    expect(r.header.revision).toBe(6);
    expect(r.kvs.map((kv) => kv.key)).toEqual(["a", "b"]);
    expect(r.count).toBe(2);
  });

  it("count covers the whole range; more is set only when the limit cut kvs", () => {
    const s = filled();
    const r = s.range({ key: "a", rangeEnd: "z", limit: 2 });
    expect(r.kvs.map((kv) => kv.key)).toEqual(["a", "b"]);
    expect(r).toMatchObject({ count: 5, more: true });
    expect(s.range({ key: "a", rangeEnd: "z", limit: 5 })).toMatchObject({ count: 5, more: false });
  });

  it("handles prefix ends, '\\0' ends and empty ranges", () => {
    const s = new MvccStore();
    for (const k of ["/p/a", "/p/b", "/q", "/p0"]) put(s, k);
    expect(s.range({ key: "/p/", rangeEnd: "/p0" }).kvs.map((kv) => kv.key)).toEqual(["/p/a", "/p/b"]);
    expect(s.range({ key: "/p0", rangeEnd: "\u0000" }).kvs.map((kv) => kv.key)).toEqual(["/p0", "/q"]);
    expect(s.range({ key: "\u0000", rangeEnd: "\u0000" }).count).toBe(4);
    expect(s.range({ key: "/q", rangeEnd: "/a" })).toMatchObject({ kvs: [], count: 0, more: false });
  });

  it("orders keys by UTF-8 bytes, not UTF-16 units", () => {
    const s = new MvccStore();
    put(s, "\u{1F600}");
    put(s, "\uFF61");
    // UTF-16: U+D83D (emoji lead) < U+FF61. UTF-8: EF BD A1 < F0 9F 98 80.
    expect(s.range({ key: "\u0000", rangeEnd: "\u0000" }).kvs.map((kv) => kv.key)).toEqual(["\uFF61", "\u{1F600}"]);
  });

  it("keysOnly strips values; countOnly returns no kvs and never sets more", () => {
    const s = filled();
    expect(s.range({ key: "a", keysOnly: true }).kvs[0]).toMatchObject({ key: "a", value: "", version: 1 });
    expect(s.range({ key: "a", rangeEnd: "z", countOnly: true, limit: 1 })).toMatchObject({
      kvs: [],
      count: 5,
      more: false,
    });
  });

  it("min/max revision filters remove kvs but not count", () => {
    const s = filled();
    const r = s.range({ key: "a", rangeEnd: "z", minModRevision: 3, maxModRevision: 5 });
    expect(r.kvs.map((kv) => kv.key)).toEqual(["b", "c", "d"]);
    expect(r.count).toBe(5);
    const c = s.range({ key: "a", rangeEnd: "z", maxCreateRevision: 2, limit: 3 });
    expect(c.kvs.map((kv) => kv.key)).toEqual(["a"]);
    expect(c).toMatchObject({ count: 5, more: false });
  });

  it("sorts; a non-KEY target with order NONE sorts ascending", () => {
    const s = new MvccStore();
    put(s, "b", "2");
    put(s, "a", "3");
    put(s, "c", "1");
    put(s, "a", "3");
    const keys = (r: { kvs: { key: string }[] }) => r.kvs.map((kv) => kv.key);
    expect(keys(s.range({ key: "a", rangeEnd: "z", sortTarget: "VALUE" }))).toEqual(["c", "b", "a"]);
    expect(keys(s.range({ key: "a", rangeEnd: "z", sortTarget: "MOD", sortOrder: "DESCEND" }))).toEqual([
      "a",
      "c",
      "b",
    ]);
    expect(keys(s.range({ key: "a", rangeEnd: "z", sortTarget: "KEY", sortOrder: "DESCEND" }))).toEqual([
      "c",
      "b",
      "a",
    ]);
    expect(keys(s.range({ key: "a", rangeEnd: "z", sortTarget: "VERSION", sortOrder: "DESCEND", limit: 1 }))).toEqual([
      "a",
    ]);
    // Target CREATE with order NONE: etcd fetches limit+1 keys in key order, then sorts them.
    const r = s.range({ key: "a", rangeEnd: "z", sortTarget: "CREATE", limit: 1 });
    expect(keys(r)).toEqual(["b"]);
    expect(r.more).toBe(true);
  });

  it("rejects future and compacted revisions, but reads at exactly the compact revision", () => {
    const s = filled();
    expect(code(() => s.range({ key: "a", revision: 7 }))).toBe(
      "etcdserver: mvcc: required revision is a future revision",
    );
    s.compact({ revision: 4 });
    expect(code(() => s.range({ key: "a", revision: 3 }))).toBe(
      "etcdserver: mvcc: required revision has been compacted",
    );
    expect(s.range({ key: "a", rangeEnd: "z", revision: 4 }).kvs.map((kv) => kv.key)).toEqual(["a", "b", "c"]);
    expect(code(() => s.range({ key: "" }))).toBe("etcdserver: key is not provided");
  });
});

describe("put", () => {
  it("returns prevKv only when asked and only if the key existed", () => {
    const s = new MvccStore();
    expect(s.put({ key: "k", value: "1", prevKv: true }).prevKv).toBeUndefined();
    expect(s.put({ key: "k", value: "2" }).prevKv).toBeUndefined();
    expect(s.put({ key: "k", value: "3", prevKv: true }).prevKv).toMatchObject({ value: "2", version: 2 });
  });

  it("ignore_value / ignore_lease keep the old ones but still bump revision and version", () => {
    const s = new MvccStore();
    const l = s.leaseGrant({ TTL: 60 });
    s.put({ key: "k", value: "orig", lease: l.ID });
    s.put({ key: "k", ignoreValue: true, ignoreLease: true });
    expect(s.range({ key: "k" }).kvs[0]).toMatchObject({ value: "orig", lease: l.ID, version: 2, modRevision: 3 });
    expect(code(() => s.put({ key: "missing", ignoreValue: true }))).toBe("etcdserver: key not found");
    expect(code(() => s.put({ key: "k", value: "x", ignoreValue: true }))).toBe("etcdserver: value is provided");
    expect(code(() => s.put({ key: "k", lease: l.ID, ignoreLease: true }))).toBe("etcdserver: lease is provided");
  });

  it("rejects unknown leases, empty keys and requests over 1.5 MiB", () => {
    const s = new MvccStore();
    expect(code(() => s.put({ key: "k", value: "v", lease: 12345 }))).toBe("etcdserver: requested lease not found");
    expect(code(() => s.put({ key: "", value: "v" }))).toBe("etcdserver: key is not provided");
    expect(code(() => s.put({ key: "big", value: "x".repeat(1_800_000) }))).toBe("etcdserver: request is too large");
    expect(s.put({ key: "fine", value: "x".repeat(1_000_000) }).header.revision).toBe(2);
    expect(s.revision).toBe(2);
  });
});

describe("deleteRange", () => {
  it("deletes a range in one revision with sub-revisions in key order, and reports prevKvs", () => {
    const s = new MvccStore();
    for (const k of ["a", "b", "c"]) put(s, k, k);
    const r = s.deleteRange({ key: "a", rangeEnd: "c", prevKv: true });
    expect(r).toMatchObject({ deleted: 2, header: { revision: 5 } });
    expect(r.prevKvs?.map((kv) => kv.key)).toEqual(["a", "b"]);
    expect(s.range({ key: "a", rangeEnd: "z" }).kvs.map((kv) => kv.key)).toEqual(["c"]);
    expect(s.range({ key: "a", rangeEnd: "z", revision: 4 }).count).toBe(3);
  });

  it("deleting nothing keeps the revision and reports 0", () => {
    const s = new MvccStore();
    put(s, "a");
    expect(s.deleteRange({ key: "x", prevKv: true })).toMatchObject({
      deleted: 0,
      prevKvs: [],
      header: { revision: 2 },
    });
  });
});

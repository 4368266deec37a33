import { describe, expect, it } from "vitest";
import { MvccStore } from "../../src/store/kv-store.js";
import type { Compare, RequestOp } from "../../src/store/types.js";
import { etcdMessage } from "./helpers.js";

const msg = etcdMessage;
const put = (key: string, value = "v"): RequestOp => ({ requestPut: { key, value } });
const del = (key: string, rangeEnd?: string): RequestOp => ({
  requestDeleteRange: rangeEnd === undefined ? { key } : { key, rangeEnd },
});
const get = (key: string): RequestOp => ({ requestRange: { key } });

function store(): MvccStore {
  const s = new MvccStore();
  s.put({ key: "a", value: "1" }); // rev 2
  s.put({ key: "b", value: "2" }); // rev 3
  return s;
}

describe("txn compares", () => {
  it.each<[Compare, boolean]>([
    [{ key: "a", target: "VALUE", result: "EQUAL", value: "1" }, true],
    [{ key: "a", target: "VALUE", result: "GREATER", value: "0" }, true],
    [{ key: "a", target: "VERSION", result: "EQUAL", version: 1 }, true],
    [{ key: "a", target: "CREATE", result: "EQUAL", createRevision: 2 }, true],
    [{ key: "a", target: "MOD", result: "LESS", modRevision: 3 }, true],
    [{ key: "a", target: "LEASE", result: "EQUAL", lease: 0 }, true],
    [{ key: "a", target: "MOD", result: "NOT_EQUAL", modRevision: 2 }, false],
    // A missing key compares as an all-zero kv: mod == 0 / create == 0 / version == 0 mean absent.
    [{ key: "zz", target: "MOD", result: "EQUAL", modRevision: 0 }, true],
    [{ key: "zz", target: "CREATE", result: "EQUAL", createRevision: 0 }, true],
    [{ key: "zz", target: "VERSION", result: "EQUAL", version: 0 }, true],
    // ... but VALUE compares on missing keys always fail.
    [{ key: "zz", target: "VALUE", result: "NOT_EQUAL", value: "x" }, false],
    [{ key: "zz", target: "VALUE", result: "EQUAL", value: "" }, false],
    // With a range, every key must satisfy it.
    [{ key: "a", rangeEnd: "c", target: "VERSION", result: "EQUAL", version: 1 }, true],
    [{ key: "a", rangeEnd: "c", target: "VALUE", result: "EQUAL", value: "1" }, false],
  ])("%o -> %s", (c, expected) => {
    expect(store().txn({ compare: [c] }).succeeded).toBe(expected);
  });
});

describe("txn execution", () => {
  it("bumps the revision once for the whole chosen branch", () => {
    const s = store();
    const r = s.txn({ success: [put("x"), put("y"), del("a")] });
    expect(r.header.revision).toBe(4);
    expect(s.range({ key: "x" }).kvs[0]?.modRevision).toBe(4);
    expect(s.range({ key: "y" }).kvs[0]?.modRevision).toBe(4);
  });

  it("a read-only branch, or a failed compare with a read-only else, changes nothing", () => {
    const s = store();
    expect(s.txn({ success: [get("a")] }).header.revision).toBe(3);
    const r = s.txn({
      compare: [{ key: "a", target: "VALUE", result: "EQUAL", value: "nope" }],
      success: [put("a")],
      failure: [get("a")],
    });
    expect(r).toMatchObject({ succeeded: false, header: { revision: 3 } });
  });

  it("a failed compare whose failure branch writes still bumps the revision", () => {
    const s = store();
    const r = s.txn({ compare: [{ key: "a", target: "VERSION", result: "EQUAL", version: 9 }], failure: [put("f")] });
    expect(r).toMatchObject({ succeeded: false, header: { revision: 4 } });
  });

  it("sub-response headers show the view at that point", () => {
    const s = store();
    const r = s.txn({ success: [get("a"), put("a", "new"), get("a"), del("nothing")] });
    expect(r.responses[0]?.responseRange?.header.revision).toBe(3);
    expect(r.responses[1]?.responsePut?.header.revision).toBe(4);
    expect(r.responses[2]?.responseRange?.header.revision).toBe(4);
    expect(r.responses[2]?.responseRange?.kvs[0]?.value).toBe("new");
    expect(r.responses[3]?.responseDeleteRange).toMatchObject({ deleted: 0, header: { revision: 4 } });
  });

  it("evaluates nested compares against the state before the txn", () => {
    const s = store();
    const r = s.txn({
      success: [
        put("a", "changed"),
        {
          requestTxn: {
            compare: [{ key: "a", target: "VALUE", result: "EQUAL", value: "1" }],
            success: [put("saw-old")],
            failure: [put("saw-new")],
          },
        },
      ],
    });
    expect(r.responses[1]?.responseTxn?.succeeded).toBe(true);
    expect(s.range({ key: "saw-old" }).count).toBe(1);
    expect(s.revision).toBe(4);
  });

  it("validates the chosen ops before applying anything", () => {
    const s = store();
    expect(msg(() => s.txn({ success: [put("ok"), { requestPut: { key: "l", value: "v", lease: 42 } }] }))).toBe(
      "etcdserver: requested lease not found",
    );
    expect(msg(() => s.txn({ success: [put("ok"), { requestRange: { key: "a", revision: 99 } }] }))).toBe(
      "etcdserver: mvcc: required revision is a future revision",
    );
    expect(s.revision).toBe(3);
    expect(s.range({ key: "ok" }).count).toBe(0);
    // The branch not taken is not checked.
    expect(
      s.txn({
        compare: [{ key: "a", target: "VERSION", result: "EQUAL", version: 1 }],
        failure: [{ requestPut: { key: "l", value: "v", lease: 42 } }],
      }).succeeded,
    ).toBe(true);
  });
});

describe("txn validation", () => {
  it("limits each list to 128 operations (the longest list, not the sum)", () => {
    const s = store();
    const ops = (n: number) => Array.from({ length: n }, (_, i) => put(`k${i}`));
    expect(s.txn({ success: ops(128), failure: ops(128) }).header.revision).toBe(4);
    expect(msg(() => s.txn({ success: ops(129) }))).toBe("etcdserver: too many operations in txn request");
    const cmps: Compare[] = Array.from({ length: 129 }, () => ({
      key: "a",
      target: "MOD",
      result: "GREATER",
      modRevision: 0,
    }));
    expect(msg(() => s.txn({ compare: cmps }))).toBe("etcdserver: too many operations in txn request");
  });

  it.each<[string, RequestOp[]]>([
    ["the same key put twice", [put("k"), put("k")]],
    ["a put inside a deleted range", [del("a", "c"), put("b")]],
    ["a put of a deleted key", [put("a"), del("a")]],
    ["a nested put of a key the outer level puts", [put("x"), { requestTxn: { success: [put("x")] } }]],
  ])("rejects %s as a duplicate key", (_name, success) => {
    expect(msg(() => store().txn({ success }))).toBe("etcdserver: duplicate key given in txn request");
  });

  it("allows overlapping deletes, and the same key in a nested txn's two exclusive branches", () => {
    const s = store();
    expect(s.txn({ success: [del("a", "c"), del("b")] }).header.revision).toBe(4);
    expect(
      s.txn({ success: [{ requestTxn: { success: [put("z", "1")], failure: [put("z", "2")] } }] }).header.revision,
    ).toBe(5);
  });

  it("rejects empty keys and ops without a request", () => {
    const s = store();
    expect(msg(() => s.txn({ compare: [{ key: "", target: "MOD", result: "EQUAL", modRevision: 0 }] }))).toBe(
      "etcdserver: key is not provided",
    );
    expect(msg(() => s.txn({ success: [{}] }))).toBe("etcdserver: key not found");
  });

  it("refuses, whole, a txn that real etcd would crash on, changing nothing", () => {
    // ignore_value is checked against the state before the txn; a delete ending at "\0" (not
    // caught by the duplicate check) removes the key first, and etcd panics applying the put.
    const s = store();
    const l = s.leaseGrant({ TTL: 60 });
    expect(
      msg(() =>
        s.txn({
          success: [
            { requestPut: { key: "new", value: "n", lease: l.ID } },
            { requestDeleteRange: { key: "a", rangeEnd: "\u0000" } },
            { requestPut: { key: "b", ignoreValue: true } },
          ],
        }),
      ),
    ).toBe("etcdserver: unexpected error during txn with writes: etcdserver: key not found");
    expect(s.revision).toBe(3);
    expect(s.range({ key: "a", rangeEnd: "\u0000" }).kvs.map((kv) => [kv.key, kv.version])).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
    expect(s.leaseTimeToLive(l.ID, true).keys).toEqual([]);
    expect(s.put({ key: "a", value: "after" }).header.revision).toBe(4);
  });
});

import { describe, expect, it } from "vitest";
import { ETCD_3_4_23, ETCD_CURRENT, MvccStore } from "../../src/store/kv-store.js";
import type { WatchResponse } from "../../src/store/types.js";
import { WatchHub } from "../../src/store/watch/hub.js";
import { etcdMessage } from "./helpers.js";

const msg = etcdMessage;

describe("compaction", () => {
  it("rejects revisions at or below the compact revision and in the future; current is fine", () => {
    const s = new MvccStore();
    s.put({ key: "a", value: "1" });
    s.put({ key: "a", value: "2" });
    expect(msg(() => s.compact({ revision: 4 }))).toBe("etcdserver: mvcc: required revision is a future revision");
    s.compact({ revision: 2 });
    expect(msg(() => s.compact({ revision: 2 }))).toBe("etcdserver: mvcc: required revision has been compacted");
    s.compact({ revision: 3 });
    expect(s.compactRevision).toBe(3);
    expect(s.revision).toBe(3);
  });

  it("keeps, per key, the newest revision at or below the compact revision and everything after", () => {
    const s = new MvccStore();
    for (let i = 1; i <= 5; i++) s.put({ key: "k", value: `v${i}` }); // revs 2..6
    s.compact({ revision: 4 });
    expect(s.range({ key: "k", revision: 4 }).kvs[0]).toMatchObject({ value: "v3", version: 3 });
    expect(s.range({ key: "k", revision: 5 }).kvs[0]).toMatchObject({ value: "v4", version: 4 });
    expect(msg(() => s.range({ key: "k", revision: 3 }))).toBe(
      "etcdserver: mvcc: required revision has been compacted",
    );
  });

  it("removes keys whose newest revision below the compact revision is a tombstone", () => {
    const s = new MvccStore();
    s.put({ key: "gone", value: "1" }); // 2
    s.deleteRange({ key: "gone" }); // 3
    s.put({ key: "x", value: "1" }); // 4
    s.compact({ revision: 4 });
    expect(s.keyCount).toBe(1);
  });

  // etcd.md §8: put(1) put(2) delete(3) put(4) delete(5) on one key.
  const history = (s: MvccStore) => {
    s.put({ key: "k", value: "1" }); // 2
    s.put({ key: "k", value: "2" }); // 3
    s.deleteRange({ key: "k" }); // 4
    s.put({ key: "k", value: "3" }); // 5
    s.deleteRange({ key: "k" }); // 6
    s.put({ key: "other", value: "x" }); // 7
  };

  it.each([
    ["current etcd keeps a tombstone at exactly the compact revision", ETCD_CURRENT, ["DELETE k@6", "PUT other@7"], 2],
    ["etcd 3.4.23 drops it, so a watch from there misses the delete", ETCD_3_4_23, ["PUT other@7"], 1],
  ])("%s", (_name, compat, expected, keys) => {
    const s = new MvccStore({ compat });
    history(s);
    s.compact({ revision: 6 });
    expect(s.keyCount).toBe(keys);
    const got: string[] = [];
    new WatchHub(s)
      .openStream((r: WatchResponse) => {
        for (const e of r.events) got.push(`${e.type} ${e.kv.key}@${e.kv.modRevision}`);
      })
      .watch({ key: "\u0000", rangeEnd: "\u0000", startRevision: 6 });
    expect(got).toEqual(expected);
    // The next compaction removes the kept tombstone either way.
    s.compact({ revision: 7 });
    expect(s.keyCount).toBe(1);
  });

  it("keeps only each key's newest change at exactly the compact revision for watchers", () => {
    // A txn can change one key twice in one revision: etcd's duplicate check treats a delete
    // ending at "\0" as an empty interval. Compaction keeps only the newest of the two.
    const s = new MvccStore({ compat: ETCD_CURRENT });
    s.put({ key: "b", value: "1" }); // 2
    s.txn({
      success: [
        { requestPut: { key: "c", value: "x" } },
        { requestDeleteRange: { key: "b", rangeEnd: "\u0000" } },
        { requestPut: { key: "b/y", value: "y" } },
      ],
    }); // 3: put c, delete b, delete c, put b/y
    s.compact({ revision: 3 });
    const got: string[] = [];
    new WatchHub(s)
      .openStream((r: WatchResponse) => {
        for (const e of r.events) got.push(`${e.type} ${e.kv.key}@${e.kv.modRevision}`);
      })
      .watch({ key: "\u0000", rangeEnd: "\u0000", startRevision: 3 });
    expect(got).toEqual(["DELETE b@3", "DELETE c@3", "PUT b/y@3"]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/engine/rng.js";
import { BTree } from "../../src/store/btree.js";
import { prefixEnd, toByteKey } from "../../src/store/bytes.js";

/** All (key, value) pairs of a range, through forRange. */
function collect<V>(t: BTree<V>, start: string, end: string | undefined, limit = 0): [string, V][] {
  const out: [string, V][] = [];
  t.forRange(start, end, limit, (k, v) => {
    out.push([k, v]);
  });
  return out;
}

function shuffle<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** The reference: a sorted array of pairs, searched linearly. Obviously right, and slow. */
class Model {
  readonly pairs: [string, number][] = [];

  private find(key: string): number {
    let i = 0;
    while (i < this.pairs.length && this.pairs[i][0] < key) i++;
    return i;
  }

  set(key: string, value: number): boolean {
    const i = this.find(key);
    if (i < this.pairs.length && this.pairs[i][0] === key) {
      this.pairs[i][1] = value;
      return false;
    }
    this.pairs.splice(i, 0, [key, value]);
    return true;
  }

  delete(key: string): boolean {
    const i = this.find(key);
    if (i < this.pairs.length && this.pairs[i][0] === key) {
      this.pairs.splice(i, 1);
      return true;
    }
    return false;
  }

  get(key: string): number | undefined {
    const i = this.find(key);
    return i < this.pairs.length && this.pairs[i][0] === key ? this.pairs[i][1] : undefined;
  }

  range(start: string, end: string | undefined, limit: number): [string, number][] {
    const noEnd = end === undefined || end === "" || end === "\u0000";
    const out = this.pairs.filter(([k]) => k >= start && (noEnd || k < end));
    return limit > 0 ? out.slice(0, limit) : out;
  }
}

describe("BTree basics", () => {
  it("sets, gets, replaces and deletes", () => {
    const t = new BTree<number>();
    expect(t.size).toBe(0);
    expect(t.get("a")).toBeUndefined();
    expect(t.set("b", 2)).toBe(true);
    expect(t.set("a", 1)).toBe(true);
    expect(t.set("b", 20)).toBe(false);
    expect(t.size).toBe(2);
    expect(t.get("b")).toBe(20);
    expect(t.has("a")).toBe(true);
    expect(t.has("c")).toBe(false);
    expect(t.delete("c")).toBe(false);
    expect(t.delete("a")).toBe(true);
    expect(t.delete("a")).toBe(false);
    expect(t.size).toBe(1);
    expect(t.first()).toBe("b");
    expect(t.last()).toBe("b");
    t.clear();
    expect(t.size).toBe(0);
    expect(t.first()).toBeUndefined();
    expect(t.last()).toBeUndefined();
    expect(collect(t, "", undefined)).toEqual([]);
    t.checkInvariants();
  });

  it("finds a key through a separately built string with the same content", () => {
    const t = new BTree<number>();
    for (let i = 0; i < 1000; i++) t.set(`/registry/pods/ns-${i % 10}/pod-${i}`, i);
    for (let i = 0; i < 1000; i++) {
      const key = ["", "registry", "pods", `ns-${i % 10}`, `pod-${i}`].join("/");
      expect(t.get(key)).toBe(i);
    }
  });

  it("rejects a node size below 4", () => {
    expect(() => new BTree({ nodeSize: 3 })).toThrow(RangeError);
    expect(() => new BTree({ nodeSize: 4.5 })).toThrow(RangeError);
  });

  it("keeps the empty key and keys with 0x00 and 0xff bytes in byte order", () => {
    const t = new BTree<number>({ nodeSize: 4 });
    const keys = [
      "",
      "\u0000",
      "\u0000\u0000",
      "a",
      "a\u0000",
      "a\u00ff",
      "a\u00ff\u00ff",
      "b",
      "\u00ff",
      "\u00ff\u00ff",
    ];
    shuffle([...keys], new Rng(1, "t")).forEach((k, i) => {
      t.set(k, i);
    });
    t.checkInvariants();
    expect(collect(t, "", undefined).map(([k]) => k)).toEqual(keys);
  });

  it("orders keys that are not byte strings by UTF-16 code units", () => {
    const t = new BTree<number>({ nodeSize: 4 });
    const keys = [
      "p/\u00ff",
      "p/\u00ff\u00ff\u00ff\u00ff\u00ff",
      "p/\u0100",
      "p/\u0300",
      "p/\u0300a",
      "p/\u0300b",
      "p/\uffff",
    ];
    shuffle([...keys], new Rng(2, "t")).forEach((k, i) => {
      t.set(k, i);
    });
    t.checkInvariants();
    expect(collect(t, "", undefined).map(([k]) => k)).toEqual(keys);
    for (const k of keys) expect(t.has(k)).toBe(true);
    expect(t.has("p/\u0300c")).toBe(false);
    expect(t.has("p/\u00ff\u00ff\u00ff")).toBe(false);
  });
});

describe("BTree ranges", () => {
  const t = new BTree<number>({ nodeSize: 8 });
  const all: string[] = [];
  for (let ns = 0; ns < 10; ns++) {
    for (let p = 0; p < 50; p++) {
      const key = `/registry/pods/ns-${ns}/pod-${p}`;
      all.push(key);
    }
  }
  all.sort();
  shuffle([...all], new Rng(3, "t")).forEach((k) => {
    t.set(k, all.indexOf(k));
  });

  it("scans a prefix with etcd's prefix end", () => {
    const start = "/registry/pods/ns-3/";
    const got = collect(t, start, prefixEnd(start));
    expect(got.length).toBe(50);
    expect(got.every(([k]) => k.startsWith(start))).toBe(true);
    expect(got.map(([k]) => k)).toEqual(all.filter((k) => k.startsWith(start)));
    expect(t.countRange(start, prefixEnd(start))).toBe(50);
  });

  it("treats '', '\\u0000' and undefined as no upper bound", () => {
    const start = "/registry/pods/ns-8/";
    const expected = all.filter((k) => k >= start);
    for (const end of ["", "\u0000", undefined]) {
      expect(collect(t, start, end).map(([k]) => k)).toEqual(expected);
      expect(t.countRange(start, end)).toBe(expected.length);
    }
  });

  it("stops at the limit or when the visitor returns false, and counts what it visited", () => {
    const start = "/registry/pods/ns-1/";
    expect(collect(t, start, prefixEnd(start), 7).length).toBe(7);
    let seen = 0;
    const n = t.forRange(start, prefixEnd(start), 0, () => ++seen < 12);
    expect(n).toBe(12);
    expect(seen).toBe(12);
    expect(t.forRange(start, prefixEnd(start), 1000, () => {})).toBe(50);
  });

  it("returns nothing for an empty or inverted range", () => {
    expect(collect(t, "b", "a")).toEqual([]);
    expect(collect(t, "a", "a")).toEqual([]);
    expect(t.countRange("b", "a")).toBe(0);
    expect(collect(t, "/registry/pods/ns-9/pod-99", "/registry/pods/ns-9/pod-990")).toEqual([]);
  });

  it("excludes the end key and includes the start key", () => {
    const got = collect(t, all[10], all[20]);
    expect(got.map(([k]) => k)).toEqual(all.slice(10, 20));
    expect(t.countRange(all[10], all[20])).toBe(10);
  });

  it("finds the smallest key at or after a key", () => {
    expect(t.ceilingKey("")).toBe(all[0]);
    expect(t.ceilingKey(all[5])).toBe(all[5]);
    expect(t.ceilingKey(`${all[5]}\u0000`)).toBe(all[6]);
    expect(t.ceilingKey("\u00ff")).toBeUndefined();
    expect(t.first()).toBe(all[0]);
    expect(t.last()).toBe(all[all.length - 1]);
  });
});

describe("BTree structure under many writes", () => {
  it.each([4, 5, 7, 64])("grows and shrinks through every level at node size %i", (nodeSize) => {
    const rng = new Rng(nodeSize, "btree/grow");
    const keys = shuffle(
      Array.from({ length: 5000 }, (_, i) => `/registry/pods/ns-${i % 13}/pod-${i}`),
      rng,
    );
    const t = new BTree<number>({ nodeSize });
    keys.forEach((k, i) => {
      t.set(k, i);
      if (i % 997 === 0) t.checkInvariants();
    });
    t.checkInvariants();
    expect(t.size).toBe(keys.length);
    expect(collect(t, "", undefined).map(([k]) => k)).toEqual([...keys].sort());
    shuffle(keys, rng).forEach((k, i) => {
      expect(t.delete(k)).toBe(true);
      if (i % 997 === 0) t.checkInvariants();
    });
    t.checkInvariants();
    expect(t.size).toBe(0);
    expect(t.first()).toBeUndefined();
  });

  it("keeps long shared prefixes and UTF-8 keys in byte order", () => {
    const t = new BTree<number>({ nodeSize: 4 });
    const names = ["nginx-7f8d9c6b5-", "nginx-7f8d9c6b5-x", "café-", "caf\u00e9-", "日本-", "\u{1F600}-", "\uFF61-"];
    const keys: string[] = [];
    for (const name of names) for (let i = 0; i < 40; i++) keys.push(toByteKey(`/registry/pods/default/${name}${i}`));
    shuffle(keys, new Rng(4, "t")).forEach((k, i) => {
      t.set(k, i);
    });
    t.checkInvariants();
    const byBytes = [...new Set(keys)].sort((a, b) =>
      Buffer.compare(Buffer.from(a, "latin1"), Buffer.from(b, "latin1")),
    );
    expect(collect(t, "", undefined).map(([k]) => k)).toEqual(byBytes);
  });
});

describe("BTree deletes", () => {
  it("skips deleted keys everywhere and revives a key set again", () => {
    // Node size 64: a leaf keeps deleted slots until its live keys drop below 32.
    const t = new BTree<number>();
    const keys = Array.from({ length: 200 }, (_, i) => `/registry/pods/default/p-${String(i).padStart(3, "0")}`);
    keys.forEach((k, i) => {
      t.set(k, i);
    });
    for (let i = 0; i < 200; i += 3) expect(t.delete(keys[i])).toBe(true);
    expect(t.delete(keys[0])).toBe(false);
    expect(t.get(keys[0])).toBeUndefined();
    expect(t.has(keys[3])).toBe(false);
    const live = keys.filter((_, i) => i % 3 !== 0);
    expect(t.size).toBe(live.length);
    expect(collect(t, "", undefined).map(([k]) => k)).toEqual(live);
    expect(t.countRange(keys[0], keys[30])).toBe(20);
    expect(collect(t, keys[0], undefined, 5).map(([k]) => k)).toEqual(live.slice(0, 5));
    expect(t.first()).toBe(keys[1]);
    expect(t.last()).toBe(keys[199]);
    expect(t.ceilingKey(keys[0])).toBe(keys[1]);
    t.checkInvariants();
    expect(t.set(keys[3], 33)).toBe(true);
    expect(t.set(keys[3], 34)).toBe(false);
    expect(t.get(keys[3])).toBe(34);
    expect(t.size).toBe(live.length + 1);
    t.checkInvariants();
  });
});

describe("BTree against a sorted-array model", () => {
  // Few distinct keys with long shared prefixes, so operations collide, nodes of size 4–6 split
  // and merge often, and slices tie (keys that differ only after the slice window).
  const key = fc
    .tuple(
      fc.constantFrom("", "/registry/pods/", "/registry/pods/default/nginx-7f8d9c6b5-", "/r/\u00ff", "/r/\u0300"),
      fc.nat({ max: 60 }),
      fc.constantFrom("", "\u0000", "\u00ff", "-x"),
    )
    .map(([prefix, n, suffix]) => `${prefix}${n}${suffix}`);
  const op = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("set" as const), key, value: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), key }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("get" as const), key }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("range" as const),
        start: key,
        end: fc.oneof(key, fc.constantFrom("", "\u0000", undefined)),
        limit: fc.nat({ max: 20 }),
      }),
    },
  );

  it("agrees on every operation and keeps its invariants", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 6 }), fc.array(op, { minLength: 50, maxLength: 600 }), (nodeSize, ops) => {
        const t = new BTree<number>({ nodeSize });
        const m = new Model();
        for (const o of ops) {
          switch (o.kind) {
            case "set":
              expect(t.set(o.key, o.value)).toBe(m.set(o.key, o.value));
              break;
            case "delete":
              expect(t.delete(o.key)).toBe(m.delete(o.key));
              break;
            case "get":
              expect(t.get(o.key)).toBe(m.get(o.key));
              expect(t.has(o.key)).toBe(m.get(o.key) !== undefined);
              break;
            case "range": {
              const expected = m.range(o.start, o.end, o.limit);
              expect(collect(t, o.start, o.end, o.limit)).toEqual(expected);
              expect(t.countRange(o.start, o.end)).toBe(m.range(o.start, o.end, 0).length);
              break;
            }
          }
          expect(t.size).toBe(m.pairs.length);
        }
        t.checkInvariants();
        expect(collect(t, "", undefined)).toEqual(m.pairs);
      }),
      { numRuns: 150 },
    );
  });
});

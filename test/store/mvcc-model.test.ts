// Property test: MvccStore against a deliberately naive model that keeps every change in a
// list and answers each question by replaying it (revisions, ranges at any revision, counts,
// limits, txn branches, compaction errors, and the event stream a watcher receives).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EtcdError } from "../../src/store/errors.js";
import { MvccStore } from "../../src/store/kv-store.js";
import type { WatchResponse } from "../../src/store/types.js";
import { WatchHub } from "../../src/store/watch/hub.js";

interface Change {
  rev: number;
  key: string;
  value: string;
  del: boolean;
}
interface KV {
  key: string;
  createRevision: number;
  modRevision: number;
  version: number;
  value: string;
  lease: number;
}

const bytes = (s: string) => Buffer.from(s, "utf8");
const byteCmp = (a: string, b: string) => Buffer.compare(bytes(a), bytes(b));

class NaiveStore {
  rev = 1;
  compactRev = -1;
  changes: Change[] = [];

  stateAt(rev: number): Map<string, KV> {
    const m = new Map<string, KV>();
    for (const c of this.changes) {
      if (c.rev > rev) break;
      const prev = m.get(c.key);
      if (c.del) m.delete(c.key);
      else
        m.set(c.key, {
          key: c.key,
          createRevision: prev === undefined ? c.rev : prev.createRevision,
          modRevision: c.rev,
          version: prev === undefined ? 1 : prev.version + 1,
          value: c.value,
          lease: 0,
        });
    }
    return m;
  }

  inRange(k: string, key: string, end: string | undefined): boolean {
    if (end === undefined) return k === key;
    if (end === "\u0000") return byteCmp(k, key) >= 0;
    return byteCmp(k, key) >= 0 && byteCmp(k, end) < 0;
  }

  range(key: string, end: string | undefined, rev: number, limit: number) {
    if (rev > this.rev) throw new Error("etcdserver: mvcc: required revision is a future revision");
    const at = rev <= 0 ? this.rev : rev;
    if (at < this.compactRev) throw new Error("etcdserver: mvcc: required revision has been compacted");
    const all = [...this.stateAt(at).values()]
      .filter((kv) => this.inRange(kv.key, key, end))
      .sort((a, b) => byteCmp(a.key, b.key));
    const kvs = limit > 0 ? all.slice(0, limit) : all;
    return { kvs, count: all.length, more: kvs.length < all.length, revision: this.rev };
  }

  write(ops: { key: string; end?: string; value?: string; del: boolean }[]): number {
    const next = this.rev + 1;
    let n = 0;
    for (const op of ops) {
      const live = this.stateAt(next); // includes this txn's earlier changes (same revision)
      if (op.del) {
        for (const k of [...live.keys()].filter((k) => this.inRange(k, op.key, op.end)).sort(byteCmp)) {
          this.changes.push({ rev: next, key: k, value: "", del: true });
          n++;
        }
      } else {
        this.changes.push({ rev: next, key: op.key, value: op.value ?? "", del: false });
        n++;
      }
    }
    if (n > 0) this.rev = next;
    return this.rev;
  }
}

const keyArb = fc.constantFrom("a", "ab", "b", "ba", "c", "\u00e9", "\uFF61", "\u{1F600}", "a\u0000");
const valueArb = fc.constantFrom("", "x", "yy", "zzz");
const opArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant("put" as const), key: keyArb, value: valueArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("del" as const), key: keyArb, end: fc.option(keyArb, { nil: undefined }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("txn" as const),
      cmpKey: keyArb,
      cmpMod: fc.nat({ max: 6 }),
      yes: fc.array(fc.record({ key: keyArb, value: valueArb }), { maxLength: 3 }),
      no: fc.array(fc.record({ key: keyArb, value: valueArb }), { maxLength: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("range" as const),
      key: keyArb,
      end: fc.option(fc.oneof(keyArb, fc.constant("\u0000")), { nil: undefined }),
      back: fc.nat({ max: 8 }),
      limit: fc.nat({ max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("compact" as const), back: fc.nat({ max: 5 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("watch" as const),
      back: fc.nat({ max: 6 }),
      key: keyArb,
      prefix: fc.boolean(),
    }),
  },
);

function errText(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof EtcdError || e instanceof Error) return e.message;
    throw e;
  }
}

describe("MvccStore matches a naive reference model", () => {
  it("over random operation sequences", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const s = new MvccStore();
        const hub = new WatchHub(s);
        const m = new NaiveStore();
        const watches: { got: string[]; start: number; key: string; end: string | undefined; dead: boolean }[] = [];
        for (const op of ops) {
          if (op.t === "put") {
            expect(s.put({ key: op.key, value: op.value }).header.revision).toBe(
              m.write([{ key: op.key, value: op.value, del: false }]),
            );
          } else if (op.t === "del") {
            // A range end at or below the key deletes nothing (an empty range, not an error).
            const r = s.deleteRange(op.end === undefined ? { key: op.key } : { key: op.key, rangeEnd: op.end });
            expect(r.header.revision).toBe(
              m.write([{ key: op.key, ...(op.end === undefined ? {} : { end: op.end }), del: true }]),
            );
          } else if (op.t === "txn") {
            const dup = (xs: { key: string }[]) => new Set(xs.map((x) => x.key)).size !== xs.length;
            if (dup(op.yes) || dup(op.no)) continue; // duplicate puts are rejected; covered elsewhere
            const live = m.stateAt(m.rev).get(op.cmpKey);
            const ok = (live?.modRevision ?? 0) === op.cmpMod;
            const r = s.txn({
              compare: [{ key: op.cmpKey, target: "MOD", result: "EQUAL", modRevision: op.cmpMod }],
              success: op.yes.map((p) => ({ requestPut: p })),
              failure: op.no.map((p) => ({ requestPut: p })),
            });
            expect(r.succeeded).toBe(ok);
            expect(r.header.revision).toBe(m.write((ok ? op.yes : op.no).map((p) => ({ ...p, del: false }))));
          } else if (op.t === "range") {
            const rev = op.back === 0 ? 0 : m.rev - op.back + 1;
            const req = {
              key: op.key,
              revision: rev,
              limit: op.limit,
              ...(op.end === undefined ? {} : { rangeEnd: op.end }),
            };
            const mine = errText(() => s.range(req));
            const theirs = errText(() => m.range(op.key, op.end, rev, op.limit));
            expect(mine).toBe(theirs);
            if (mine === undefined) {
              const a = s.range(req);
              const b = m.range(op.key, op.end, rev, op.limit);
              expect(a.kvs).toEqual(b.kvs);
              expect([a.count, a.more, a.header.revision]).toEqual([b.count, b.more, b.revision]);
            }
          } else if (op.t === "compact") {
            const rev = m.rev - op.back;
            const expected = rev <= m.compactRev ? "etcdserver: mvcc: required revision has been compacted" : undefined;
            expect(errText(() => s.compact({ revision: rev }))).toBe(expected);
            if (expected === undefined) m.compactRev = rev;
          } else {
            const start = Math.max(1, m.rev - op.back);
            const end = op.prefix ? `${op.key}\u00ff` : undefined;
            const w = { got: [] as string[], start, key: op.key, end, dead: false };
            watches.push(w);
            hub
              .openStream((resp: WatchResponse) => {
                if (resp.canceled) w.dead = true;
                for (const e of resp.events) w.got.push(`${e.type} ${e.kv.key} ${e.kv.modRevision} ${e.kv.value}`);
              })
              .watch({ key: op.key, startRevision: start, ...(end === undefined ? {} : { rangeEnd: end }) });
          }
        }
        // Every watcher saw exactly the changes in its range from its start revision (or was
        // canceled because its start was compacted away).
        for (const w of watches) {
          if (w.dead) {
            expect(w.start).toBeLessThan(m.compactRev);
            continue;
          }
          const want = m.changes
            .filter((c) => c.rev >= w.start && m.inRange(c.key, w.key, w.end))
            .map((c) => `${c.del ? "DELETE" : "PUT"} ${c.key} ${c.rev} ${c.value}`);
          expect(w.got).toEqual(want);
        }
      }),
      { numRuns: 400, seed: 20261123 },
    );
  });
});

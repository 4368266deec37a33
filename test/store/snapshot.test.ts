import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/store/clock.js";
import { ETCD_3_4_23, MvccStore } from "../../src/store/kv-store.js";
import { loadSnapshot, saveSnapshot } from "../../src/store/snapshot.js";
import type { WatchResponse } from "../../src/store/types.js";
import { WatchHub } from "../../src/store/watch/hub.js";

const dir = mkdtempSync(join(tmpdir(), "kubesim-snap-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("store snapshots", () => {
  it("round-trip: every read at every retained revision, leases and watch history", () => {
    const clock = new ManualClock();
    const s = new MvccStore({ clock, compat: ETCD_3_4_23 });
    const l = s.leaseGrant({ TTL: 100 });
    for (let i = 0; i < 40; i++)
      s.put({ key: `/registry/pods/ns/p${i % 7}`, value: `v${i}\u00e9`, ...(i % 5 === 0 ? { lease: l.ID } : {}) });
    s.deleteRange({ key: "/registry/pods/ns/p3" });
    s.compact({ revision: 20 });
    s.put({ key: "/other", value: "" });
    clock.advance(30_000_000);
    const path = join(dir, "s.ndjson");
    saveSnapshot(s, path, (v) => v);
    const r = loadSnapshot(path);
    expect(r.revision).toBe(s.revision);
    expect(r.compactRevision).toBe(20);
    for (let rev = 20; rev <= s.revision; rev++) {
      const q = { key: "\u0000", rangeEnd: "\u0000", revision: rev };
      expect(r.range(q).kvs).toEqual(s.range(q).kvs);
    }
    expect(r.leaseTimeToLive(l.ID, true).keys).toEqual(s.leaseTimeToLive(l.ID, true).keys);
    expect(r.leaseTimeToLive(l.ID).TTL).toBe(70);
    const events = (store: MvccStore) => {
      const got: string[] = [];
      new WatchHub(store)
        .openStream((resp: WatchResponse) => {
          for (const e of resp.events) got.push(`${e.type} ${e.kv.key}@${e.kv.modRevision}`);
        })
        .watch({ key: "\u0000", rangeEnd: "\u0000", startRevision: 20 });
      return got;
    };
    expect(events(r)).toEqual(events(s));
  });

  it("rejects files that are not snapshots", () => {
    const path = join(dir, "bad.ndjson");
    saveSnapshot(new MvccStore(), path, (v) => v);
    expect(() => loadSnapshot(join(dir, "s.ndjson"))).not.toThrow();
    rmSync(path);
    require("node:fs").writeFileSync(path, '{"format":"other"}\n');
    expect(() => loadSnapshot(path)).toThrow(/not a kubesim etcd snapshot/);
  });
});

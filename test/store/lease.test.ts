import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/store/clock.js";
import { MvccStore } from "../../src/store/kv-store.js";
import type { WatchResponse } from "../../src/store/types.js";
import { WatchHub } from "../../src/store/watch/hub.js";
import { etcdMessage } from "./helpers.js";

const msg = etcdMessage;

describe("leases", () => {
  it("raises TTLs to the minimum (ceil(1.5 x election timeout) = 2 s) and rejects huge TTLs and reused ids", () => {
    const s = new MvccStore();
    expect(s.leaseGrant({ TTL: 1 }).TTL).toBe(2);
    expect(new MvccStore({ electionTimeoutMs: 5000 }).leaseGrant({ TTL: 1 }).TTL).toBe(8);
    expect(msg(() => s.leaseGrant({ TTL: 9_000_000_001 }))).toBe("etcdserver: too large lease TTL");
    s.leaseGrant({ TTL: 10, ID: 77 });
    expect(msg(() => s.leaseGrant({ TTL: 10, ID: 77 }))).toBe("etcdserver: lease already exists");
    expect(s.revision).toBe(1);
  });

  it("revoke deletes every attached key, sorted, in one revision; no keys means no revision", () => {
    const s = new MvccStore();
    const events: WatchResponse[] = [];
    new WatchHub(s).openStream((r) => events.push(r)).watch({ key: "\u0000", rangeEnd: "\u0000" });
    const l = s.leaseGrant({ TTL: 60 });
    s.put({ key: "node-1", value: "x", lease: l.ID });
    s.put({ key: "ev-1", value: "x", lease: l.ID });
    s.leaseRevoke(l.ID);
    expect(s.revision).toBe(4);
    expect(s.range({ key: "\u0000", rangeEnd: "\u0000" }).count).toBe(0);
    const last = events[events.length - 1] as WatchResponse;
    expect(last.events.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([
      ["DELETE", "ev-1", 4],
      ["DELETE", "node-1", 4],
    ]);
    expect(msg(() => s.leaseRevoke(l.ID))).toBe("etcdserver: requested lease not found");
  });

  it("a put without the lease detaches the key from it", () => {
    const s = new MvccStore();
    const l = s.leaseGrant({ TTL: 60 });
    s.put({ key: "k", value: "1", lease: l.ID });
    s.put({ key: "k", value: "2" });
    expect(s.range({ key: "k" }).kvs[0]?.lease).toBe(0);
    s.leaseRevoke(l.ID);
    expect(s.range({ key: "k" }).count).toBe(1);
  });

  it("keep-alive resets the remaining time; time-to-live reports whole seconds, -1 when unknown", () => {
    const clock = new ManualClock();
    const s = new MvccStore({ clock });
    const l = s.leaseGrant({ TTL: 600 });
    s.put({ key: "a", value: "x", lease: l.ID });
    clock.advance(1_500_000);
    expect(s.leaseTimeToLive(l.ID, true)).toMatchObject({ TTL: 598, grantedTTL: 600, keys: ["a"] });
    expect(s.leaseKeepAlive(l.ID).TTL).toBe(600);
    expect(s.leaseTimeToLive(l.ID).TTL).toBe(600);
    expect(s.leaseTimeToLive(999)).toMatchObject({ TTL: -1 });
    expect(msg(() => s.leaseKeepAlive(999))).toBe("etcdserver: requested lease not found");
    expect(s.leaseLeases().leases).toEqual([{ ID: l.ID }]);
  });

  it("expires on the virtual clock: expired leases are revoked, soonest first, up to a limit", () => {
    const clock = new ManualClock();
    const s = new MvccStore({ clock });
    const short = s.leaseGrant({ TTL: 2 });
    const long = s.leaseGrant({ TTL: 30 });
    s.put({ key: "short", value: "x", lease: short.ID });
    s.put({ key: "long", value: "x", lease: long.ID });
    clock.advance(1_999_999);
    expect(s.revokeExpiredLeases()).toEqual([]);
    clock.advance(3_000_000);
    expect(s.revokeExpiredLeases()).toEqual([short.ID]);
    expect(s.range({ key: "short" }).count).toBe(0);
    expect(s.range({ key: "long" }).count).toBe(1);
    expect(s.revision).toBe(4);
  });

  it("assigns deterministic ids", () => {
    const a = new MvccStore().leaseGrant({ TTL: 5 }).ID;
    const b = new MvccStore().leaseGrant({ TTL: 5 }).ID;
    expect(a).toBe(b);
    expect(Number.isSafeInteger(a)).toBe(true);
  });
});

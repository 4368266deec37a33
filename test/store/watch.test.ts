import { describe, expect, it } from "vitest";
import { ETCD_3_4_23, MvccStore } from "../../src/store/kv-store.js";
import type { WatchCreateRequest, WatchResponse } from "../../src/store/types.js";
import { WatchHub } from "../../src/store/watch/hub.js";
import type { StreamOptions } from "../../src/store/watch/stream.js";

function setup(
  opts: { hub?: ConstructorParameters<typeof WatchHub>[1]; stream?: StreamOptions; store?: MvccStore } = {},
) {
  const store = opts.store ?? new MvccStore();
  const hub = new WatchHub(store, opts.hub);
  const got: WatchResponse[] = [];
  const stream = hub.openStream((r) => got.push(r), opts.stream);
  return { store, hub, stream, got };
}
const ALL: WatchCreateRequest = { key: "\u0000", rangeEnd: "\u0000" };
const flat = (rs: WatchResponse[]) =>
  rs.flatMap((r) => r.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`));
const eventResponses = (rs: WatchResponse[]) => rs.filter((r) => r.events.length > 0);

describe("watch creation", () => {
  it("answers created first, with the current revision, and assigns ids from 0", () => {
    const { store, stream, got } = setup();
    store.put({ key: "a", value: "1" });
    expect(stream.watch({ key: "a" })).toBe(0);
    expect(stream.watch({ key: "b" })).toBe(1);
    expect(got[0]).toMatchObject({ watchId: 0, created: true, header: { revision: 2 }, events: [] });
    expect(stream.watch({ key: "c", watchId: 1 })).toBe(-1);
    expect(got[2]).toMatchObject({ created: true, canceled: true, cancelReason: "mvcc: duplicate watch ID provided" });
  });

  it("refuses an empty range", () => {
    const { stream, got } = setup();
    expect(stream.watch({ key: "b", rangeEnd: "a" })).toBe(-1);
    expect(got[0]).toMatchObject({ created: true, canceled: true, cancelReason: "mvcc: watcher range is empty" });
  });
});

describe("caught-up watchers", () => {
  it("get one response per revision holding all of that revision's matching events", () => {
    const { store, stream, got } = setup();
    stream.watch(ALL);
    store.put({ key: "a", value: "1" });
    store.put({ key: "b", value: "1" });
    store.txn({ success: [{ requestPut: { key: "c", value: "1" } }, { requestPut: { key: "d", value: "1" } }] });
    store.deleteRange({ key: "a", rangeEnd: "d" });
    const rs = eventResponses(got);
    expect(rs.map((r) => r.header.revision)).toEqual([2, 3, 4, 5]);
    expect(rs.map((r) => r.events.length)).toEqual([1, 1, 2, 3]);
    expect(flat(rs).slice(-3)).toEqual(["DELETE a@5", "DELETE b@5", "DELETE c@5"]);
    // A DELETE event's kv holds only the key and the deletion revision.
    expect(rs[3]?.events[0]?.kv).toEqual({
      key: "a",
      createRevision: 0,
      modRevision: 5,
      version: 0,
      value: "",
      lease: 0,
    });
  });

  it("see only their key or range", () => {
    const { store, stream, got } = setup();
    stream.watch({ key: "/pods/", rangeEnd: "/pods0" });
    stream.watch({ key: "/nodes/n1" });
    for (const k of ["/pods/a", "/nodes/n1", "/nodes/n2", "/podsx", "/pods/b"]) store.put({ key: k, value: "v" });
    expect(eventResponses(got).map((r) => [r.watchId, r.events[0]?.kv.key])).toEqual([
      [0, "/pods/a"],
      [1, "/nodes/n1"],
      [0, "/pods/b"],
    ]);
  });

  it("a watcher starting in the future waits for its revision", () => {
    const { store, stream, got } = setup();
    stream.watch({ ...ALL, startRevision: 4 });
    for (const k of ["a", "b", "c", "d"]) store.put({ key: k, value: "v" });
    expect(flat(got)).toEqual(["PUT c@4", "PUT d@5"]);
  });
});

describe("catching-up watchers", () => {
  it("replay history from the start revision (inclusive) in one batch, header at the current revision", () => {
    const { store, stream, got } = setup();
    for (let i = 0; i < 32; i++) store.put({ key: `k${i % 4}`, value: `${i}` });
    stream.watch({ ...ALL, startRevision: 2 });
    const rs = eventResponses(got);
    expect(rs).toHaveLength(1);
    expect(rs[0]?.events).toHaveLength(32);
    expect(rs[0]?.header.revision).toBe(33);
    store.put({ key: "next", value: "v" });
    expect(eventResponses(got).at(-1)?.header.revision).toBe(34);
  });

  it("receive at most 1,000 revisions per response and never split a revision", () => {
    const { store, stream, got } = setup();
    for (let i = 0; i < 1200; i++) {
      store.txn({
        success: [{ requestPut: { key: `a${i}`, value: "v" } }, { requestPut: { key: `b${i}`, value: "v" } }],
      });
    }
    stream.watch({ ...ALL, startRevision: 2 });
    const rs = eventResponses(got);
    expect(rs.map((r) => r.events.length)).toEqual([2000, 400]);
    expect(rs[0]?.events.at(-1)?.kv.modRevision).toBe(1001);
    expect(rs[1]?.events[0]?.kv.modRevision).toBe(1002);
  });

  it("are canceled with the compact revision if they start below it", () => {
    const { store, stream, got } = setup();
    for (let i = 0; i < 12; i++) store.put({ key: "k", value: `${i}` });
    store.compact({ revision: 10 });
    stream.watch({ key: "k", startRevision: 5 });
    expect(
      got.map((r) => ({ created: r.created, canceled: r.canceled, cr: r.compactRevision, rev: r.header.revision })),
    ).toEqual([
      { created: true, canceled: undefined, cr: undefined, rev: 13 },
      { created: undefined, canceled: true, cr: 10, rev: 0 },
    ]);
  });

  it("in manual mode, catch up only when the driver runs a sync round, at most 512 watchers each", () => {
    const { store, hub, got } = setup({ hub: { sync: "manual" } });
    store.put({ key: "k", value: "v" });
    const s = hub.openStream((r) => got.push(r));
    for (let i = 0; i < 600; i++) s.watch({ key: "k", startRevision: 1 });
    expect(eventResponses(got)).toHaveLength(0);
    expect(hub.counts().unsynced).toBe(600);
    hub.syncRound();
    expect(eventResponses(got)).toHaveLength(512);
    hub.syncRound();
    expect(eventResponses(got)).toHaveLength(600);
    expect(hub.counts()).toEqual({ synced: 600, unsynced: 0, victims: 0 });
  });
});

describe("event options", () => {
  it("prevKv is filled from revision - 1, never for creations", () => {
    const { store, stream, got } = setup();
    stream.watch({ key: "k", prevKv: true });
    store.put({ key: "k", value: "1" });
    store.put({ key: "k", value: "2" });
    store.deleteRange({ key: "k" });
    const evs = eventResponses(got).map((r) => r.events[0]);
    expect(evs[0]?.prevKv).toBeUndefined();
    expect(evs[1]?.prevKv).toMatchObject({ value: "1", modRevision: 2 });
    expect(evs[2]?.prevKv).toMatchObject({ value: "2", modRevision: 3 });
  });

  it("filters drop events; a response whose events were all filtered is not sent", () => {
    const { store, stream, got } = setup();
    stream.watch({ ...ALL, filters: ["NOPUT"] });
    store.put({ key: "a", value: "1" });
    store.deleteRange({ key: "a" });
    expect(flat(got)).toEqual(["DELETE a@3"]);
    expect(got).toHaveLength(2); // created + one event response
  });

  it("progress notifications go to quiet synced watchers that asked for them", () => {
    const { store, hub, stream, got } = setup();
    stream.watch({ key: "a", progressNotify: true });
    stream.watch({ key: "b" });
    store.put({ key: "a", value: "1" });
    hub.progressTick(); // 'a' just got an event: no progress
    hub.progressTick();
    const progress = got.filter((r) => !r.created && r.events.length === 0);
    expect(progress).toEqual([{ header: expect.objectContaining({ revision: 2 }), watchId: 0, events: [] }]);
  });

  it("manual progress requests: answered at once in 3.4.23; only when synced in current etcd", () => {
    const old = setup({ store: new MvccStore({ compat: ETCD_3_4_23 }), hub: { sync: "manual" } });
    old.store.put({ key: "a", value: "1" });
    old.stream.watch({ key: "a", startRevision: 1 });
    old.stream.requestProgress();
    expect(old.got.at(-1)).toMatchObject({ watchId: -1, events: [] });

    const cur = setup({ hub: { sync: "manual" } });
    cur.store.put({ key: "a", value: "1" });
    cur.stream.watch({ key: "a", startRevision: 1 });
    cur.stream.requestProgress();
    expect(cur.got.some((r) => r.watchId === -1)).toBe(false);
    cur.hub.syncRound();
    cur.hub.pump();
    expect(cur.got.at(-1)).toMatchObject({ watchId: -1, header: { revision: 2 } });
  });

  it("cancel answers canceled and stops events", () => {
    const { store, stream, got } = setup();
    const id = stream.watch({ key: "a" });
    expect(stream.cancel(id)).toBe(true);
    store.put({ key: "a", value: "1" });
    expect(got.at(-1)).toMatchObject({ watchId: id, canceled: true });
    expect(flat(got)).toEqual([]);
  });
});

describe("slow consumers", () => {
  it("become victims without blocking writers, then receive everything in order once they catch up", () => {
    const store = new MvccStore();
    const hub = new WatchHub(store);
    const got: WatchResponse[] = [];
    const stream = hub.openStream((r) => got.push(r), { capacity: 3, autoAck: false });
    stream.watch(ALL);
    stream.ack(); // the created response
    for (let i = 0; i < 50; i++) store.put({ key: `k${i % 7}`, value: `${i}` });
    expect(store.revision).toBe(51);
    expect(eventResponses(got)).toHaveLength(3);
    expect(hub.counts().victims).toBe(1);
    // Drain: the consumer acknowledges what it processed, the hub retries.
    let guard = 0;
    while (stream.outstanding > 0 && guard++ < 1000) stream.ack();
    const revs = flat(got).map((s) => Number(s.split("@")[1]));
    expect(revs).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(hub.counts()).toEqual({ synced: 1, unsynced: 0, victims: 0 });
    expect(hub.stats.victimized).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from "vitest";
import { Constant } from "../../src/engine/distributions.js";
import { Simulation } from "../../src/engine/simulation.js";
import { EtcdCluster, type EtcdClusterOptions } from "../../src/store/cluster/etcd-cluster.js";
import { EtcdError } from "../../src/store/errors.js";
import type { WatchResponse } from "../../src/store/types.js";

// Constant latencies make every timing exact: one-way = rtt / 2.
const FIXED = {
  walFsync: new Constant(1000),
  peerRtt: new Constant(400),
  clientRtt: new Constant(200),
  localRtt: new Constant(100),
  apply: new Constant(20),
  applyPerChangeUs: 4,
  rangeBase: new Constant(10),
  rangePerKeyUs: 1,
  rangePerKiBUs: 0,
};

function cluster(opts: EtcdClusterOptions<string> = {}) {
  const sim = new Simulation({ seed: 7 });
  const etcd = new EtcdCluster(sim, "etcd", { latency: FIXED, ...opts });
  return { sim, etcd };
}

/** Issues a put at `at` and records when and how it finished. */
function putAt(sim: Simulation, etcd: EtcdCluster, at: number, key: string, client = 0) {
  const out: { done?: number; error?: string; rev?: number } = {};
  sim.at(at, () =>
    etcd.put({ key, value: "v" }, client, (r) => {
      out.done = sim.now;
      if (r instanceof EtcdError) out.error = r.message;
      else out.rev = r.header.revision;
    }),
  );
  return out;
}

describe("write latency", () => {
  it("3 members: commit after leader fsync and the fastest follower's round trip plus fsync", () => {
    const { sim, etcd } = cluster();
    const w = putAt(sim, etcd, 0, "a");
    sim.runUntil(100_000);
    // 50 to the local member; follower: 50 + 200 + 1000 fsync + 200 ack = 1450 (leader fsync
    // done at 1050); apply 20 + 4 per change; 50 back over loopback.
    expect(w).toEqual({ done: 1450 + 24 + 50, rev: 2 });
  });

  it("1 member: just the local fsync and apply", () => {
    const { sim, etcd } = cluster({ members: 1 });
    const w = putAt(sim, etcd, 0, "a");
    sim.runUntil(100_000);
    expect(w.done).toBe(50 + 1000 + 24 + 50);
  });

  it("a write received by a follower is forwarded to the leader and answered after the follower applies", () => {
    const { sim, etcd } = cluster({ topology: "stacked" });
    const w = putAt(sim, etcd, 0, "a", 1); // client 1 talks to member 1, a follower
    sim.runUntil(100_000);
    // 50 to member 1, 200 forward, then as above from the leader (1450 - 50 = 1400 later),
    // leader applies (24), the commit reaches member 1 (200), it applies (24), 50 back.
    expect(w.done).toBe(50 + 200 + 1400 + 200 + 24 + 50);
  });

  it("group-commits fsyncs under load and serialises applies", () => {
    const { sim, etcd } = cluster();
    const ws = Array.from({ length: 2000 }, (_, i) => putAt(sim, etcd, 0, `k${i}`));
    sim.runUntil(10_000_000);
    expect(ws.every((w) => w.rev !== undefined)).toBe(true);
    expect(new Set(ws.map((w) => w.rev)).size).toBe(2000);
    const disk = etcd.diskStats(0);
    expect(disk.entries / disk.syncs).toBeGreaterThan(100);
    // 2000 serial applies of 24 µs bound the last completion.
    const last = Math.max(...ws.map((w) => w.done as number));
    expect(last).toBeGreaterThanOrEqual(1450 + 2000 * 24);
    expect(last).toBeLessThan(1450 + 2000 * 24 + 5000);
  });
});

describe("reads", () => {
  it("serializable reads are local; linearizable reads add a ReadIndex round", () => {
    const { sim, etcd } = cluster();
    putAt(sim, etcd, 0, "a");
    const done: Record<string, number> = {};
    sim.at(10_000, () => etcd.range({ key: "a", serializable: true }, 0, () => (done.ser = sim.now - 10_000)));
    sim.at(20_000, () => etcd.range({ key: "a" }, 0, () => (done.lin = sim.now - 20_000)));
    sim.runUntil(100_000);
    expect(done.ser).toBe(50 + 10 + 1 + 50);
    expect(done.lin).toBe(50 + 400 + 10 + 1 + 50);
  });
});

describe("faults", () => {
  it("losing the leader triggers an election; writes wait, then commit under a new term", () => {
    const { sim, etcd } = cluster({ topology: "external" });
    sim.at(1000, () => etcd.stopMember(0));
    const w = putAt(sim, etcd, 2000, "during", 1);
    sim.runUntil(10_000_000);
    expect(etcd.leader).toBeGreaterThan(0);
    expect(etcd.raftTerm).toBe(2);
    expect(w.rev).toBe(2);
    // Randomised election timeout in [1 s, 2 s) after the loss, then the vote round.
    expect(w.done as number).toBeGreaterThan(1000 + 1_000_000);
    expect(w.done as number).toBeLessThan(1000 + 2_000_000 + 20_000);
  });

  it("losing quorum blocks writes until it returns; waiting writes time out after 7 s", () => {
    const { sim, etcd } = cluster({ topology: "external" });
    sim.at(1000, () => {
      etcd.stopMember(1);
      etcd.stopMember(2);
    });
    const early = putAt(sim, etcd, 2000, "early");
    const late = putAt(sim, etcd, 9_000_000, "late");
    sim.at(12_000_000, () => etcd.startMember(1));
    sim.runUntil(30_000_000);
    expect(early.error).toBe("etcdserver: request timed out");
    // Timed out 7 s (5 s + 2 x election timeout) after it reached its member.
    expect(early.done).toBe(2000 + 100 + 7_000_000);
    // As in etcd, a timed-out proposal stays in the log and commits once a quorum is back:
    // the client saw an error for a write that happened (revision 2).
    expect(etcd.store.range({ key: "early" }).kvs[0]?.modRevision).toBe(2);
    expect(late.rev).toBe(3);
    expect(late.done as number).toBeGreaterThan(12_000_000);
  });

  it("a stacked client whose member stops gets errors; an external client fails over", () => {
    const stacked = cluster({ topology: "stacked" });
    stacked.sim.at(0, () => stacked.etcd.stopMember(1));
    const s = putAt(stacked.sim, stacked.etcd, 10, "x", 1);
    stacked.sim.runUntil(1_000_000);
    expect(s.error).toBe("etcdserver: connection to member lost");
    const external = cluster({ topology: "external" });
    external.sim.at(0, () => external.etcd.stopMember(1));
    const e = putAt(external.sim, external.etcd, 10, "x", 1);
    external.sim.runUntil(1_000_000);
    expect(e.rev).toBe(2);
  });
});

describe("leases and watches on the virtual clock", () => {
  it("the leader expires leases within a check interval and revokes them through raft", () => {
    const { sim, etcd } = cluster();
    let lease = 0;
    sim.at(0, () =>
      etcd.leaseGrant({ TTL: 2 }, 0, (r) => {
        if (r instanceof EtcdError) throw r;
        lease = r.ID;
        etcd.put({ key: "hb", value: "x", lease }, 0, () => {});
      }),
    );
    sim.runUntil(2_000_000);
    expect(etcd.store.range({ key: "hb" }).count).toBe(1);
    sim.runUntil(2_600_000);
    expect(etcd.store.range({ key: "hb" }).count).toBe(0);
    expect(etcd.store.revision).toBe(3);
  });

  it("delivers watch events after the network delay and reports broken streams", () => {
    const { sim, etcd } = cluster({ topology: "external" });
    const got: [number, WatchResponse][] = [];
    let broken = false;
    const stream = etcd.openWatchStream(
      0,
      (r) => got.push([sim.now, r]),
      () => (broken = true),
    );
    stream?.watch({ key: "a" });
    putAt(sim, etcd, 1000, "a");
    sim.runUntil(100_000);
    const ev = got.find(([, r]) => r.events.length > 0);
    // Committed and applied on the leader at 1000 + 100 + 1400 + 24; 100 more to the client.
    expect(ev?.[0]).toBe(1000 + 100 + 1400 + 24 + 100);
    sim.at(200_000, () => etcd.stopMember(0));
    sim.runUntil(300_000);
    expect(broken).toBe(true);
  });
});

describe("determinism", () => {
  it("the same seed gives the same latencies with random distributions", () => {
    const run = () => {
      const sim = new Simulation({ seed: 3 });
      const etcd = new EtcdCluster(sim, "etcd");
      const ws = Array.from({ length: 200 }, (_, i) => putAt(sim, etcd, i * 500, `k${i}`));
      sim.runUntil(5_000_000);
      return ws.map((w) => w.done);
    };
    const a = run();
    expect(a.every((d) => typeof d === "number")).toBe(true);
    expect(run()).toEqual(a);
  });
});

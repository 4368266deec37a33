import { Actor } from "../engine/actor.js";
import { Exponential } from "../engine/distributions.js";
import type { Simulation } from "../engine/simulation.js";
import { PeriodicTimer } from "../engine/timer.js";
import type { CsvWriter } from "../metrics/csv-writer.js";
import { Histogram } from "../metrics/histogram.js";
import type { EtcdDemoSpec } from "../scenario/scenario.js";
import { prefixEnd } from "../store/bytes.js";
import { EtcdCluster } from "../store/cluster/etcd-cluster.js";
import { EtcdError } from "../store/errors.js";
import type { TxnResponse, WatchResponse } from "../store/types.js";

export const REQUEST_COLUMNS = ["time_us", "client", "op", "key", "latency_us", "revision", "error"] as const;
export const WATCH_COLUMNS = ["time_us", "client", "revision", "events", "lag_us"] as const;

/** Output sinks of the etcd demo. */
export interface EtcdDemoSinks {
  requests: CsvWriter;
  watch: CsvWriter;
}

// Keys as kube-apiserver lays them out (etcd.md §12).
const leaseKey = (i: number) => `/registry/leases/kube-node-lease/node-${i}`;
const podKey = (i: number) => `/registry/pods/default/pod-${i}`;

/**
 * Kubernetes-shaped load on an etcd cluster: every node renews its Lease object each 10 s with
 * kube-apiserver's optimistic-concurrency txn, pods are created at a rate with the create txn,
 * each apiserver keeps one watch per resource prefix (its watch cache), kube-apiserver's
 * compactor compacts every interval to the revision it saw the interval before, and members
 * are stopped and started on schedule.
 */
export class EtcdLoad extends Actor {
  readonly etcd: EtcdCluster<string>;
  private readonly spec: EtcdDemoSpec;
  private readonly sinks: EtcdDemoSinks;
  private readonly latency = new Map<string, Histogram>();
  private readonly watchLag = new Histogram();
  private readonly errors = new Map<string, number>();
  private readonly commitTime = new Map<number, number>();
  private readonly leaseRev: Float64Array;
  private readonly podValue: string;
  private readonly leaseValue: string;
  private readonly podGap: Exponential;
  private readonly podArrivals = this.rng("pod-arrivals");
  private podsCreated = 0;
  private lastCompactSeen = 0;
  private stopAt = 0;
  private readonly timers: PeriodicTimer[] = [];

  constructor(sim: Simulation, spec: EtcdDemoSpec, sinks: EtcdDemoSinks) {
    super(sim, "etcd-demo");
    this.spec = spec;
    this.sinks = sinks;
    this.etcd = new EtcdCluster<string>(sim, "etcd", spec.cluster);
    this.leaseRev = new Float64Array(spec.nodes);
    this.podValue = objectText("Pod", spec.podBytes);
    this.leaseValue = objectText("Lease", 300);
    this.podGap = new Exponential(1_000_000 / spec.pods.createRate);
    this.etcd.store.listen({
      committed: (rev) => {
        this.commitTime.set(rev, this.sim.now);
      },
      compacted: () => {},
    });
  }

  /** Starts the load; new requests stop at `until` (µs). */
  start(until: number): void {
    this.stopAt = until;
    for (let c = 0; c < this.spec.apiservers; c++) this.openWatches(c);
    const jitter = this.rng("lease-phase");
    for (let i = 0; i < this.spec.nodes; i++) {
      // Each node's kubelet starts at a random phase and renews every 10 s (leaseDuration 40 s x 0.25).
      this.sim.at(Math.floor(jitter.next() * 10_000_000), () => this.renewLease(i));
    }
    if (this.spec.pods.count > 0) this.after(0, this.createPod, undefined);
    this.timers.push(
      new PeriodicTimer(this.sim, { period: this.spec.compactionInterval, immediate: false }, () =>
        this.compact(),
      ).start(),
    );
    for (const f of this.spec.faults) {
      this.sim.at(f.at, () => (f.action === "stop" ? this.etcd.stopMember(f.member) : this.etcd.startMember(f.member)));
    }
  }

  /** Stops the periodic work (call when the run ends). */
  stop(): void {
    for (const t of this.timers) t.stop();
  }

  private openWatches(client: number): void {
    for (const prefix of ["/registry/pods/", "/registry/leases/"]) this.openWatch(client, prefix, 0);
  }

  /**
   * One watch on `prefix` from `fromRev` (0 = now). A broken stream re-establishes only its own
   * watch, one second later, from the revision after the last one it saw, as the apiserver's
   * reflector resumes from its last resourceVersion; a start below the compaction point makes
   * etcd cancel the watch, and the reflector then starts again from the present (a relist).
   */
  private openWatch(client: number, prefix: string, fromRev: number): void {
    let last = fromRev > 0 ? fromRev - 1 : 0;
    let ended = false;
    const retry = (from: number) => {
      if (ended) return; // each stream is replaced at most once
      ended = true;
      if (this.sim.now < this.stopAt) this.after(1_000_000, () => this.openWatch(client, prefix, from), undefined);
    };
    const stream = this.etcd.openWatchStream(
      client,
      (r) => {
        if (r.canceled === true) {
          stream.close();
          retry(0);
          return;
        }
        const lastEvent = r.events[r.events.length - 1];
        if (lastEvent !== undefined) last = lastEvent.kv.modRevision;
        this.onWatch(client, r);
      },
      () => retry(last > 0 ? last + 1 : 0),
    );
    stream.watch({
      key: prefix,
      rangeEnd: prefixEnd(prefix),
      prevKv: true,
      ...(fromRev > 0 ? { startRevision: fromRev } : {}),
    });
  }

  private onWatch(client: number, r: WatchResponse): void {
    if (r.events.length === 0) return;
    const rev = r.header.revision;
    const committed = this.commitTime.get(rev);
    const lag = committed === undefined ? 0 : this.sim.now - committed;
    this.watchLag.record(lag);
    this.sinks.watch.write([this.sim.now, client, rev, r.events.length, lag]);
  }

  private readonly createPod = (): void => {
    if (this.sim.now >= this.stopAt || this.podsCreated >= this.spec.pods.count) return;
    const i = this.podsCreated++;
    const key = podKey(i);
    const client = i % this.spec.apiservers;
    const t0 = this.sim.now;
    this.etcd.txn(
      {
        compare: [{ key, target: "MOD", result: "EQUAL", modRevision: 0 }],
        success: [{ requestPut: { key, value: this.podValue } }],
      },
      client,
      (r) => this.done("create", client, key, t0, r),
    );
    this.after(this.podGap.sampleInt(this.podArrivals), this.createPod, undefined);
  };

  private renewLease(i: number): void {
    if (this.sim.now >= this.stopAt) return;
    const key = leaseKey(i);
    const client = i % this.spec.apiservers;
    const expected = this.leaseRev[i] as number;
    const t0 = this.sim.now;
    // GuaranteedUpdate: put if the object is unchanged since we read it, else read it back.
    this.etcd.txn(
      {
        compare: [{ key, target: "MOD", result: "EQUAL", modRevision: expected }],
        success: [{ requestPut: { key, value: this.leaseValue } }],
        failure: [{ requestRange: { key } }],
      },
      client,
      (r) => {
        if (!(r instanceof EtcdError)) {
          if (r.succeeded) this.leaseRev[i] = r.header.revision;
          else this.leaseRev[i] = r.responses[0]?.responseRange?.kvs[0]?.modRevision ?? 0;
        }
        this.done(expected === 0 ? "create-lease" : "renew-lease", client, key, t0, r);
        this.sim.after(10_000_000, () => this.renewLease(i));
      },
    );
  }

  // kube-apiserver's compactor: compact to the revision seen one interval ago (etcd.md §12).
  private compact(): undefined {
    const target = this.lastCompactSeen;
    this.lastCompactSeen = this.etcd.store.revision;
    if (target <= Math.max(0, this.etcd.store.compactRevision)) return undefined;
    const t0 = this.sim.now;
    this.etcd.compact({ revision: target }, 0, (r) => this.done("compact", 0, "", t0, r));
    return undefined;
  }

  private done(
    op: string,
    client: number,
    key: string,
    t0: number,
    r: TxnResponse | EtcdError | { header: { revision: number } },
  ): void {
    const latency = this.sim.now - t0;
    let h = this.latency.get(op);
    if (h === undefined) {
      h = new Histogram();
      this.latency.set(op, h);
    }
    h.record(latency);
    if (r instanceof EtcdError) {
      this.errors.set(r.message, (this.errors.get(r.message) ?? 0) + 1);
      this.sinks.requests.write([t0, client, op, key, latency, null, r.message]);
    } else {
      this.sinks.requests.write([t0, client, op, key, latency, r.header.revision, null]);
    }
  }

  /** Latency per operation, watch lag, errors and the cluster's counters. */
  summary(): object {
    const ops: Record<string, object> = {};
    for (const op of [...this.latency.keys()].sort()) ops[op] = (this.latency.get(op) as Histogram).summary();
    const disks = Array.from({ length: this.etcd.size }, (_, i) => this.etcd.diskStats(i));
    return {
      latency_us: ops,
      watchLag_us: this.watchLag.summary(),
      errors: Object.fromEntries([...this.errors.entries()].sort()),
      podsCreated: this.podsCreated,
      etcd: {
        ...this.etcd.stats,
        members: this.etcd.size,
        topology: this.etcd.topology,
        leader: this.etcd.leader,
        raftTerm: this.etcd.raftTerm,
        revision: this.etcd.store.revision,
        compactRevision: this.etcd.store.compactRevision,
        keys: this.etcd.store.keyCount,
        entriesPerFsync: disks.map((d) => (d.syncs === 0 ? 0 : Math.round((d.entries / d.syncs) * 100) / 100)),
      },
    };
  }
}

/** A value of roughly `bytes` bytes standing in for a serialized object. */
function objectText(kind: string, bytes: number): string {
  const head = `{"kind":"${kind}","apiVersion":"v1","spec":"`;
  return `${head}${"x".repeat(Math.max(0, bytes - head.length - 2))}"}`;
}

import { type Distribution, LogNormal } from "../../engine/distributions.js";

/**
 * Every latency of the etcd cluster model, in µs. Defaults come from etcd.md §13 and
 * k8s-timing.md §1.11 / §3.5; override any of them per scenario.
 */
export interface EtcdLatency {
  /** WAL fdatasync. "fdatasync is under 1 ms on SSD"; health guidance wal_fsync p99 < 10 ms. */
  walFsync: Distribution;
  /** Member-to-member round trip. "RTT is up to several hundred µs within a datacenter". */
  peerRtt: Distribution;
  /** Client (kube-apiserver) to member round trip when etcd runs on other hosts. */
  clientRtt: Distribution;
  /** Client to member round trip over loopback (stacked topology, local member). */
  localRtt: Distribution;
  /** Applying one raft entry to the MVCC store. "The boltdb-backed MVCC step usually takes tens of microseconds". */
  apply: Distribution;
  /** Extra apply cost per key changed by the entry. */
  applyPerChangeUs: number;
  /** Fixed cost of serving a range on a member. */
  rangeBase: Distribution;
  /** Cost per key walked by a range (etcd counts the whole range even with a limit). */
  rangePerKeyUs: number;
  /** Cost per kilobyte of values returned (copy and marshal). */
  rangePerKiBUs: number;
}

/**
 * Defaults calibrated so that one client's sequential writes to a 3-member cluster take about
 * RTT + fdatasync (~1.2 ms) and serializable reads ~0.3 ms, close to etcd's published 1.6 ms /
 * 0.3 ms for a single client (etcd.md §13, op-guide/performance), and the serial apply (~25 µs)
 * bounds write throughput near the published ~40–50 k writes/s.
 */
export function defaultEtcdLatency(): EtcdLatency {
  return {
    walFsync: new LogNormal(700, 3_000),
    peerRtt: new LogNormal(250, 1_000),
    clientRtt: new LogNormal(250, 1_000),
    localRtt: new LogNormal(40, 150),
    apply: new LogNormal(20, 80),
    applyPerChangeUs: 4,
    rangeBase: new LogNormal(15, 60),
    rangePerKeyUs: 0.3,
    rangePerKiBUs: 0.5,
  };
}

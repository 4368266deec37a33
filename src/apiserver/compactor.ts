import type { KubeObject } from "../api/types/index.js";
import type { Simulation } from "../engine/simulation.js";
import { PeriodicTimer } from "../engine/timer.js";
import type { EtcdCluster } from "../store/cluster/etcd-cluster.js";
import { EtcdError } from "../store/errors.js";

/** The key kube-apiserver's compactors coordinate on (outside /registry). */
export const COMPACT_REV_KEY = "compact_rev_key";

/**
 * kube-apiserver's etcd compactor (storage/etcd3/compact.go). Every interval each replica
 * sends txn If(version(compact_rev_key) == t) Then(Put compact_rev_key) Else(Get): exactly one
 * replica's txn succeeds per interval, and that replica compacts to the revision it saw at the
 * previous interval, so 5–10 min of history stay available. No leader election is needed.
 */
export class Compactor {
  private t = 0;
  private rev = 0;
  private readonly timer: PeriodicTimer;
  /** Compactions this replica performed. */
  compactions = 0;

  constructor(sim: Simulation, etcd: EtcdCluster<KubeObject>, client: number, intervalUs: number) {
    this.timer = new PeriodicTimer(sim, { period: intervalUs, immediate: false }, () => {
      const t = this.t;
      const rev = this.rev;
      const value = { apiVersion: "", kind: "", metadata: {}, rev: String(rev) } as unknown as KubeObject;
      etcd.txn(
        {
          compare: [{ key: COMPACT_REV_KEY, target: "VERSION", result: "EQUAL", version: t }],
          success: [{ requestPut: { key: COMPACT_REV_KEY, value } }],
          failure: [{ requestRange: { key: COMPACT_REV_KEY } }],
        },
        client,
        (r) => {
          if (r instanceof EtcdError) return;
          const curRev = r.header.revision;
          if (!r.succeeded) {
            // Another replica won this interval: adopt its view of the counter.
            this.t = r.responses[0]?.responseRange?.kvs[0]?.version ?? t;
            this.rev = curRev;
            return;
          }
          this.t = t + 1;
          this.rev = curRev;
          // Not on bootstrap: the first win only records the revision.
          if (rev === 0) return;
          etcd.compact({ revision: rev }, client, (c) => {
            if (!(c instanceof EtcdError)) this.compactions++;
          });
        },
      );
      return undefined;
    });
  }

  start(): void {
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }
}

import type { KubeObject } from "../api/types/index.js";
import { type Distribution, LogNormal } from "../engine/distributions.js";
import type { Simulation } from "../engine/simulation.js";
import { ApiMetrics } from "../metrics/api-metrics.js";
import { EtcdCluster, type EtcdClusterOptions } from "../store/cluster/etcd-cluster.js";
import { ApiServer, type ApiServerOptions } from "./apiserver.js";
import { OBJECT_CODEC } from "./object-codec.js";

/** Network between clients and kube-apiserver. */
export interface ClientNetwork {
  /** Round trip between a client and an apiserver (in-cluster). */
  rtt: Distribution;
  /** Throughput of a response stream (large LISTs), bytes per second. */
  bandwidthBytesPerSec: number;
}

export interface ControlPlaneOptions {
  /** The etcd cluster (values are objects; codec and key layout are set here). */
  etcd?: Omit<EtcdClusterOptions<KubeObject>, "store">;
  /** kube-apiserver replicas behind the load balancer (default: one per etcd member when stacked, else 1). */
  apiservers?: number;
  apiserver?: Omit<ApiServerOptions, "index">;
  network?: Partial<ClientNetwork>;
}

/**
 * etcd plus kube-apiserver replicas behind a load balancer. Clients hold a long-lived (HTTP/2)
 * connection to one replica, chosen by the balancer when they connect, and move to another when
 * it goes away — which is why a replica restart makes its watchers relist elsewhere.
 */
export class ControlPlane {
  readonly sim: Simulation;
  readonly etcd: EtcdCluster<KubeObject>;
  readonly apiservers: ApiServer[];
  readonly network: ClientNetwork;
  readonly metrics = new ApiMetrics();
  private nextClient = 0;

  constructor(sim: Simulation, options: ControlPlaneOptions = {}) {
    this.sim = sim;
    this.etcd = new EtcdCluster<KubeObject>(sim, "etcd", { ...options.etcd, store: { codec: OBJECT_CODEC } });
    const topology = options.etcd?.topology ?? "stacked";
    const n = options.apiservers ?? (topology === "stacked" ? this.etcd.size : 1);
    this.apiservers = Array.from(
      { length: n },
      (_, index) => new ApiServer(sim, `kube-apiserver-${index}`, this.etcd, { ...options.apiserver, index }),
    );
    this.network = {
      // In-cluster RTT, a few hundred µs (same order as etcd.md's in-datacenter figures).
      rtt: new LogNormal(300, 2_000),
      // 10 Gbit/s NICs.
      bandwidthBytesPerSec: 1.25e9,
      ...options.network,
    };
  }

  /** Starts every replica (their watch caches list etcd). */
  start(): void {
    for (const a of this.apiservers) a.start();
  }

  /** A connection id for a new client; the balancer spreads clients round robin. */
  connect(): number {
    return this.nextClient++;
  }

  /** The replica serving a connection: its own if up, else the next one up (reconnect). */
  route(connection: number): ApiServer | undefined {
    const n = this.apiservers.length;
    for (let k = 0; k < n; k++) {
      const a = this.apiservers[(connection + k) % n] as ApiServer;
      if (a.up) return a;
    }
    return undefined;
  }

  /** Stops replica i (its clients reconnect elsewhere, its watchers relist or re-watch). */
  stopApiServer(i: number): void {
    this.apiservers[i]?.stop();
  }

  /** Starts replica i again (it rebuilds its watch caches from etcd). */
  startApiServer(i: number): void {
    this.apiservers[i]?.start();
  }
}

import type { Distribution } from "../engine/distributions.js";
import type { Micros } from "../engine/time.js";
import type { EtcdClusterOptions } from "../store/cluster/etcd-cluster.js";

/** One queueing station of the demo pipeline (an M/M/c server when both times are exponential). */
export interface StationSpec {
  name: string;
  workers: number;
  service: Distribution;
}

/** The engine demo: jobs arrive and pass through the stations in order. */
export interface QueueingDemoSpec {
  arrivals: Distribution;
  stations: StationSpec[];
  /** Interval of the throughput time series. */
  sampleInterval: Micros;
}

/** A scheduled etcd member fault. */
export interface MemberFault {
  at: Micros;
  action: "stop" | "start";
  member: number;
}

/** The etcd demo: Kubernetes-shaped load on an etcd cluster model. */
export interface EtcdDemoSpec {
  cluster: EtcdClusterOptions<string>;
  /** kube-apiserver clients (each holds watches on pods and leases). */
  apiservers: number;
  /** Nodes renewing a Lease object every 10 s. */
  nodes: number;
  pods: { count: number; createRate: number };
  /** Approximate stored size of one pod. */
  podBytes: number;
  /** kube-apiserver --etcd-compaction-interval. */
  compactionInterval: Micros;
  faults: MemberFault[];
  /** Write the store at the end for `kubesim etcdctl`. */
  saveStore: boolean;
}

/** kube-apiserver replicas and their settings. */
export interface ControlPlaneSpec {
  etcd: EtcdClusterOptions<string>;
  apiservers: number;
  cpus: number;
  /** APF (default, as current Kubernetes), the two max-inflight limits, or none. */
  flowControl: "apf" | "max-inflight" | "none";
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
}

/** Cluster-shaped API traffic through the control plane. */
export interface ApiLoadSpec {
  nodes: number;
  /** Who binds pods: the kube-scheduler model, or a round-robin binder. */
  scheduler: "kube-scheduler" | "round-robin";
  pods: { count: number; createRate: number; lifetime: Micros };
  listers: { resource: string; every: Micros }[];
}

/** A validated scenario. */
export interface Scenario {
  name: string;
  seed: number | string;
  /** Virtual time to simulate. */
  duration: Micros;
  /** Guard against runaway models. */
  maxEvents: number;
  queueingDemo: QueueingDemoSpec | undefined;
  etcdDemo: EtcdDemoSpec | undefined;
  controlPlane: ControlPlaneSpec | undefined;
  apiLoad: ApiLoadSpec | undefined;
}

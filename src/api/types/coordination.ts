/** coordination.k8s.io/v1 kinds (k8s.io/api/coordination/v1/types.go): Lease. */
import type { KubeObjectBase, MicroTime } from "./meta.js";

/** `coordinationv1.LeaseSpec`. Times are MicroTime (µs precision in JSON). */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: MicroTime;
  renewTime?: MicroTime;
  leaseTransitions?: number;
}

/** `coordinationv1.Lease` (node heartbeats in kube-node-lease, leader election). */
export interface Lease extends KubeObjectBase<"Lease"> {
  spec?: LeaseSpec;
}

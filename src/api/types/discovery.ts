/** discovery.k8s.io/v1 kinds (k8s.io/api/discovery/v1/types.go): EndpointSlice. */
import type { ObjectReference } from "./core.js";
import type { KubeObjectBase } from "./meta.js";

/** `discoveryv1.EndpointConditions`. */
export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** `discoveryv1.Endpoint`. */
export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
}

/** `discoveryv1.EndpointPort`. */
export interface EndpointPort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

/** `discoveryv1.EndpointSlice`. addressType: IPv4, IPv6, FQDN. */
export interface EndpointSlice extends KubeObjectBase<"EndpointSlice"> {
  addressType: string;
  endpoints: Endpoint[];
  ports?: EndpointPort[];
}

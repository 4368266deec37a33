// The admission-decision interface between the simulated kube-apiserver and its flow control
// (APF or the older max-in-flight filter), plus the configuration objects of APF in the shape of
// flowcontrol.apiserver.k8s.io/v1 (PriorityLevelConfiguration, FlowSchema).

/** What the filter sees of a request (k8s request.RequestInfo + user.Info). */
export interface RequestAttributes {
  user: string; // e.g. "system:node:node-7", "system:kube-scheduler", "admin"
  groups: string[]; // e.g. ["system:nodes", "system:authenticated"]
  verb: string; // get|list|watch|create|update|patch|delete|deletecollection
  apiGroup: string; // "" for core
  resource: string; // plural, e.g. "pods", "leases", "nodes"
  subresource?: string; // "status", "binding", ...
  namespace?: string;
  name?: string;
  isResourceRequest: boolean; // false for /healthz etc. (nonResourceURL)
  path?: string; // for non-resource requests
  /** For LIST: how many objects the list will touch (the caller knows its store size). */
  estimatedObjects?: number;
  /** For mutating requests: how many watchers will be notified (for the mutating work estimate). */
  watchersToNotify?: number;
}

/** How a request was classified and how many seats it holds (or would have held). */
export interface DispatchInfo {
  priorityLevel: string;
  flowSchema: string;
  seats: number;
}

/**
 * The admission decision path. Exactly one of `start` or `reject` is called, possibly
 * synchronously.
 *
 * `done()` must be called once when the request finishes executing; the seats are then freed
 * (a mutating request that notifies watchers keeps its final seats for the estimated extra
 * time, on the virtual clock). For a WATCH, "finishes executing" means "its initialization is
 * done" (upstream's watch initialization signal): call `done()` once the initial events are
 * sent / the watcher is registered; the watch then runs on without holding seats.
 * Other long-running requests (proxy, exec, attach, log, portforward) bypass flow control:
 * they start at once with 0 seats and their `done()` does nothing.
 */
export interface FlowControl {
  handle(
    req: RequestAttributes,
    start: (queueWaitUs: number, done: () => void, info: DispatchInfo) => void,
    reject: (retryAfterSeconds: number, reason: string, info: DispatchInfo) => void,
  ): void;
  /** Per priority level (or per mutating/readonly class in max-inflight mode) counters and a wait histogram summary. */
  stats(): FlowControlStats;
}

/** Summary of a latency histogram (µs), as `Histogram.summary()` returns it. */
export interface WaitSummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Counters of one priority level (APF) or one request class (max-in-flight). */
export interface FlowControlLevelStats {
  name: string;
  /** Seats the level may use now (APF currentCL; the fixed limit in max-in-flight; 0 = unlimited). */
  concurrencyLimit: number;
  /** APF NominalCL = ceil(serverCL x NCS / sum of NCS); the limit in max-in-flight mode. */
  nominalCL: number;
  /** Bounds of the borrowing adjustment: nominal - lendable, nominal + borrowing limit. */
  minCL: number;
  maxCL: number;
  /** Requests started (executing or done). */
  dispatched: number;
  /** All 429s: queueFull + timeout + concurrencyLimit. */
  rejected: number;
  rejectedQueueFull: number;
  rejectedTimeout: number;
  rejectedConcurrencyLimit: number;
  /** Now: requests executing, requests waiting in queues, seats occupied (incl. lingering final seats). */
  executing: number;
  waiting: number;
  seatsInUse: number;
  peakSeatsInUse: number;
  peakWaiting: number;
  /** Queue wait of dispatched requests (0 for immediate dispatch), µs. */
  waitUs: WaitSummary;
}

export interface FlowControlStats {
  kind: "apf" | "max-in-flight";
  /** APF: sum of the two inflight flags (600 by default); max-in-flight: the sum of both limits. */
  serverConcurrencyLimit: number;
  /** Long-running requests that bypassed flow control (watch in max-in-flight mode, proxy/exec/...). */
  longRunning: number;
  levels: FlowControlLevelStats[];
  /** APF only: how many requests each flow schema matched, in matching order. */
  flowSchemas: { name: string; matched: number }[];
}

// ---------------------------------------------------------------------------------------------
// APF configuration objects, flowcontrol.apiserver.k8s.io/v1 shape (fields we model).

export interface ObjectMetaName {
  name: string;
}

export interface QueuingConfiguration {
  /** Default 64. */
  queues?: number;
  /** Default 8. */
  handSize?: number;
  /** Default 50. */
  queueLengthLimit?: number;
}

export interface LimitResponse {
  type: "Queue" | "Reject";
  queuing?: QueuingConfiguration;
}

export interface LimitedPriorityLevelConfiguration {
  /** Default 30. */
  nominalConcurrencyShares?: number;
  /** Default 0. */
  lendablePercent?: number;
  /** Absent = no limit on borrowing (upstream: the server concurrency limit). */
  borrowingLimitPercent?: number;
  limitResponse: LimitResponse;
}

export interface ExemptPriorityLevelConfiguration {
  nominalConcurrencyShares?: number;
  lendablePercent?: number;
}

export interface PriorityLevelConfiguration {
  metadata: ObjectMetaName;
  spec: {
    type: "Exempt" | "Limited";
    limited?: LimitedPriorityLevelConfiguration;
    exempt?: ExemptPriorityLevelConfiguration;
  };
}

export interface Subject {
  kind: "User" | "Group" | "ServiceAccount";
  user?: { name: string };
  group?: { name: string };
  serviceAccount?: { namespace: string; name: string };
}

export interface ResourcePolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  clusterScope?: boolean;
  namespaces?: string[];
}

export interface NonResourcePolicyRule {
  verbs: string[];
  nonResourceURLs: string[];
}

export interface PolicyRulesWithSubjects {
  subjects: Subject[];
  resourceRules?: ResourcePolicyRule[];
  nonResourceRules?: NonResourcePolicyRule[];
}

export interface FlowSchema {
  metadata: ObjectMetaName;
  spec: {
    priorityLevelConfiguration: { name: string };
    /** 1..10000, default 1000; lower matches first, ties by name. */
    matchingPrecedence?: number;
    distinguisherMethod?: { type: "ByUser" | "ByNamespace" };
    rules?: PolicyRulesWithSubjects[];
  };
}

/** A whole APF configuration: the objects an apiserver would list. */
export interface ApfConfig {
  priorityLevels: PriorityLevelConfiguration[];
  flowSchemas: FlowSchema[];
}

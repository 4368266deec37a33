// The max-in-flight filter kube-apiserver used before APF (and still uses with
// --enable-priority-and-fairness=false). Upstream
// staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go: two independent limits, one
// for read-only requests (get, list, watch) and one for mutating ones; a request over its limit
// gets 429 at once with Retry-After: 1 (no queueing), unless its user is in system:masters, which
// is then served without being counted; long-running requests (watch, proxy, and the attach /
// exec / proxy / log / portforward subresources) are not limited.
import type { Simulation } from "../../engine/simulation.js";
import { Histogram } from "../../metrics/histogram.js";
import { SYSTEM_PRIVILEGED_GROUP } from "./bootstrap.js";
import type { DispatchInfo, FlowControl, FlowControlLevelStats, FlowControlStats, RequestAttributes } from "./types.js";

export interface MaxInFlightOptions {
  /** --max-requests-inflight: read-only requests at once (default 400; 0 = unlimited). */
  maxRequestsInflight?: number;
  /** --max-mutating-requests-inflight: mutating requests at once (default 200; 0 = unlimited). */
  maxMutatingRequestsInflight?: number;
}

/** Upstream's constant Retry-After for max-in-flight rejections. */
export const MAX_IN_FLIGHT_RETRY_AFTER_S = 1;

const READ_ONLY_VERBS = new Set(["get", "list", "watch"]);
const LONG_RUNNING_SUBRESOURCES = new Set(["attach", "exec", "proxy", "log", "portforward"]);

const INFO = {
  readOnly: Object.freeze({ priorityLevel: "readOnly", flowSchema: "", seats: 1 }),
  mutating: Object.freeze({ priorityLevel: "mutating", flowSchema: "", seats: 1 }),
  readOnlyRejected: Object.freeze({ priorityLevel: "readOnly", flowSchema: "", seats: 0 }),
  mutatingRejected: Object.freeze({ priorityLevel: "mutating", flowSchema: "", seats: 0 }),
  exempt: Object.freeze({ priorityLevel: "exempt", flowSchema: "", seats: 0 }),
  longRunning: Object.freeze({ priorityLevel: "", flowSchema: "", seats: 0 }),
} satisfies Record<string, DispatchInfo>;

class InflightClass {
  inFlight = 0;
  peak = 0;
  dispatched = 0;
  rejected = 0;
  readonly waits = new Histogram();
  constructor(
    readonly name: string,
    readonly limit: number,
  ) {}
}

function noop(): void {}

export class MaxInFlight implements FlowControl {
  private readonly readOnly: InflightClass;
  private readonly mutating: InflightClass;
  private exempted = 0;
  private longRunning = 0;

  constructor(
    readonly sim: Simulation,
    options: MaxInFlightOptions = {},
  ) {
    const ro = options.maxRequestsInflight ?? 400;
    const mu = options.maxMutatingRequestsInflight ?? 200;
    for (const [k, v] of [
      ["maxRequestsInflight", ro],
      ["maxMutatingRequestsInflight", mu],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new RangeError(`max-in-flight: ${k} must be an integer >= 0, got ${v}`);
    }
    this.readOnly = new InflightClass("readOnly", ro);
    this.mutating = new InflightClass("mutating", mu);
  }

  handle(
    req: RequestAttributes,
    start: (queueWaitUs: number, done: () => void, info: DispatchInfo) => void,
    reject: (retryAfterSeconds: number, reason: string, info: DispatchInfo) => void,
  ): void {
    if (
      req.verb === "watch" ||
      req.verb === "proxy" ||
      (req.subresource !== undefined && LONG_RUNNING_SUBRESOURCES.has(req.subresource))
    ) {
      this.longRunning++;
      start(0, noop, INFO.longRunning);
      return;
    }
    const isReadOnly = READ_ONLY_VERBS.has(req.verb);
    const c = isReadOnly ? this.readOnly : this.mutating;
    if (c.limit === 0 || c.inFlight < c.limit) {
      c.inFlight++;
      if (c.inFlight > c.peak) c.peak = c.inFlight;
      c.dispatched++;
      c.waits.record(0);
      let finished = false;
      start(
        0,
        () => {
          if (finished) return;
          finished = true;
          c.inFlight--;
        },
        isReadOnly ? INFO.readOnly : INFO.mutating,
      );
      return;
    }
    // Full. A system:masters user is always served (a super-admin or loopback client).
    if (req.groups.includes(SYSTEM_PRIVILEGED_GROUP)) {
      this.exempted++;
      start(0, noop, INFO.exempt);
      return;
    }
    c.rejected++;
    reject(
      MAX_IN_FLIGHT_RETRY_AFTER_S,
      isReadOnly ? "max-in-flight: too many read-only requests" : "max-in-flight: too many mutating requests",
      isReadOnly ? INFO.readOnlyRejected : INFO.mutatingRejected,
    );
  }

  stats(): FlowControlStats {
    const level = (c: InflightClass): FlowControlLevelStats => ({
      name: c.name,
      concurrencyLimit: c.limit,
      nominalCL: c.limit,
      minCL: c.limit,
      maxCL: c.limit,
      dispatched: c.dispatched,
      rejected: c.rejected,
      rejectedQueueFull: 0,
      rejectedTimeout: 0,
      rejectedConcurrencyLimit: c.rejected,
      executing: c.inFlight,
      waiting: 0,
      seatsInUse: c.inFlight,
      peakSeatsInUse: c.peak,
      peakWaiting: 0,
      waitUs: c.waits.summary(),
    });
    return {
      kind: "max-in-flight",
      serverConcurrencyLimit: this.readOnly.limit + this.mutating.limit,
      longRunning: this.longRunning,
      levels: [level(this.readOnly), level(this.mutating)],
      flowSchemas: [],
    };
  }

  /** Requests of system:masters users served over a full limit. */
  get exemptServed(): number {
    return this.exempted;
  }
}

import { Histogram } from "./histogram.js";

/** Scope of an API call for the SLI (sig-scalability api_call_latency.md). */
export type CallScope = "resource" | "namespace" | "cluster";

/** SLO thresholds in µs: 1 s for single objects, 30 s for namespace- and cluster-scoped LISTs. */
export const SLO_THRESHOLD_US: Record<CallScope, number> = {
  resource: 1_000_000,
  namespace: 30_000_000,
  cluster: 30_000_000,
};

/** Latency series of one (verb, resource, subresource, scope). */
export interface CallSeries {
  verb: string;
  resource: string;
  subresource: string;
  scope: CallScope;
  /** The SLI: processing time in the apiserver, excluding flow-control queue wait. */
  sli: Histogram;
  /** Time spent waiting in API Priority and Fairness queues (counted separately). */
  queueWait: Histogram;
  /** What the client saw end to end (rate limiter, network, retries included). */
  client: Histogram;
  codes: Map<number, number>;
  /** The same, for the current time-series interval only (reset by flushInterval). */
  window: { sli: Histogram; queueWait: Histogram; count: number; errors: number; rejected: number };
}

/**
 * API request metrics in the shape of apiserver_request_sli_duration_seconds: every request's
 * processing latency split from its APF queue wait per (verb, resource, subresource, scope),
 * response codes (429s included), and watch delivery latency (etcd commit -> informer handler).
 */
export class ApiMetrics {
  private readonly series = new Map<string, CallSeries>();
  /** etcd commit to informer handler, per resource. */
  readonly watchLatency = new Map<string, Histogram>();
  /** Requests rejected with 429 by flow control, per priority level. */
  readonly rejected = new Map<string, number>();

  /** The series of a call kind (created on first use). */
  seriesFor(verb: string, resource: string, subresource: string, scope: CallScope): CallSeries {
    const key = `${verb}\u0000${resource}\u0000${subresource}\u0000${scope}`;
    let s = this.series.get(key);
    if (s === undefined) {
      s = {
        verb,
        resource,
        subresource,
        scope,
        sli: new Histogram(),
        queueWait: new Histogram(),
        client: new Histogram(),
        codes: new Map(),
        window: { sli: new Histogram(), queueWait: new Histogram(), count: 0, errors: 0, rejected: 0 },
      };
      this.series.set(key, s);
    }
    return s;
  }

  /** Records one request as the server saw it. Watches are excluded from the SLI. */
  recordServer(s: CallSeries, code: number, processingUs: number, queueWaitUs: number): void {
    s.codes.set(code, (s.codes.get(code) ?? 0) + 1);
    s.window.count++;
    if (code >= 400) s.window.errors++;
    if (code === 429) s.window.rejected++;
    if (s.verb === "watch" || code === 429) return;
    s.sli.record(processingUs);
    s.queueWait.record(queueWaitUs);
    s.window.sli.record(processingUs);
    s.window.queueWait.record(queueWaitUs);
  }

  /** Columns of the per-interval time series (see flushInterval). */
  static readonly INTERVAL_COLUMNS = [
    "time_s",
    "verb",
    "resource",
    "subresource",
    "scope",
    "requests",
    "errors",
    "rejected_429",
    "sli_p50_us",
    "sli_p99_us",
    "queue_wait_p99_us",
  ] as const;

  /** Emits one row per series active in the interval ending at `timeS`, then starts a new interval. */
  flushInterval(timeS: number, write: (row: (string | number)[]) => void): void {
    for (const s of this.all()) {
      const w = s.window;
      if (w.count === 0) continue;
      write([
        timeS,
        s.verb,
        s.resource,
        s.subresource,
        s.scope,
        w.count,
        w.errors,
        w.rejected,
        w.sli.quantile(0.5),
        w.sli.quantile(0.99),
        w.queueWait.quantile(0.99),
      ]);
      s.window = { sli: new Histogram(), queueWait: new Histogram(), count: 0, errors: 0, rejected: 0 };
    }
  }

  recordRejected(priorityLevel: string): void {
    this.rejected.set(priorityLevel, (this.rejected.get(priorityLevel) ?? 0) + 1);
  }

  /** Records a watch event reaching an informer handler. */
  recordWatch(resource: string, latencyUs: number): void {
    let h = this.watchLatency.get(resource);
    if (h === undefined) {
      h = new Histogram();
      this.watchLatency.set(resource, h);
    }
    h.record(latencyUs);
  }

  /** All series, ordered by key for stable output. */
  all(): CallSeries[] {
    return [...this.series.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }

  /** SLI summaries with SLO verdicts (p99 against the threshold of the call's scope). */
  summary(): object[] {
    return this.all()
      .filter((s) => s.verb !== "watch")
      .map((s) => {
        const p99 = s.sli.quantile(0.99);
        return {
          verb: s.verb,
          resource: s.resource,
          subresource: s.subresource,
          scope: s.scope,
          count: s.sli.count,
          sli_us: s.sli.summary(),
          queueWait_us: s.queueWait.summary(),
          client_us: s.client.summary(),
          codes: Object.fromEntries([...s.codes.entries()].sort((a, b) => a[0] - b[0])),
          sloThreshold_us: SLO_THRESHOLD_US[s.scope],
          sloMet: s.sli.count === 0 || p99 <= SLO_THRESHOLD_US[s.scope],
        };
      });
  }
}

import { lookupResource, resourceForKind } from "../api/resources.js";
import type { KubeObject, Pod } from "../api/types/index.js";
import type { Rng } from "../engine/rng.js";
import type { CallScope } from "../metrics/api-metrics.js";
import type { ApiRequest, ApiResponse, RequestOptions, UserInfo } from "./apiserver.js";
import type { ControlPlane } from "./control-plane.js";
import { TokenBucket } from "./rate-limiter.js";
import { ApiError, Status } from "./status.js";
import type { ApiWatchEvent } from "./watch-cache.js";

/** QPS/burst defaults per component (k8s-timing.md §1.4). */
export const CLIENT_RATE_DEFAULTS = {
  /** client-go rest.Config defaults (DefaultQPS 5, DefaultBurst 10). */
  default: { qps: 5, burst: 10 },
  "kube-scheduler": { qps: 50, burst: 100 },
  /** Shared by all controllers in kube-controller-manager. */
  "kube-controller-manager": { qps: 20, burst: 30 },
  /** kubelet kubeAPIQPS/kubeAPIBurst since v1.27. */
  kubelet: { qps: 50, burst: 100 },
  "kube-proxy": { qps: 5, burst: 10 },
} as const;

export interface ClientOptions {
  /** Component name (for metrics and streams). */
  name: string;
  user: UserInfo;
  qps: number;
  burst: number;
  /** Retries of a request answered with Retry-After (429, some 5xx): rest client's maxRetries 10. */
  maxRetries?: number;
}

export type Callback<T> = (result: T | ApiError) => void;

/** A watch opened by a client. */
export interface ClientWatch {
  stop(): void;
}

/**
 * A client-go REST client: requests wait for the client's token bucket (QPS/burst), cross the
 * network to the replica its connection is on, and are retried after Retry-After when the
 * server sheds load (429) as client-go does (up to 10 times). Metrics record what the server
 * measured (SLI, APF wait) and what the client saw.
 */
export class Client {
  readonly name: string;
  readonly user: UserInfo;
  private readonly cp: ControlPlane;
  private readonly limiter: TokenBucket;
  private readonly maxRetries: number;
  private readonly conn: number;
  private readonly net: Rng;
  /** Requests sent, retried after 429, and failed. */
  readonly stats = { requests: 0, retries: 0, failures: 0, throttledUs: 0 };
  private disconnectedUntil = -1;
  private readonly openWatches = new Set<() => void>();

  constructor(cp: ControlPlane, options: ClientOptions) {
    this.cp = cp;
    this.name = options.name;
    // The authenticator adds system:authenticated to every authenticated user (flow schemas
    // such as global-default and service-accounts match on it).
    const groups = options.user.groups.includes("system:authenticated")
      ? options.user.groups
      : [...options.user.groups, "system:authenticated"];
    this.user = { name: options.user.name, groups };
    this.limiter = new TokenBucket(options.qps, options.burst);
    this.maxRetries = options.maxRetries ?? 10;
    this.conn = cp.connect();
    this.net = cp.sim.rng(`client/${options.name}/${this.conn}/network`);
  }

  /**
   * Cuts this client off from the API servers for `durationUs` (a network partition): its
   * watches end now and its requests fail until then.
   */
  disconnect(durationUs: number): void {
    this.disconnectedUntil = this.cp.sim.now + durationUs;
    for (const close of [...this.openWatches]) close();
  }

  private get disconnected(): boolean {
    return this.cp.sim.now < this.disconnectedUntil;
  }

  /** Sends one request; `cb` gets the response or the final error. */
  request(req: Omit<ApiRequest, "user">, cb: Callback<ApiResponse>): void {
    const full: ApiRequest = { ...req, user: this.user };
    this.attempt(full, 0, this.cp.sim.now, cb);
  }

  create<T extends KubeObject>(obj: T, cb: Callback<T>): void {
    const info = lookupResource(resourceOf(obj));
    this.request(
      {
        verb: "create",
        resource: resourceOf(obj),
        ...(info?.namespaced ? { namespace: obj.metadata.namespace ?? "default" } : {}),
        body: obj,
      },
      (r) => cb(r instanceof ApiError ? r : (r.object as T)),
    );
  }

  get<T extends KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
    cb: Callback<T>,
    options?: RequestOptions,
  ): void {
    this.request(
      {
        verb: "get",
        resource,
        ...(namespace === undefined ? {} : { namespace }),
        name,
        ...(options === undefined ? {} : { options }),
      },
      (r) => cb(r instanceof ApiError ? r : (r.object as T)),
    );
  }

  list(resource: string, options: RequestOptions & { namespace?: string }, cb: Callback<ApiResponse>): void {
    const { namespace, ...rest } = options;
    this.request({ verb: "list", resource, ...(namespace === undefined ? {} : { namespace }), options: rest }, cb);
  }

  update<T extends KubeObject>(obj: T, cb: Callback<T>, subresource?: "status"): void {
    this.request(
      {
        verb: "update",
        resource: resourceOf(obj),
        ...(obj.metadata.namespace === undefined ? {} : { namespace: obj.metadata.namespace }),
        name: obj.metadata.name as string,
        body: obj,
        ...(subresource === undefined ? {} : { subresource }),
      },
      (r) => cb(r instanceof ApiError ? r : (r.object as T)),
    );
  }

  patch<T extends KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: object | ((current: KubeObject) => KubeObject),
    cb: Callback<T>,
    subresource?: "status",
  ): void {
    this.request(
      {
        verb: "patch",
        resource,
        ...(namespace === undefined ? {} : { namespace }),
        name,
        patch,
        ...(subresource === undefined ? {} : { subresource }),
      },
      (r) => cb(r instanceof ApiError ? r : (r.object as T)),
    );
  }

  delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    cb: Callback<KubeObject>,
    options?: RequestOptions,
  ): void {
    this.request(
      {
        verb: "delete",
        resource,
        ...(namespace === undefined ? {} : { namespace }),
        name,
        ...(options === undefined ? {} : { options }),
      },
      (r) => cb(r instanceof ApiError ? r : (r.object as KubeObject)),
    );
  }

  /** POST pods/{name}/binding, as the scheduler's DefaultBinder does. */
  bind(pod: Pod, node: string, cb: Callback<Pod>): void {
    this.request(
      {
        verb: "create",
        resource: "pods",
        subresource: "binding",
        namespace: pod.metadata.namespace ?? "default",
        name: pod.metadata.name as string,
        body: { target: { name: node } },
      },
      (r) => cb(r instanceof ApiError ? r : (r.object as Pod)),
    );
  }

  /**
   * Opens a watch. Events arrive after the network delay, in order; the consumer calls `ack`
   * when it has processed one (the server terminates watchers that fall too far behind).
   * `onClose` reports the end of the watch: undefined for a normal close (timeout, replica
   * going away), or the error (410 Expired, 429...).
   */
  watch(
    resource: string,
    options: RequestOptions & { namespace?: string },
    onEvent: (ev: ApiWatchEvent, ack: () => void) => void,
    onClose: (error: ApiError | undefined) => void,
  ): ClientWatch {
    const sim = this.cp.sim;
    let stopped = false;
    let inner: { stop(): void } | undefined;
    let last = 0;
    const { namespace, ...rest } = options;
    const wait = this.limiter.reserve(sim.now);
    this.stats.throttledUs += wait;
    const cut = () => {
      if (stopped) return;
      stopped = true;
      inner?.stop();
      this.openWatches.delete(cut);
      onClose(undefined);
    };
    sim.after(wait + this.oneWay(), () => {
      if (stopped) return;
      const server = this.disconnected ? undefined : this.cp.route(this.conn);
      if (server === undefined) {
        stopped = true;
        sim.after(this.oneWay(), () => onClose(Status.unavailable("no apiserver available")));
        return;
      }
      this.openWatches.add(cut);
      inner = server.watch(
        { verb: "watch", resource, ...(namespace === undefined ? {} : { namespace }), options: rest, user: this.user },
        (ev, ack) => {
          const at = Math.max(last, sim.now + this.oneWay());
          last = at;
          sim.at(at, () => {
            if (stopped) return;
            onEvent(ev, ack);
          });
        },
        (err) => {
          const at = Math.max(last, sim.now + this.oneWay());
          last = at;
          sim.at(at, () => {
            if (stopped) return;
            stopped = true;
            this.openWatches.delete(cut);
            onClose(err);
          });
        },
      );
    });
    return {
      stop: () => {
        stopped = true;
        this.openWatches.delete(cut);
        inner?.stop();
      },
    };
  }

  // ---------------------------------------------------------------- transport

  private attempt(req: ApiRequest, retry: number, t0: number, cb: Callback<ApiResponse>): void {
    const sim = this.cp.sim;
    const wait = this.limiter.reserve(sim.now);
    this.stats.throttledUs += wait;
    if (retry === 0) this.stats.requests++;
    sim.after(wait + this.oneWay(), () => {
      const server = this.disconnected ? undefined : this.cp.route(this.conn);
      const series = this.cp.metrics.seriesFor(req.verb, req.resource, req.subresource ?? "", scopeOf(req));
      if (server === undefined) {
        this.stats.failures++;
        sim.after(this.oneWay(), () => cb(Status.unavailable("no apiserver available")));
        return;
      }
      server.handle(req, (result, timing) => {
        const code = result instanceof ApiError ? result.code : req.verb === "create" ? 201 : 200;
        this.cp.metrics.recordServer(series, code, timing.processingUs, timing.queueWaitUs);
        if (code === 429) this.cp.metrics.recordRejected(timing.priorityLevel);
        const bytes = result instanceof ApiError ? 200 : result.bytes;
        const back = this.oneWay() + Math.round((bytes * 1e6) / this.cp.network.bandwidthBytesPerSec);
        sim.after(back, () => {
          if (result instanceof ApiError && result.retryAfterSeconds !== undefined && retry < this.maxRetries) {
            // client-go retries requests answered with Retry-After (429s, "too large RV").
            this.stats.retries++;
            sim.after(result.retryAfterSeconds * 1_000_000, () => this.attempt(req, retry + 1, t0, cb));
            return;
          }
          series.client.record(sim.now - t0);
          if (result instanceof ApiError) this.stats.failures++;
          cb(result);
        });
      });
    });
  }

  private oneWay(): number {
    return Math.round(this.cp.network.rtt.sampleInt(this.net) / 2);
  }
}

/** Plural resource of an object. */
export function resourceOf(obj: KubeObject): string {
  return resourceForKind(obj.kind).resource;
}

/** SLI scope of a request: single object, or a LIST over a namespace or the cluster. */
export function scopeOf(req: Pick<ApiRequest, "verb" | "namespace" | "resource">): CallScope {
  if (req.verb !== "list") return "resource";
  const info = lookupResource(req.resource);
  return info?.namespaced === true && req.namespace !== undefined ? "namespace" : "cluster";
}

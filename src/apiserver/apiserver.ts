import { addDefaultTolerations, applyPriorityClass, defaultObject } from "../api/defaults.js";
import { type FieldMatcher, parseFieldSelector } from "../api/field-selector.js";
import { type LabelMatcher, parseLabelSelector } from "../api/labels.js";
import { lookupResource, RESOURCES, type ResourceInfo } from "../api/resources.js";
import type { KubeObject, Pod, PriorityClass } from "../api/types/index.js";
import { validateObject } from "../api/validation.js";
import { Actor } from "../engine/actor.js";
import { type Distribution, LogNormal } from "../engine/distributions.js";
import { InputError } from "../engine/errors.js";
import type { Rng } from "../engine/rng.js";
import { Server } from "../engine/server.js";
import type { Simulation } from "../engine/simulation.js";
import type { EtcdCluster } from "../store/cluster/etcd-cluster.js";
import { Compactor } from "./compactor.js";
import { mergePatch } from "./merge-patch.js";
import { generateName, uuid } from "./names.js";
import { objectSize } from "./object-codec.js";
import { ApiError, Status } from "./status.js";
import { type ListPage, ResourceStorage, rvOf } from "./storage.js";
import { secondsTimestamp } from "./timestamps.js";
import { type ApiWatchEvent, type CpuPool, WatchCache } from "./watch-cache.js";

export type Verb = "create" | "get" | "list" | "update" | "patch" | "delete" | "watch";

/** Who sends a request (user.Info). */
export interface UserInfo {
  name: string;
  groups: string[];
}

/** Query options of a request (metav1.GetOptions / ListOptions / DeleteOptions). */
export interface RequestOptions {
  /** "" = most recent (quorum read), "0" = any (cache), N = not older than N. */
  resourceVersion?: string;
  limit?: number;
  continue?: string;
  labelSelector?: string;
  fieldSelector?: string;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  allowWatchBookmarks?: boolean;
  /** Watch timeout; the server closes the watch after it. */
  timeoutSeconds?: number;
}

/** One API request. */
export interface ApiRequest {
  verb: Verb;
  /** Plural resource ("pods"). */
  resource: string;
  subresource?: "status" | "binding";
  namespace?: string;
  name?: string;
  /** create/update: the object; binding: the Binding (target.name is the node). */
  body?: KubeObject | { target: { name: string } };
  /** patch: a JSON merge patch document, or a function from the current object to the new one. */
  patch?: object | ((current: KubeObject) => KubeObject);
  options?: RequestOptions;
  user: UserInfo;
}

/** A successful response. */
export interface ApiResponse {
  object?: KubeObject;
  items?: KubeObject[];
  resourceVersion?: number;
  continue?: string;
  /** Bytes on the wire (for transfer time and metrics). */
  bytes: number;
}

/** Time a request spent in the server: waiting in flow control, and being processed (the SLI). */
export interface ServerTiming {
  queueWaitUs: number;
  processingUs: number;
  priorityLevel: string;
}

export type Reply = (result: ApiResponse | ApiError, timing: ServerTiming) => void;

/** Per-request CPU costs of kube-apiserver (µs of one core). */
export interface ApiServerCosts {
  /** Authentication, authorization, routing and handler overhead. */
  request: Distribution;
  /** In-tree admission chain of a mutating request (no webhooks). */
  admission: Distribution;
  /** Validation of a written object. */
  validation: Distribution;
  /** Decoding or encoding a KiB of object (protobuf/JSON). */
  codecPerKiBUs: number;
  /** Filtering and copying one object of a LIST served from the cache. */
  listPerObjectUs: number;
  /** Encoding an event once for all watchers, per KiB. */
  watchEncodePerKiBUs: number;
  /** Sending one event to one watcher. */
  watchPerWatcherUs: number;
}

/**
 * Defaults: a small request costs ~0.3 ms of CPU in kube-apiserver; list and watch work scales
 * with objects and watchers. They put a default 8-core apiserver near 20k simple requests/s
 * and keep request latency in the "tens of ms at p99" of healthy large clusters
 * (k8s-timing.md §3.3) once flow control and etcd are added.
 */
export function defaultApiServerCosts(): ApiServerCosts {
  return {
    request: new LogNormal(250, 1_000),
    admission: new LogNormal(40, 200),
    validation: new LogNormal(20, 100),
    codecPerKiBUs: 8,
    listPerObjectUs: 1.5,
    watchEncodePerKiBUs: 8,
    watchPerWatcherUs: 2,
  };
}

/** Flow control as the request filter sees it (implemented in ./flowcontrol). */
export interface FlowControlPort {
  handle(
    req: {
      user: string;
      groups: string[];
      verb: string;
      apiGroup: string;
      resource: string;
      subresource?: string;
      namespace?: string;
      name?: string;
      isResourceRequest: boolean;
      estimatedObjects?: number;
      watchersToNotify?: number;
    },
    start: (queueWaitUs: number, done: () => void, info: { priorityLevel: string }) => void,
    reject: (retryAfterSeconds: number, reason: string, info: { priorityLevel: string }) => void,
  ): void;
}

/** No flow control: every request starts at once. */
export const UNLIMITED: FlowControlPort = {
  handle: (_req, start) => start(0, () => {}, { priorityLevel: "none" }),
};

export interface ApiServerOptions {
  /** Index of this replica; also the etcd client index (stacked: its local member). */
  index: number;
  /** CPU cores serving requests. */
  cpus?: number;
  costs?: Partial<ApiServerCosts>;
  /** --request-timeout (60 s). */
  requestTimeoutUs?: number;
  /** --etcd-compaction-interval (5 min; 0 disables the compactor). */
  compactionIntervalUs?: number;
  flowControl?: (sim: Simulation, server: ApiServer) => FlowControlPort;
}

interface Watch {
  stop(): void;
}

/**
 * One kube-apiserver replica: the request pipeline (flow control, authn/authz, admission,
 * validation, storage, encoding) on a finite pool of CPU cores, one storage and one watch cache
 * per resource, and watches served from the caches. Latency emerges from queueing for flow
 * control seats, for CPU, and for etcd.
 */
export class ApiServer extends Actor {
  readonly index: number;
  readonly costs: ApiServerCosts;
  up = false;
  private readonly storages = new Map<string, ResourceStorage>();
  private readonly caches = new Map<string, WatchCache>();
  private readonly cpu: Server<() => void>;
  private readonly cpuPool: CpuPool;
  private readonly cpuRng: Rng;
  private readonly nameRng: Rng;
  private readonly requestTimeoutUs: number;
  private flow: FlowControlPort = UNLIMITED;
  private readonly compactor: Compactor | undefined;
  private readonly inflight = new Set<(e: ApiError) => void>();
  /** Open watches, each with how to end it and tell its client (replica shutdown). */
  private readonly watches = new Map<Watch, () => void>();
  /** Requests handled and rejected by flow control. */
  readonly stats = { requests: 0, rejected: 0, errors: 0 };

  constructor(sim: Simulation, name: string, etcd: EtcdCluster<KubeObject>, options: ApiServerOptions) {
    super(sim, name);
    this.index = options.index;
    this.costs = { ...defaultApiServerCosts(), ...options.costs };
    this.requestTimeoutUs = options.requestTimeoutUs ?? 60_000_000;
    this.cpuRng = this.rng("cpu");
    this.nameRng = this.rng("names");
    this.cpu = new Server<() => void>(sim, {
      name: `${name}.cpu`,
      workers: options.cpus ?? 8,
      onComplete: (job) => job(),
    });
    this.cpuPool = { run: (cost, then) => this.cpu.submit(then, Math.max(0, Math.round(cost))) };
    for (const info of RESOURCES) {
      const st = new ResourceStorage(info, etcd, this.index, () => this.sim.now);
      this.storages.set(info.resource, st);
      this.caches.set(
        info.resource,
        new WatchCache(
          sim,
          st,
          etcd,
          this.index,
          this.cpuPool,
          { encodePerKiBUs: this.costs.watchEncodePerKiBUs, perWatcherUs: this.costs.watchPerWatcherUs },
          this.rng(`cache/${info.resource}`),
        ),
      );
    }
    if (options.flowControl !== undefined) this.flow = options.flowControl(sim, this);
    const interval = options.compactionIntervalUs ?? 300_000_000;
    this.compactor = interval > 0 ? new Compactor(sim, etcd, this.index, interval) : undefined;
  }

  /** Starts serving: caches list and watch etcd. */
  start(): void {
    if (this.up) return;
    this.up = true;
    for (const c of this.caches.values()) c.start();
    this.compactor?.start();
  }

  /** Stops the replica: requests in flight fail with 503, watches close, caches are dropped. */
  stop(): void {
    if (!this.up) return;
    this.up = false;
    this.compactor?.stop();
    for (const fail of [...this.inflight]) fail(Status.unavailable("apiserver is shutting down"));
    this.inflight.clear();
    for (const end of [...this.watches.values()]) end();
    this.watches.clear();
    for (const c of this.caches.values()) c.stop();
  }

  /** The watch cache of a resource (tests and metrics). */
  cache(resource: string): WatchCache {
    return this.caches.get(resource) as WatchCache;
  }

  /** CPU utilisation of the replica since it was created. */
  cpuUtilization(): number {
    return this.cpu.utilization();
  }

  /** Handles one request; `reply` is called exactly once. */
  handle(req: ApiRequest, reply: Reply): void {
    const info = lookupResource(req.resource);
    if (!this.up || info === undefined) {
      const e = !this.up
        ? Status.unavailable("connection refused")
        : Status.badRequest(`the server could not find the requested resource (${req.resource})`);
      this.sim.after(0, () => reply(e, noTiming()));
      return;
    }
    this.stats.requests++;
    const cache = this.caches.get(info.resource) as WatchCache;
    const mutating = req.verb !== "get" && req.verb !== "list" && req.verb !== "watch";
    this.flow.handle(
      {
        user: req.user.name,
        groups: req.user.groups,
        verb: req.verb,
        apiGroup: info.group,
        resource: info.resource,
        ...(req.subresource === undefined ? {} : { subresource: req.subresource }),
        ...(req.namespace === undefined ? {} : { namespace: req.namespace }),
        ...(req.name === undefined ? {} : { name: req.name }),
        isResourceRequest: true,
        ...(req.verb === "list" ? { estimatedObjects: cache.count } : {}),
        ...(mutating ? { watchersToNotify: cache.watcherCount } : {}),
      },
      (queueWaitUs, done, fc) => {
        const started = this.sim.now;
        let finished = false;
        const finish = (result: ApiResponse | ApiError) => {
          if (finished) return;
          finished = true;
          this.inflight.delete(fail);
          this.sim.cancel(timer);
          done();
          if (result instanceof ApiError) this.stats.errors++;
          reply(result, { queueWaitUs, processingUs: this.sim.now - started, priorityLevel: fc.priorityLevel });
        };
        const fail = (e: ApiError) => finish(e);
        this.inflight.add(fail);
        const timer = this.sim.after(this.requestTimeoutUs, () =>
          finish(
            Status.timeout(
              "the server was unable to return a response in the time allotted, but may still be processing the request",
            ),
          ),
        );
        this.process(req, info, cache, finish);
      },
      (retryAfter, reason, fc) => {
        this.stats.rejected++;
        this.sim.after(0, () =>
          reply(Status.tooManyRequests(retryAfter, `Too many requests, please try again later. (${reason})`), {
            queueWaitUs: 0,
            processingUs: 0,
            priorityLevel: fc.priorityLevel,
          }),
        );
      },
    );
  }

  /**
   * Starts a watch. Served from the watch cache (RV "0" or a number); an RV older than the
   * cache's window fails with 410 Expired. `onEvent` gets each event; `onClose` when the server
   * ends the watch (timeout, replica stop, slow consumer) or with the error that refused it.
   */
  watch(
    req: ApiRequest,
    onEvent: (ev: ApiWatchEvent, ack: () => void) => void,
    onClose: (error: ApiError | undefined) => void,
  ): Watch {
    let stopped = false;
    let inner: Watch | undefined;
    // Every way a watch ends goes through here: it leaves the replica's list exactly once.
    const end = (error: ApiError | undefined, notify: boolean) => {
      if (stopped) return;
      stopped = true;
      this.watches.delete(handle);
      inner?.stop();
      if (notify) onClose(error);
    };
    const handle: Watch = { stop: () => end(undefined, false) };
    this.watches.set(handle, () => end(undefined, true));
    this.handle({ ...req, verb: "watch" }, (res) => {
      if (stopped) return;
      if (res instanceof ApiError) return end(res, true);
      const info = lookupResource(req.resource) as ResourceInfo;
      const cache = this.caches.get(info.resource) as WatchCache;
      let labels: LabelMatcher | undefined;
      let fields: FieldMatcher | undefined;
      try {
        labels = req.options?.labelSelector ? parseLabelSelector(req.options.labelSelector) : undefined;
        fields = req.options?.fieldSelector ? parseFieldSelector(req.options.fieldSelector, info.kind) : undefined;
      } catch (e) {
        return end(Status.badRequest(e instanceof Error ? e.message : String(e)), true);
      }
      const rv = Number(req.options?.resourceVersion ?? "0");
      cache.whenReady(() => {
        if (stopped) return;
        cache.waitForRv(
          rv,
          () => {
            if (stopped) return;
            const w = cache.watch(
              {
                resourceVersion: rv,
                ...(info.namespaced && req.namespace !== undefined ? { namespace: req.namespace } : {}),
                ...(labels === undefined ? {} : { labels }),
                ...(fields === undefined ? {} : { fields }),
                allowBookmarks: req.options?.allowWatchBookmarks === true,
              },
              (ev) => onEvent(ev, () => (w instanceof ApiError ? undefined : w.watcher.ack())),
              (reason) => end(reason, true),
            );
            if (w instanceof ApiError) return end(w, true);
            inner = w;
            const timeout = req.options?.timeoutSeconds;
            // The server ends the watch at its timeout; the client re-watches.
            if (timeout !== undefined) this.sim.after(timeout * 1_000_000, () => end(undefined, true));
          },
          (e) => end(e, true),
        );
      });
    });
    return handle;
  }

  // ---------------------------------------------------------------- processing

  private process(
    req: ApiRequest,
    info: ResourceInfo,
    cache: WatchCache,
    finish: (r: ApiResponse | ApiError) => void,
  ): void {
    const st = this.storages.get(info.resource) as ResourceStorage;
    const c = this.costs;
    const bodyKiB = req.body !== undefined && "metadata" in req.body ? objectSize(req.body) / 1024 : 0;
    let cost = c.request.sampleInt(this.cpuRng) + c.codecPerKiBUs * bodyKiB;
    const mutating = req.verb === "create" || req.verb === "update" || req.verb === "patch" || req.verb === "delete";
    if (mutating) cost += c.admission.sampleInt(this.cpuRng) + c.validation.sampleInt(this.cpuRng);
    // Encoding the response is charged on the way out.
    const respond = (r: ApiResponse | ApiError, extraCpu = 0) => {
      if (r instanceof ApiError) {
        finish(r);
        return;
      }
      this.cpuPool.run(extraCpu + (c.codecPerKiBUs * r.bytes) / 1024, () => finish(r));
    };
    const one = (r: KubeObject | ApiError) => respond(r instanceof ApiError ? r : { object: r, bytes: objectSize(r) });
    this.cpuPool.run(cost, () => {
      switch (req.verb) {
        case "watch":
          return finish({ bytes: 0 });
        case "get":
          return this.get(req, st, cache, one);
        case "list":
          return this.list(req, info, st, cache, respond);
        case "create":
          if (req.subresource === "binding") return this.bind(req, st, cache, one);
          return this.create(req, info, st, one);
        case "update":
          return this.update(req, info, st, cache, one);
        case "patch":
          return this.patch(req, info, st, cache, one);
        case "delete":
          if (req.name === undefined) {
            one(Status.methodNotAllowed("delete needs a name"));
            return;
          }
          return st.delete(
            req.namespace,
            req.name,
            {
              ...(req.options?.gracePeriodSeconds === undefined
                ? {}
                : { gracePeriodSeconds: req.options.gracePeriodSeconds }),
              ...(req.options?.preconditions === undefined ? {} : { preconditions: req.options.preconditions }),
            },
            one,
            cache.get(req.namespace, req.name),
          );
      }
    });
  }

  // GET: RV "" reads etcd (quorum); "0" the cache as it is; N the cache once it reached N.
  private get(req: ApiRequest, st: ResourceStorage, cache: WatchCache, done: (r: KubeObject | ApiError) => void): void {
    const name = req.name;
    if (name === undefined) {
      done(Status.badRequest("get needs a name"));
      return;
    }
    const rv = req.options?.resourceVersion ?? "";
    if (rv === "") {
      st.get(req.namespace, name, done);
      return;
    }
    cache.whenReady(() =>
      cache.waitForRv(
        Number(rv),
        () => done(cache.get(req.namespace, name) ?? Status.notFound(st.info.resource, st.info.group, name)),
        done,
      ),
    );
  }

  // LIST: RV "0" from the cache as it is (limit ignored, as upstream); RV "" without limit is a
  // consistent read from the cache (ConsistentListFromCache: wait for the current etcd
  // revision); with limit/continue it pages through etcd; RV N from the cache once it reached N.
  private list(
    req: ApiRequest,
    info: ResourceInfo,
    st: ResourceStorage,
    cache: WatchCache,
    respond: (r: ApiResponse | ApiError, extraCpu?: number) => void,
  ): void {
    let labels: LabelMatcher | undefined;
    let fields: FieldMatcher | undefined;
    try {
      labels = req.options?.labelSelector ? parseLabelSelector(req.options.labelSelector) : undefined;
      fields = req.options?.fieldSelector ? parseFieldSelector(req.options.fieldSelector, info.kind) : undefined;
    } catch (e) {
      respond(Status.badRequest(e instanceof InputError || e instanceof Error ? e.message : String(e)));
      return;
    }
    const ns = info.namespaced ? req.namespace : undefined;
    const rv = req.options?.resourceVersion ?? "";
    const limit = req.options?.limit ?? 0;
    const cont = req.options?.continue ?? "";
    const fromCache = () => {
      const r = cache.list(ns, labels, fields);
      const bytes = r.items.reduce((n, o) => n + objectSize(o), 0);
      respond({ items: r.items, resourceVersion: cache.rv, bytes }, this.costs.listPerObjectUs * r.scanned);
    };
    if (rv === "0") {
      cache.whenReady(fromCache);
      return;
    }
    if (rv === "" && limit === 0 && cont === "") {
      st.currentRevision((cur) =>
        cur instanceof ApiError ? respond(cur) : cache.whenReady(() => cache.waitForRv(cur, fromCache, respond)),
      );
      return;
    }
    if (rv !== "" && cont === "") {
      cache.whenReady(() => cache.waitForRv(Number(rv), fromCache, respond));
      return;
    }
    // Paged from etcd: fetch pages until `limit` matching objects or the end.
    const items: KubeObject[] = [];
    let scanned = 0;
    const page = (token: string, listRv: number) =>
      st.listPage(ns, limit, token, listRv, (r: ListPage | ApiError) => {
        if (r instanceof ApiError) {
          respond(r);
          return;
        }
        scanned += r.items.length;
        for (const o of r.items) {
          if (labels !== undefined && !labels.matches(o.metadata.labels ?? {})) continue;
          if (fields !== undefined && !fields.matches(o)) continue;
          items.push(o);
        }
        if (items.length < limit && r.continue !== "") return page(r.continue, r.resourceVersion);
        const bytes = items.reduce((n, o) => n + objectSize(o), 0);
        respond(
          { items, resourceVersion: r.resourceVersion, continue: r.continue, bytes },
          this.costs.listPerObjectUs * scanned,
        );
      });
    page(cont, 0);
  }

  private create(
    req: ApiRequest,
    info: ResourceInfo,
    st: ResourceStorage,
    done: (r: KubeObject | ApiError) => void,
  ): void {
    const body = req.body as KubeObject | undefined;
    if (body === undefined || !("metadata" in body)) {
      done(Status.badRequest("create needs an object"));
      return;
    }
    const obj = structuredClone(body) as KubeObject;
    if (obj.kind !== info.kind) {
      done(Status.badRequest(`the object kind ${obj.kind} does not match ${info.kind}`));
      return;
    }
    const meta = obj.metadata;
    if (info.namespaced) meta.namespace = req.namespace ?? meta.namespace ?? "default";
    else delete meta.namespace;
    if ((meta.name ?? "") === "" && meta.generateName !== undefined)
      meta.name = generateName(meta.generateName, this.nameRng);
    meta.uid = uuid(this.nameRng);
    meta.creationTimestamp = secondsTimestamp(this.sim.now);
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    defaultObject(obj);
    const admitted = this.admit(obj);
    if (admitted instanceof ApiError) {
      done(admitted);
      return;
    }
    const errs = validateObject(obj);
    if (errs.length > 0) {
      done(Status.invalid(info.kind, meta.name ?? "", errs.map(String)));
      return;
    }
    st.create(obj, done);
  }

  // Admission that changes scheduling: DefaultTolerationSeconds and Priority (k8s-timing §1.1).
  private admit(obj: KubeObject): KubeObject | ApiError {
    if (obj.kind !== "Pod") return obj;
    const pod = obj as Pod;
    addDefaultTolerations(pod);
    const className = pod.spec.priorityClassName;
    const pcs = this.caches.get("priorityclasses") as WatchCache;
    let cls: PriorityClass | undefined;
    if (className !== undefined && className !== "") {
      cls = (pcs.get(undefined, className) as PriorityClass | undefined) ?? builtinPriorityClass(className);
      if (cls === undefined)
        return new ApiError(
          403,
          "Forbidden",
          `pods "${pod.metadata.name}" is forbidden: no PriorityClass with name ${className} was found`,
        );
    } else {
      cls = pcs.list(undefined).items.find((p) => (p as PriorityClass).globalDefault === true) as
        | PriorityClass
        | undefined;
    }
    applyPriorityClass(pod, cls);
    return pod;
  }

  private update(
    req: ApiRequest,
    info: ResourceInfo,
    st: ResourceStorage,
    cache: WatchCache,
    done: (r: KubeObject | ApiError) => void,
  ): void {
    const body = req.body as KubeObject | undefined;
    const name = req.name ?? body?.metadata.name;
    if (body === undefined || name === undefined) {
      done(Status.badRequest("update needs an object"));
      return;
    }
    const wanted = body.metadata.resourceVersion;
    st.guaranteedUpdate(
      req.namespace,
      name,
      (current) => {
        if (wanted !== undefined && wanted !== "" && wanted !== current.metadata.resourceVersion) {
          return Status.conflict(
            info.resource,
            info.group,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
          );
        }
        return this.nextVersion(current, structuredClone(body) as KubeObject, req.subresource === "status", info);
      },
      done,
      cache.get(req.namespace, name),
    );
  }

  private patch(
    req: ApiRequest,
    info: ResourceInfo,
    st: ResourceStorage,
    cache: WatchCache,
    done: (r: KubeObject | ApiError) => void,
  ): void {
    const name = req.name;
    const p = req.patch;
    if (name === undefined || p === undefined) {
      done(Status.badRequest("patch needs a name and a patch"));
      return;
    }
    st.guaranteedUpdate(
      req.namespace,
      name,
      (current) => {
        const patched = typeof p === "function" ? p(current) : mergePatch(current, p);
        if (patched === current) return current;
        return this.nextVersion(current, patched, req.subresource === "status", info);
      },
      done,
      cache.get(req.namespace, name),
    );
  }

  // The stored object after an update: identity fields kept, status or spec taken from the
  // right place (status subresource vs main resource), generation bumped when spec changed,
  // and validated.
  private nextVersion(
    current: KubeObject,
    next: KubeObject,
    statusOnly: boolean,
    info: ResourceInfo,
  ): KubeObject | ApiError {
    const cur = current as KubeObject & { spec?: unknown; status?: unknown };
    const n = next as KubeObject & { spec?: unknown; status?: unknown };
    const out = statusOnly
      ? ({ ...cur, status: n.status } as KubeObject)
      : ({ ...n, status: cur.status } as KubeObject);
    if (!("status" in cur) && !statusOnly) delete (out as { status?: unknown }).status;
    const meta = statusOnly ? { ...cur.metadata } : { ...n.metadata };
    meta.name = cur.metadata.name;
    meta.namespace = cur.metadata.namespace;
    meta.uid = cur.metadata.uid;
    meta.creationTimestamp = cur.metadata.creationTimestamp;
    meta.resourceVersion = cur.metadata.resourceVersion;
    if (cur.metadata.deletionTimestamp !== undefined) meta.deletionTimestamp = cur.metadata.deletionTimestamp;
    if (cur.metadata.deletionGracePeriodSeconds !== undefined)
      meta.deletionGracePeriodSeconds = cur.metadata.deletionGracePeriodSeconds;
    meta.generation = (cur.metadata.generation ?? 1) + (!statusOnly && !deepEqual(n.spec, cur.spec) ? 1 : 0);
    out.metadata = meta;
    const errs = validateObject(out);
    if (errs.length > 0) return Status.invalid(info.kind, meta.name ?? "", errs.map(String));
    return out;
  }

  // pods/binding (BindingREST): set spec.nodeName unless already bound or being deleted.
  private bind(
    req: ApiRequest,
    st: ResourceStorage,
    cache: WatchCache,
    done: (r: KubeObject | ApiError) => void,
  ): void {
    const name = req.name;
    const target = (req.body as { target?: { name?: string } } | undefined)?.target?.name;
    if (name === undefined || target === undefined || target === "") {
      done(Status.badRequest("a Binding needs target.name"));
      return;
    }
    st.guaranteedUpdate(
      req.namespace,
      name,
      (current) => {
        const pod = current as Pod;
        if (pod.metadata.deletionTimestamp !== undefined) {
          return Status.conflict("pods", "", name, `pod ${name} is being deleted, cannot be assigned to a host`);
        }
        if ((pod.spec.nodeName ?? "") !== "") {
          return Status.conflict("pods", "", name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
        }
        const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
        conditions.push({ type: "PodScheduled", status: "True", lastTransitionTime: secondsTimestamp(this.sim.now) });
        return {
          ...pod,
          metadata: { ...pod.metadata },
          spec: { ...pod.spec, nodeName: target },
          status: { ...pod.status, conditions },
        } as Pod;
      },
      done,
      cache.get(req.namespace, name),
    );
  }

  /** Resource version of the newest object a cache has seen (for tests). */
  cacheRv(resource: string): number {
    return (this.caches.get(resource) as WatchCache).rv;
  }
}

/** Structural equality of JSON-like values; shared subtrees compare by reference first. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function noTiming(): ServerTiming {
  return { queueWaitUs: 0, processingUs: 0, priorityLevel: "none" };
}

// The two built-in classes the API server creates at startup (scheduling/v1).
function builtinPriorityClass(name: string): PriorityClass | undefined {
  if (name === "system-cluster-critical")
    return { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value: 2_000_000_000 };
  if (name === "system-node-critical")
    return { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value: 2_000_001_000 };
  return undefined;
}

export { rvOf };

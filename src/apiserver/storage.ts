import { registryKeyFor, registryListPrefix, registryNamespacePrefix } from "../api/registry-key.js";
import type { ResourceInfo } from "../api/resources.js";
import type { KubeObject, Pod } from "../api/types/index.js";
import { prefixEnd } from "../store/bytes.js";
import type { EtcdCluster } from "../store/cluster/etcd-cluster.js";
import { EtcdError } from "../store/errors.js";
import type { MvccStore } from "../store/kv-store.js";
import type { KeyValue, RangeResponse, TxnResponse } from "../store/types.js";
import { ApiError, Status } from "./status.js";
import { secondsTimestamp } from "./timestamps.js";

export type Done<T> = (result: T | ApiError) => void;

/** Returns the new object, or an ApiError to stop, given the current one (GuaranteedUpdate's tryUpdate). */
export type TryUpdate = (current: KubeObject) => KubeObject | ApiError;

export interface ListPage {
  items: KubeObject[];
  resourceVersion: number;
  /** Opaque token for the next page ("" if none). */
  continue: string;
  /** Objects walked by etcd (its range count), for cost accounting. */
  scanned: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Resource version of a stored object (etcd mod revision). */
export function rvOf(obj: KubeObject): number {
  return Number(obj.metadata.resourceVersion ?? 0);
}

/**
 * kube-apiserver's storage for one resource (generic registry + etcd3 store): the etcd key
 * layout, create as a txn on `mod_revision == 0`, GuaranteedUpdate as a txn on the expected
 * mod revision retried on conflict, paginated lists at a fixed revision, and graceful deletion
 * (deletionTimestamp first; removal when the grace period is 0 and finalizers are gone). The
 * object stored is stamped with the revision its write gets, which is its resourceVersion.
 */
export class ResourceStorage {
  readonly info: ResourceInfo;
  private readonly etcd: EtcdCluster<KubeObject>;
  private readonly client: number;
  private readonly now: () => number;
  /** etcd requests issued (create/get/list/txn), for cost accounting and tests. */
  etcdRequests = 0;

  constructor(info: ResourceInfo, etcd: EtcdCluster<KubeObject>, client: number, now: () => number) {
    this.info = info;
    this.etcd = etcd;
    this.client = client;
    this.now = now;
  }

  key(namespace: string | undefined, name: string): string {
    return registryKeyFor(this.info.resource, this.info.namespaced ? namespace : undefined, name, this.info.group);
  }

  /** The key prefix of a list (whole resource or one namespace). */
  listPrefix(namespace?: string): string {
    return namespace !== undefined && this.info.namespaced
      ? registryNamespacePrefix(this.info.resource, namespace, this.info.group)
      : registryListPrefix(this.info.resource, this.info.group);
  }

  /** Stores a new object; AlreadyExists if the key is taken. */
  create(obj: KubeObject, done: Done<KubeObject>): void {
    const key = this.key(obj.metadata.namespace, obj.metadata.name as string);
    this.etcdRequests++;
    this.etcd.propose(
      this.client,
      (store) => {
        // The revision this write will get, if it commits: the object's resourceVersion.
        obj.metadata.resourceVersion = String(store.revision + 1);
        return store.txn({
          compare: [{ key, target: "MOD", result: "EQUAL", modRevision: 0 }],
          success: [{ requestPut: { key, value: obj } }],
        });
      },
      (r) => {
        if (r instanceof EtcdError) return done(this.etcdError(r));
        if (!r.succeeded)
          return done(Status.alreadyExists(this.info.resource, this.info.group, obj.metadata.name as string));
        done(obj);
      },
    );
  }

  /** Reads one object from etcd (a quorum read). */
  get(namespace: string | undefined, name: string, done: Done<KubeObject>): void {
    const key = this.key(namespace, name);
    this.etcdRequests++;
    this.etcd.range({ key }, this.client, (r) => {
      if (r instanceof EtcdError) return done(this.etcdError(r));
      const kv = r.kvs[0];
      if (kv === undefined) return done(Status.notFound(this.info.resource, this.info.group, name));
      done(kv.value);
    });
  }

  /**
   * One page of a list from etcd. `continueToken` carries the first page's revision and the
   * next key; a compacted revision gives 410 Expired as upstream does.
   */
  listPage(
    namespace: string | undefined,
    limit: number,
    continueToken: string,
    revision: number,
    done: Done<ListPage>,
  ): void {
    const prefix = this.listPrefix(namespace);
    let start = prefix;
    let rev = revision;
    if (continueToken !== "") {
      const c = decodeContinue(continueToken);
      if (c === undefined) {
        done(Status.badRequest(`continue key is not valid: ${continueToken}`));
        return;
      }
      start = c.start;
      rev = c.rv;
    }
    this.etcdRequests++;
    this.etcd.range({ key: start, rangeEnd: prefixEnd(prefix), limit, revision: rev }, this.client, (r) => {
      if (r instanceof EtcdError) {
        if (r.code === "OutOfRange" && continueToken !== "") {
          return done(
            Status.gone(
              "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
            ),
          );
        }
        return done(this.etcdError(r));
      }
      const listRv = rev > 0 ? rev : r.header.revision;
      const items = r.kvs.map((kv) => kv.value);
      const last = r.kvs[r.kvs.length - 1];
      const cont = r.more && last !== undefined ? encodeContinue(listRv, `${last.key}\u0000`) : "";
      done({ items, resourceVersion: listRv, continue: cont, scanned: r.count });
    });
  }

  /** The current etcd revision (a count-only quorum read, as consistent reads from cache do). */
  currentRevision(done: Done<number>): void {
    const prefix = this.listPrefix();
    this.etcdRequests++;
    this.etcd.range({ key: prefix, rangeEnd: prefixEnd(prefix), countOnly: true }, this.client, (r) =>
      r instanceof EtcdError ? done(this.etcdError(r)) : done(r.header.revision),
    );
  }

  /**
   * GuaranteedUpdate: apply `tryUpdate` to the current object and write it if nobody changed
   * it meanwhile, else retry on the fresh object. `suggestion` (from the watch cache) saves
   * the first read, as upstream does; a stale suggestion costs one failed txn.
   */
  guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    tryUpdate: TryUpdate,
    done: Done<KubeObject>,
    suggestion?: KubeObject,
  ): void {
    const key = this.key(namespace, name);
    const attempt = (current: KubeObject | undefined, tries: number) => {
      if (current === undefined) return done(Status.notFound(this.info.resource, this.info.group, name));
      const next = tryUpdate(current);
      if (next instanceof ApiError) return done(next);
      if (next === current) return done(current); // no change: nothing is written (upstream skips no-op updates)
      const expected = rvOf(current);
      const remove =
        next.metadata.deletionTimestamp !== undefined &&
        (next.metadata.finalizers ?? []).length === 0 &&
        (next.metadata.deletionGracePeriodSeconds ?? 0) === 0;
      this.etcdRequests++;
      this.etcd.propose<TxnResponse<KubeObject>>(
        this.client,
        (store) => {
          if (!remove) next.metadata.resourceVersion = String(store.revision + 1);
          return store.txn({
            compare: [{ key, target: "MOD", result: "EQUAL", modRevision: expected }],
            success: [remove ? { requestDeleteRange: { key } } : { requestPut: { key, value: next } }],
            failure: [{ requestRange: { key } }],
          });
        },
        (r) => {
          if (r instanceof EtcdError) return done(this.etcdError(r));
          if (r.succeeded) {
            if (remove) next.metadata.resourceVersion = String(r.header.revision);
            return done(next);
          }
          if (tries >= 20) return done(Status.internal(`too many conflicts updating ${key}`));
          const fresh = r.responses[0]?.responseRange?.kvs[0] as KeyValue<KubeObject> | undefined;
          attempt(fresh?.value, tries + 1);
        },
      );
    };
    if (suggestion !== undefined) attempt(suggestion, 0);
    else this.get(namespace, name, (cur) => (cur instanceof ApiError ? done(cur) : attempt(cur, 0)));
  }

  /**
   * Delete with kube-apiserver's graceful semantics: a grace period (pods default to their
   * terminationGracePeriodSeconds; unscheduled or finished pods to 0) or finalizers turn the
   * delete into setting deletionTimestamp; otherwise the key is removed. Returns the object as
   * last stored (with deletionTimestamp when graceful).
   */
  delete(
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions,
    done: Done<KubeObject>,
    suggestion?: KubeObject,
  ): void {
    this.guaranteedUpdate(
      namespace,
      name,
      (current) => {
        const pre = opts.preconditions;
        if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) {
          return Status.conflict(
            this.info.resource,
            this.info.group,
            name,
            `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
          );
        }
        if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
          return Status.conflict(
            this.info.resource,
            this.info.group,
            name,
            `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`,
          );
        }
        const grace = this.gracePeriod(current, opts.gracePeriodSeconds);
        const finalizers = current.metadata.finalizers ?? [];
        const meta = { ...current.metadata };
        if (current.metadata.deletionTimestamp !== undefined) {
          // Already terminating: only a shorter grace period changes anything.
          const old = current.metadata.deletionGracePeriodSeconds ?? 0;
          if (grace >= old) return current;
        }
        meta.deletionTimestamp = secondsTimestamp(this.now() + grace * 1_000_000);
        meta.deletionGracePeriodSeconds = grace;
        if (grace === 0 && finalizers.length === 0) meta.deletionGracePeriodSeconds = 0;
        return { ...current, metadata: meta } as KubeObject;
      },
      done,
      suggestion,
    );
  }

  private gracePeriod(obj: KubeObject, requested: number | undefined): number {
    if (this.info.kind !== "Pod") return requested ?? 0;
    const pod = obj as Pod;
    // registry/core/pod/strategy.go CheckGracefulDelete: unscheduled or terminal pods go at once.
    if ((pod.spec?.nodeName ?? "") === "") return 0;
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return 0;
    return Math.max(0, requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
  }

  private etcdError(e: EtcdError): ApiError {
    if (e.code === "Unavailable") return Status.unavailable(e.message);
    if (e.message === "etcdserver: request timed out") return Status.timeout(e.message, 1);
    return Status.internal(e.message);
  }
}

/** Items of a count-free range response as objects. */
export function objectsOf(r: RangeResponse<KubeObject>): KubeObject[] {
  return r.kvs.map((kv) => kv.value);
}

/** The store behind a cluster, for components that read it directly (the watch cache's list). */
export type ObjectStore = MvccStore<KubeObject>;

// Continue tokens as upstream encodes them: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":key}.
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start }), "utf8").toString("base64");
}

function decodeContinue(token: string): { rv: number; start: string } | undefined {
  try {
    const o = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { v?: string; rv?: number; start?: string };
    if (o.v !== "meta.k8s.io/v1" || typeof o.rv !== "number" || typeof o.start !== "string") return undefined;
    return { rv: o.rv, start: o.start };
  } catch {
    return undefined;
  }
}

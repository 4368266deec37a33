import { storageSize } from "../api/size.js";
import type { KubeObject } from "../api/types/index.js";
import type { ValueCodec } from "../store/codec.js";

/** The stored value of a deleted key (a DELETE event's kv.value). */
export const EMPTY_OBJECT: KubeObject = Object.freeze({
  apiVersion: "",
  kind: "",
  metadata: {},
}) as unknown as KubeObject;

// Sizes are computed once per stored object: objects in the store are never mutated after
// the write that stored them.
const sizes = new WeakMap<object, number>();

/** Estimated protobuf bytes kube-apiserver writes to etcd for an object (cached). */
export function objectSize(obj: KubeObject): number {
  if (obj === EMPTY_OBJECT) return 0;
  let s = sizes.get(obj);
  if (s === undefined) {
    s = storageSize(obj);
    sizes.set(obj, s);
  }
  return s;
}

/**
 * Kubernetes objects stored by reference: the etcd model keeps the object itself and its
 * estimated encoded size (request limits and costs use the size; nothing is serialized).
 * VALUE compares are never used by kube-apiserver; they order by size then uid.
 */
export const OBJECT_CODEC: ValueCodec<KubeObject> = {
  empty: EMPTY_OBJECT,
  size: objectSize,
  compare: (a, b) => objectSize(a) - objectSize(b) || cmp(String(a.metadata.uid ?? ""), String(b.metadata.uid ?? "")),
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

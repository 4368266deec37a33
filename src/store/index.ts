// kubesim/store: an etcd v3 MVCC store (KV, Lease, Watch) usable on its own, driven by a
// ManualClock or the simulation clock.
export { BTree } from "./btree.js";
export { fromByteKey, prefixEnd, toByteKey } from "./bytes.js";
export { type Clock, ManualClock } from "./clock.js";
export { STRING_CODEC, type ValueCodec } from "./codec.js";
export { Errors, EtcdError, type GrpcCode } from "./errors.js";
export type { Rec } from "./key-index.js";
export {
  ETCD_3_4_23,
  ETCD_CURRENT,
  type EtcdCompat,
  FIRST_LEASE_ID,
  type MvccOptions,
  MvccStore,
  type StoreListener,
} from "./kv-store.js";
export type * from "./types.js";
export { type HubOptions, type HubStats, WatchHub } from "./watch/hub.js";
export { type StreamOptions, WatchStream } from "./watch/stream.js";

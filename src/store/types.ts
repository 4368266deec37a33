// Request and response shapes of the etcd v3 API in its JSON mapping (lowerCamelCase field
// names, as grpc-gateway and protojson print them), so a reader who knows etcdctl recognises
// every field. Differences from the wire: 64-bit integers are JS numbers (revisions and our
// lease IDs stay far below 2^53); cluster and member IDs, which use all 64 bits, are strings.

/** Metadata on every response. `revision` is the store revision when the response was made. */
export interface ResponseHeader {
  clusterId: string;
  memberId: string;
  revision: number;
  raftTerm: number;
}

/** One key's state at one revision (mvccpb.KeyValue). */
export interface KeyValue<V = string> {
  key: string;
  createRevision: number;
  modRevision: number;
  version: number;
  value: V;
  lease: number;
}

export type SortOrder = "NONE" | "ASCEND" | "DESCEND";
export type SortTarget = "KEY" | "VERSION" | "CREATE" | "MOD" | "VALUE";

export interface RangeRequest {
  key: string;
  /** Absent: the single key. "\0": every key >= key. Otherwise the exclusive end. */
  rangeEnd?: string;
  /** 0 = no limit. */
  limit?: number;
  /** <= 0 = latest. */
  revision?: number;
  sortOrder?: SortOrder;
  sortTarget?: SortTarget;
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface RangeResponse<V = string> {
  header: ResponseHeader;
  kvs: KeyValue<V>[];
  /** True only if kvs were cut off by the limit. */
  more: boolean;
  /** Keys in the range at that revision, whatever the limit and revision filters. */
  count: number;
}

export interface PutRequest<V = string> {
  key: string;
  value?: V;
  lease?: number;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface PutResponse<V = string> {
  header: ResponseHeader;
  prevKv?: KeyValue<V>;
}

export interface DeleteRangeRequest {
  key: string;
  rangeEnd?: string;
  prevKv?: boolean;
}

export interface DeleteRangeResponse<V = string> {
  header: ResponseHeader;
  deleted: number;
  prevKvs?: KeyValue<V>[];
}

export type CompareResult = "EQUAL" | "GREATER" | "LESS" | "NOT_EQUAL";
export type CompareTarget = "VERSION" | "CREATE" | "MOD" | "VALUE" | "LEASE";

/** One txn guard. The field named by `target` holds the operand. */
export interface Compare<V = string> {
  result: CompareResult;
  target: CompareTarget;
  key: string;
  rangeEnd?: string;
  version?: number;
  createRevision?: number;
  modRevision?: number;
  value?: V;
  lease?: number;
}

export interface RequestOp<V = string> {
  requestRange?: RangeRequest;
  requestPut?: PutRequest<V>;
  requestDeleteRange?: DeleteRangeRequest;
  requestTxn?: TxnRequest<V>;
}

export interface ResponseOp<V = string> {
  responseRange?: RangeResponse<V>;
  responsePut?: PutResponse<V>;
  responseDeleteRange?: DeleteRangeResponse<V>;
  responseTxn?: TxnResponse<V>;
}

export interface TxnRequest<V = string> {
  compare?: Compare<V>[];
  success?: RequestOp<V>[];
  failure?: RequestOp<V>[];
}

export interface TxnResponse<V = string> {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp<V>[];
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

export interface CompactionResponse {
  header: ResponseHeader;
}

export interface LeaseGrantRequest {
  TTL: number;
  /** 0 = let the server choose. */
  ID?: number;
}

export interface LeaseGrantResponse {
  header: ResponseHeader;
  ID: number;
  TTL: number;
}

export interface LeaseRevokeResponse {
  header: ResponseHeader;
}

export interface LeaseKeepAliveResponse {
  header: ResponseHeader;
  ID: number;
  TTL: number;
}

export interface LeaseTimeToLiveResponse {
  header: ResponseHeader;
  ID: number;
  /** Remaining seconds (truncated), -1 if the lease does not exist. */
  TTL: number;
  grantedTTL: number;
  keys?: string[];
}

export interface LeaseLeasesResponse {
  header: ResponseHeader;
  leases: { ID: number }[];
}

export type EventType = "PUT" | "DELETE";

/** A change delivered to watchers (mvccpb.Event). */
export interface WatchEvent<V = string> {
  type: EventType;
  kv: KeyValue<V>;
  prevKv?: KeyValue<V>;
}

export type WatchFilter = "NOPUT" | "NODELETE";

export interface WatchCreateRequest {
  key: string;
  rangeEnd?: string;
  /** 0/absent = from the next revision; <= current = replay history from it (inclusive). */
  startRevision?: number;
  progressNotify?: boolean;
  filters?: WatchFilter[];
  prevKv?: boolean;
  /** 0/absent = assigned by the stream. */
  watchId?: number;
  fragment?: boolean;
}

export interface WatchResponse<V = string> {
  header: ResponseHeader;
  watchId: number;
  created?: boolean;
  canceled?: boolean;
  compactRevision?: number;
  cancelReason?: string;
  fragment?: boolean;
  events: WatchEvent<V>[];
}

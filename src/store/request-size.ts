// Size of a request as etcd's server checks it: the marshalled raft request (an
// InternalRaftRequest wrapping the client request) against --max-request-bytes (1.5 MiB,
// etcd.md §3). Sizes follow protobuf encoding; the wrapper's header is estimated, so results
// within ~20 bytes of the limit may differ from a real server.

import type { ValueCodec } from "./codec.js";
import type { Compare, DeleteRangeRequest, PutRequest, RequestOp, TxnRequest } from "./types.js";

/** Bytes of a varint. */
function varint(n: number): number {
  if (n < 0) return 10; // negative int64 is always 10 bytes
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** A length-delimited field (tag + length + payload). */
const bytesField = (len: number) => (len === 0 ? 0 : 1 + varint(len) + len);
/** A varint field, omitted when zero (proto3). */
const intField = (n: number | undefined) => (n === undefined || n === 0 ? 0 : 1 + varint(n));
const boolField = (b: boolean | undefined) => (b ? 2 : 0);

// InternalRaftRequest.header: RequestHeader{ID uint64 (a large varint), username, auth rev}.
const RAFT_HEADER = 2 + 1 + 9;

export function putSize<V>(r: PutRequest<V>, keyLen: number, codec: ValueCodec<V>): number {
  return (
    bytesField(keyLen) +
    bytesField(r.value === undefined ? 0 : codec.size(r.value)) +
    intField(r.lease) +
    boolField(r.prevKv) +
    boolField(r.ignoreValue) +
    boolField(r.ignoreLease)
  );
}

export function deleteSize(r: DeleteRangeRequest, keyLen: (s: string) => number): number {
  return (
    bytesField(keyLen(r.key)) + bytesField(r.rangeEnd === undefined ? 0 : keyLen(r.rangeEnd)) + boolField(r.prevKv)
  );
}

function compareSize<V>(c: Compare<V>, keyLen: (s: string) => number, codec: ValueCodec<V>): number {
  const operand =
    c.target === "VALUE"
      ? bytesField(c.value === undefined ? 0 : codec.size(c.value))
      : intField(
          c.target === "VERSION"
            ? c.version
            : c.target === "CREATE"
              ? c.createRevision
              : c.target === "MOD"
                ? c.modRevision
                : c.lease,
        );
  return 2 + 2 + bytesField(keyLen(c.key)) + operand + bytesField(c.rangeEnd === undefined ? 0 : keyLen(c.rangeEnd));
}

function opSize<V>(op: RequestOp<V>, keyLen: (s: string) => number, codec: ValueCodec<V>): number {
  let inner = 0;
  if (op.requestRange !== undefined) inner = bytesField(keyLen(op.requestRange.key)) + 16;
  else if (op.requestPut !== undefined) inner = putSize(op.requestPut, keyLen(op.requestPut.key), codec);
  else if (op.requestDeleteRange !== undefined) inner = deleteSize(op.requestDeleteRange, keyLen);
  else if (op.requestTxn !== undefined) inner = txnSize(op.requestTxn, keyLen, codec);
  return bytesField(inner) + 1 + varint(inner); // RequestOp wrapper around the oneof
}

export function txnSize<V>(t: TxnRequest<V>, keyLen: (s: string) => number, codec: ValueCodec<V>): number {
  let n = 0;
  for (const c of t.compare ?? []) n += bytesField(compareSize(c, keyLen, codec));
  for (const op of t.success ?? []) n += opSize(op, keyLen, codec);
  for (const op of t.failure ?? []) n += opSize(op, keyLen, codec);
  return n;
}

/** Size of the raft request carrying a client request of `inner` bytes. */
export function raftRequestSize(inner: number): number {
  return RAFT_HEADER + bytesField(inner);
}

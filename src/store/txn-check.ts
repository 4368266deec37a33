// Txn validation and branch selection, following etcd's v3rpc key.go (checkTxnRequest,
// checkIntervals) and apply's compareToPath (etcd.md §5).

import { Errors } from "./errors.js";
import type { Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from "./types.js";

/**
 * Shape checks before a txn reaches raft: no list longer than maxTxnOps (the longest of
 * compare/success/failure, not their sum), non-empty keys, put fields that contradict
 * ignore_value/ignore_lease, an op with no request, and no key put twice or put and deleted
 * in one branch.
 */
export function checkTxnRequest<V>(
  req: TxnRequest<V>,
  maxTxnOps: number,
  enc: (key: string) => string,
  isEmpty: (v: V) => boolean,
): void {
  checkShape(req, maxTxnOps, isEmpty);
  checkIntervals(req.success ?? [], enc);
  checkIntervals(req.failure ?? [], enc);
}

function checkShape<V>(req: TxnRequest<V>, maxTxnOps: number, isEmpty: (v: V) => boolean): void {
  const longest = Math.max(req.compare?.length ?? 0, req.success?.length ?? 0, req.failure?.length ?? 0);
  if (longest > maxTxnOps) throw Errors.tooManyOps();
  for (const c of req.compare ?? []) if (c.key === "") throw Errors.emptyKey();
  for (const op of req.success ?? []) checkOp(op, maxTxnOps, isEmpty);
  for (const op of req.failure ?? []) checkOp(op, maxTxnOps, isEmpty);
}

function checkOp<V>(op: RequestOp<V>, maxTxnOps: number, isEmpty: (v: V) => boolean): void {
  if (op.requestRange !== undefined) checkKey(op.requestRange);
  else if (op.requestPut !== undefined) checkPutShape(op.requestPut, isEmpty);
  else if (op.requestDeleteRange !== undefined) checkKey(op.requestDeleteRange);
  else if (op.requestTxn !== undefined) checkShape(op.requestTxn, maxTxnOps, isEmpty);
  // etcd answers an op with no request set with "key not found".
  else throw Errors.keyNotFound();
}

function checkKey(r: RangeRequest | DeleteRangeRequest): void {
  if (r.key === "") throw Errors.emptyKey();
}

/** v3rpc checkPutRequest. */
export function checkPutShape<V>(r: PutRequest<V>, isEmpty: (v: V) => boolean): void {
  if (r.key === "") throw Errors.emptyKey();
  if (r.ignoreValue && r.value !== undefined && !isEmpty(r.value)) throw Errors.valueProvided();
  if (r.ignoreLease && (r.lease ?? 0) !== 0) throw Errors.leaseProvided();
}

interface Interval {
  start: string;
  /** Exclusive end; undefined for a single key. */
  end: string | undefined;
}

// A delete covers a put key if the key is its point or lies in [key, rangeEnd) compared as
// strings. etcd builds these intervals from the raw range_end, so a delete to "\0" ("every key
// from here") is the empty interval [key, "\0") and covers nothing; we keep that quirk.
function covers(iv: Interval, k: string): boolean {
  return iv.end === undefined ? k === iv.start : iv.start <= k && k < iv.end;
}

/** Returns the keys put and the delete intervals of one branch, or throws on a duplicate. */
function checkIntervals<V>(ops: RequestOp<V>[], enc: (key: string) => string): { puts: Set<string>; dels: Interval[] } {
  const dels: Interval[] = [];
  for (const op of ops) {
    const d = op.requestDeleteRange;
    if (d === undefined) continue;
    dels.push({ start: enc(d.key), end: d.rangeEnd === undefined || d.rangeEnd === "" ? undefined : enc(d.rangeEnd) });
  }
  const puts = new Set<string>();
  const hitsDelete = (k: string) => dels.some((iv) => covers(iv, k));
  for (const op of ops) {
    const t = op.requestTxn;
    if (t === undefined) continue;
    const then = checkIntervals(t.success ?? [], enc);
    const otherwise = checkIntervals(t.failure ?? [], enc);
    for (const k of then.puts) {
      if (puts.has(k) || hitsDelete(k)) throw Errors.duplicateKey();
      puts.add(k);
    }
    for (const k of otherwise.puts) {
      // then/else are exclusive, so a key both branches put is fine.
      if ((puts.has(k) && !then.puts.has(k)) || hitsDelete(k)) throw Errors.duplicateKey();
      puts.add(k);
    }
    dels.push(...then.dels, ...otherwise.dels);
  }
  for (const op of ops) {
    const p = op.requestPut;
    if (p === undefined) continue;
    const k = enc(p.key);
    if (puts.has(k) || hitsDelete(k)) throw Errors.duplicateKey();
    puts.add(k);
  }
  return { puts, dels };
}

/**
 * The branch taken at every txn level, in execution order (etcd's compareToPath): all compares,
 * nested ones included, are evaluated before anything is applied, against the same state.
 */
export function txnPath<V>(req: TxnRequest<V>, compare: (c: Compare<V>) => boolean): boolean[] {
  const path: boolean[] = [];
  walk(req, compare, path);
  return path;
}

function walk<V>(req: TxnRequest<V>, compare: (c: Compare<V>) => boolean, path: boolean[]): void {
  const ok = (req.compare ?? []).every(compare);
  path.push(ok);
  for (const op of (ok ? req.success : req.failure) ?? []) {
    if (op.requestTxn !== undefined) walk(op.requestTxn, compare, path);
  }
}

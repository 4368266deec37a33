// etcd's errors, with the messages and gRPC codes clients see (etcd.md §9; the strings come
// from api/v3rpc/rpctypes/error.go and server/storage/mvcc).

export type GrpcCode =
  | "InvalidArgument"
  | "OutOfRange"
  | "NotFound"
  | "FailedPrecondition"
  | "ResourceExhausted"
  | "Unavailable"
  | "DeadlineExceeded"
  | "Internal";

/** An error answered by the store, as etcd names it. */
export class EtcdError extends Error {
  readonly code: GrpcCode;
  constructor(code: GrpcCode, message: string) {
    super(message);
    this.name = "EtcdError";
    this.code = code;
  }
}

const e = (code: GrpcCode, message: string) => () => new EtcdError(code, message);

/** Factories for every error the store raises (fresh objects: stacks stay meaningful). */
export const Errors = {
  emptyKey: e("InvalidArgument", "etcdserver: key is not provided"),
  keyNotFound: e("InvalidArgument", "etcdserver: key not found"),
  valueProvided: e("InvalidArgument", "etcdserver: value is provided"),
  leaseProvided: e("InvalidArgument", "etcdserver: lease is provided"),
  duplicateKey: e("InvalidArgument", "etcdserver: duplicate key given in txn request"),
  tooManyOps: e("InvalidArgument", "etcdserver: too many operations in txn request"),
  requestTooLarge: e("InvalidArgument", "etcdserver: request is too large"),
  compacted: e("OutOfRange", "etcdserver: mvcc: required revision has been compacted"),
  futureRev: e("OutOfRange", "etcdserver: mvcc: required revision is a future revision"),
  noSpace: e("ResourceExhausted", "etcdserver: mvcc: database space exceeded"),
  leaseNotFound: e("NotFound", "etcdserver: requested lease not found"),
  leaseExists: e("FailedPrecondition", "etcdserver: lease already exists"),
  leaseTtlTooLarge: e("OutOfRange", "etcdserver: too large lease TTL"),
  noLeader: e("Unavailable", "etcdserver: no leader"),
  timeout: e("Unavailable", "etcdserver: request timed out"),
};

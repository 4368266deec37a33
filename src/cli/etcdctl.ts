import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { Described, InputError } from "../engine/errors.js";
import { prefixEnd } from "../store/bytes.js";
import { EtcdError } from "../store/errors.js";
import type { MvccStore } from "../store/kv-store.js";
import { loadSnapshot } from "../store/snapshot.js";
import type { KeyValue, RangeRequest, RangeResponse, SortTarget } from "../store/types.js";

export const ETCDCTL_USAGE = `kubesim etcdctl: read the etcd store a run saved, as etcdctl reads etcd

Usage:
  kubesim etcdctl [--snapshot FILE] get <key> [<range_end>] [flags]

Flags (as etcdctl):
  --prefix              get keys with the given prefix
  --from-key            get keys >= key
  --keys-only           print keys only
  --print-value-only    print values only
  --count-only          print only the count
  --limit N             at most N keys
  --rev N               read at revision N
  --sort-by TARGET      KEY, VERSION, CREATE, MODIFY or VALUE
  --order ORDER         ASCEND or DESCEND
  -w, --write-out FMT   simple (default) or json
  --snapshot FILE       store saved by a run (default: results/default/etcd-snapshot.ndjson)
`;

const SORT: Record<string, SortTarget> = {
  KEY: "KEY",
  VERSION: "VERSION",
  CREATE: "CREATE",
  MODIFY: "MOD",
  VALUE: "VALUE",
};

/** `kubesim etcdctl ...`; writes to stdout, returns the exit code. */
export function etcdctlCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s)): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      snapshot: { type: "string" },
      prefix: { type: "boolean", default: false },
      "from-key": { type: "boolean", default: false },
      "keys-only": { type: "boolean", default: false },
      "print-value-only": { type: "boolean", default: false },
      "count-only": { type: "boolean", default: false },
      limit: { type: "string" },
      rev: { type: "string" },
      "sort-by": { type: "string" },
      order: { type: "string" },
      "write-out": { type: "string", short: "w", default: "simple" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    out(ETCDCTL_USAGE);
    return values.help ? 0 : 2;
  }
  const [verb, key, rangeEnd] = positionals;
  if (verb !== "get") throw new InputError("etcdctl", 'the command "get"', verb);
  if (key === undefined) throw new InputError("etcdctl get", "a key", undefined);
  const format = values["write-out"];
  if (format !== "simple" && format !== "json") throw new InputError("--write-out", "simple or json", format);
  const file = values.snapshot ?? "results/default/etcd-snapshot.ndjson";
  if (!existsSync(file)) {
    throw new InputError(
      "--snapshot",
      "a store saved by a run (runs whose scenario has an etcd cluster write results/<scenario>/etcd-snapshot.ndjson)",
      new Described(`no file ${file}`),
    );
  }
  const req: RangeRequest = { key };
  if (values.prefix) req.rangeEnd = prefixEnd(key);
  else if (values["from-key"]) req.rangeEnd = "\u0000";
  else if (rangeEnd !== undefined) req.rangeEnd = rangeEnd;
  if (values.limit !== undefined) req.limit = int("--limit", values.limit);
  if (values.rev !== undefined) req.revision = int("--rev", values.rev);
  if (values["keys-only"]) req.keysOnly = true;
  if (values["count-only"]) req.countOnly = true;
  if (values["sort-by"] !== undefined) {
    const t = SORT[values["sort-by"].toUpperCase()];
    if (t === undefined) throw new InputError("--sort-by", "KEY, VERSION, CREATE, MODIFY or VALUE", values["sort-by"]);
    req.sortTarget = t;
  }
  if (values.order !== undefined) {
    const o = values.order.toUpperCase();
    if (o !== "ASCEND" && o !== "DESCEND") throw new InputError("--order", "ASCEND or DESCEND", values.order);
    req.sortOrder = o;
  }
  const store: MvccStore<string> = loadSnapshot(file);
  let resp: RangeResponse<string>;
  try {
    resp = store.range(req);
  } catch (e) {
    if (e instanceof EtcdError) {
      process.stderr.write(`Error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (format === "json") {
    // etcdctl prints 64-bit ids as bare integers, beyond what a JS number holds exactly.
    out(`${JSON.stringify(etcdctlJson(resp)).replace(/"#u64#(\d+)"/g, "$1")}\n`);
    return 0;
  }
  if (req.countOnly) {
    out(`${resp.count}\n`);
    return 0;
  }
  for (const kv of resp.kvs) {
    if (!values["print-value-only"]) out(`${kv.key}\n`);
    if (!req.keysOnly) out(`${kv.value}\n`);
  }
  return 0;
}

function int(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new InputError(flag, "a non-negative integer", v);
  return Number(v);
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** A range response as etcdctl -w json prints it: snake_case, base64 bytes, zero fields omitted. */
export function etcdctlJson(r: RangeResponse<string>): Record<string, unknown> {
  const kv = (k: KeyValue<string>) => {
    const o: Record<string, unknown> = { key: b64(k.key) };
    if (k.createRevision !== 0) o.create_revision = k.createRevision;
    if (k.modRevision !== 0) o.mod_revision = k.modRevision;
    if (k.version !== 0) o.version = k.version;
    if (k.value !== "") o.value = b64(k.value);
    if (k.lease !== 0) o.lease = k.lease;
    return o;
  };
  const out: Record<string, unknown> = {
    header: {
      cluster_id: `#u64#${r.header.clusterId}`,
      member_id: `#u64#${r.header.memberId}`,
      revision: r.header.revision,
      raft_term: r.header.raftTerm,
    },
  };
  if (r.kvs.length > 0) out.kvs = r.kvs.map(kv);
  if (r.more) out.more = true;
  out.count = r.count;
  return out;
}

import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { KeyIndex, type Rec } from "./key-index.js";
import { type EtcdCompat, MvccStore } from "./kv-store.js";

/** First line of a snapshot file. */
export interface SnapshotHeader {
  format: "kubesim-etcd-snapshot";
  version: 1;
  revision: number;
  compactRevision: number;
  clusterId: string;
  memberId: string;
  raftTerm: number;
  compat: EtcdCompat;
}

// One line per key: its history since the compact revision, each record as
// [modRevision, sub, createRevision, version, lease, tombstone 0/1, value text].
type RecLine = [number, number, number, number, number, 0 | 1, string];
interface KeyLine {
  k: string;
  r: RecLine[];
}
interface LeaseLine {
  lease: number;
  ttl: number;
  remainingUs: number;
}

/**
 * Writes the store (every key's history since compaction, and its leases) as newline-delimited
 * JSON, streamed in batches so memory stays flat for large stores. `toText` turns values into
 * text (identity for string stores; the simulator passes a JSON serializer for objects).
 */
export function saveSnapshot<V>(store: MvccStore<V>, path: string, toText: (v: V) => string): void {
  const fd = openSync(path, "w");
  try {
    const h = store.header();
    const header: SnapshotHeader = {
      format: "kubesim-etcd-snapshot",
      version: 1,
      revision: store.revision,
      compactRevision: store.compactRevision,
      clusterId: h.clusterId,
      memberId: h.memberId,
      raftTerm: h.raftTerm,
      compat: store.compat,
    };
    let buf = `${JSON.stringify(header)}\n`;
    store.forEachKey((ki) => {
      const line: KeyLine = {
        k: ki.key,
        r: ki.recs.map((r) => [
          r.modRevision,
          r.sub,
          r.createRevision,
          r.version,
          r.lease,
          r.tombstone ? 1 : 0,
          toText(r.value),
        ]),
      };
      buf += `${JSON.stringify(line)}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = "";
      }
    });
    const now = store.clock.now();
    for (const id of store.lessor.ids()) {
      const l = store.lessor.get(id);
      if (l === undefined) continue;
      const line: LeaseLine = { lease: id, ttl: l.ttl, remainingUs: l.expiry - now };
      buf += `${JSON.stringify(line)}\n`;
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

/** Reads a snapshot written by saveSnapshot into a string-valued store with the same state. */
export function loadSnapshot(path: string): MvccStore<string> {
  const lines = readFileSync(path, "utf8").split("\n");
  const header = JSON.parse(lines[0] ?? "{}") as Partial<SnapshotHeader>;
  if (header.format !== "kubesim-etcd-snapshot" || header.version !== 1) {
    throw new Error(`${path}: not a kubesim etcd snapshot (first line must be the snapshot header)`);
  }
  const store = new MvccStore<string>({
    compat: header.compat as EtcdCompat,
    clusterId: header.clusterId as string,
    memberId: header.memberId as string,
    raftTerm: () => header.raftTerm as number,
  });
  const keys: KeyIndex<string>[] = [];
  const leases: LeaseLine[] = [];
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i] as string;
    if (text === "") continue;
    const o = JSON.parse(text) as KeyLine | LeaseLine;
    if ("lease" in o) {
      leases.push(o);
      continue;
    }
    const bkey = store.enc(o.k);
    const ki = new KeyIndex<string>(o.k, bkey);
    for (const [mod, sub, create, version, lease, tomb, value] of o.r) {
      const rec: Rec<string> = {
        key: o.k,
        createRevision: create,
        modRevision: mod,
        version,
        value,
        lease,
        bkey,
        sub,
        tombstone: tomb === 1,
      };
      ki.recs.push(rec);
    }
    keys.push(ki);
  }
  store.restore(keys, header.revision as number, header.compactRevision as number, leases);
  return store;
}

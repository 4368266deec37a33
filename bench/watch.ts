// Watch fan-out: W watchers over P prefixes (W/P per prefix) receiving a stream of writes to
// keys under those prefixes. Reports deliveries/s (one event delivered to one watcher) end to
// end (store put + fan-out + response objects) and heap bytes per watcher.
import { Rng } from "../src/engine/rng.js";
import { prefixEnd } from "../src/store/bytes.js";
import type { Rec } from "../src/store/key-index.js";
import { MvccStore } from "../src/store/kv-store.js";
import { WatchHub } from "../src/store/watch/hub.js";
import { argValue, type BenchRow, measure } from "./lib/harness.js";

const BATCH = 20_000;

function setup(watchers: number, prefixes: number) {
  const store = new MvccStore();
  const hub = new WatchHub(store);
  let delivered = 0;
  const stream = hub.openStream((r) => {
    delivered += r.events.length;
  });
  for (let w = 0; w < watchers; w++) {
    const p = `/registry/pods/ns-${w % prefixes}/`;
    stream.watch({ key: p, rangeEnd: prefixEnd(p) });
  }
  // Keys reused round-robin so the store does not grow without bound during timing.
  const rng = new Rng(1, "bench/watch");
  const keys = Array.from({ length: 65_536 }, () => `/registry/pods/ns-${rng.int(prefixes)}/pod-${rng.int(5000)}`);
  return { store, hub, keys, count: () => delivered };
}

function memoryPerWatcher(watchers: number, prefixes: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const s = setup(watchers, prefixes);
  gc?.();
  const after = process.memoryUsage().heapUsed;
  // Keep the setup alive until measured.
  if (s.keys.length === 0) throw new Error("unreachable");
  const keysBytes = 65_536 * 80; // the key pool is not per-watcher state; subtract an estimate
  return Math.max(0, (after - before - keysBytes) / watchers);
}

/** Fan-out alone: the hub replays recorded revisions to its watchers (no store writes timed). */
function runHub(watchers: number, prefixes: number, timeMs: number): BenchRow {
  const { store, hub, keys, count } = setup(watchers, prefixes);
  const first = store.revision + 1;
  for (let i = 0; i < BATCH; i++) store.put({ key: keys[i & 65_535] as string, value: "v" });
  const revs: { rev: number; changes: Rec<string>[] }[] = [];
  for (let rev = first; rev <= store.revision; rev++) {
    const changes: Rec<string>[] = [];
    for (let p = store.log.positionOf(rev); p < store.log.positionOf(rev + 1); p++) changes.push(store.log.at(p));
    revs.push({ rev, changes });
  }
  const before = count();
  const fn = () => {
    for (const r of revs) hub.committed(r.rev, r.changes);
  };
  fn();
  const perRev = (count() - before) / revs.length;
  const m = measure(fn, revs.length, timeMs);
  return {
    suite: "watch",
    case: "fanout-hub",
    impl: `${watchers}w/${prefixes}p`,
    size: watchers,
    opsPerSec: m.opsPerSec * perRev,
    rmePercent: m.rmePercent,
    samples: m.samples,
    extra: { deliveries_per_write: perRev, heap_bytes_per_watcher: Math.round(memoryPerWatcher(watchers, prefixes)) },
  };
}

/** End to end: store puts (index, revision, event log, compaction) plus the fan-out. */
function run(watchers: number, prefixes: number, timeMs: number): BenchRow {
  const { store, keys, count } = setup(watchers, prefixes);
  let k = 0;
  const fn = () => {
    for (let i = 0; i < BATCH; i++) store.put({ key: keys[k++ & 65_535] as string, value: "v" });
    // Keep history bounded as kube-apiserver's compactor does (every 5 min in a cluster).
    store.compact({ revision: store.revision - 1000 });
  };
  // One warm run to learn deliveries per write (matching watchers), then measure writes/s.
  const before = count();
  fn();
  const perWrite = (count() - before) / BATCH;
  const m = measure(fn, BATCH, timeMs);
  return {
    suite: "watch",
    case: "fanout-e2e",
    impl: `${watchers}w/${prefixes}p`,
    size: watchers,
    opsPerSec: m.opsPerSec * perWrite,
    rmePercent: m.rmePercent,
    samples: m.samples,
    extra: {
      writes_per_s: Math.round(m.opsPerSec),
      deliveries_per_write: perWrite,
      heap_bytes_per_watcher: Math.round(memoryPerWatcher(watchers, prefixes)),
    },
  };
}

if (process.argv[1]?.endsWith("watch.js")) {
  const f = argValue("case", "fanout-hub") === "fanout-hub" ? runHub : run;
  const row = f(
    Number(argValue("watchers", "10000")),
    Number(argValue("prefixes", "1000")),
    Number(argValue("time", "2000")),
  );
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

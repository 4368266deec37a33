// The scheduler benchmark suite: pods scheduled per second (wall clock) through the Scheduler
// actor, per node count, percentageOfNodesToScore and worker threads; see bench/scheduler.ts.
import type { BenchRow } from "./lib/harness.js";
import { median, type Suite } from "./lib/suite.js";

interface Case {
  kase: string;
  nodes: number;
  pct: number;
  workers: number;
}

/** A process's configurations: one, or several measured side by side (bench/scheduler.ts paired). */
interface Run {
  kase: string;
  nodes: number;
  pct: number;
  workers: number[];
}

function runs(quick: boolean): Run[] {
  const out: Run[] = [];
  const add = (kase: string, nodes: number, pct: number, workers: number[]) => out.push({ kase, nodes, pct, workers });
  for (const n of quick ? [1000, 5000] : [1000, 5000, 20000]) add("basic", n, 0, [0]);
  // 20,000 nodes with a full scan runs below, next to its 2-worker twin.
  for (const n of quick ? [5000] : [1000, 5000]) add("basic", n, 100, [0]);
  // 0 and 2 workers in one process, a batch of each in turn: the speed-up compares batches
  // measured side by side, not processes that may run at different machine speeds.
  for (const n of quick ? [20000] : [20000, 100000]) add("basic", n, 100, [0, 2]);
  add("affinity", 5000, 0, [0]);
  return out;
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

/**
 * Full runs repeat every case in ROUNDS separate processes, interleaved (all cases, then all
 * again), and judge on the median: the machine's own speed moves by up to 1.7x between
 * processes (see calibrationMs in bench/scheduler.ts), far more than a code change under test.
 */
const ROUNDS = 3;

const implOf = (c: Case) => `pct${c.pct}/w${c.workers}`;

function roundsOf(rows: BenchRow[], c: Case): BenchRow[] {
  return rows.filter((r) => r.case === c.kase && r.size === c.nodes && r.impl === implOf(c));
}

export const schedulerSuite: Suite = {
  name: "scheduler",
  script: "scheduler.js",
  cases: (quick) =>
    Array.from({ length: quick ? 1 : ROUNDS }, (_, round) =>
      runs(quick).map((c) => [
        "--case",
        c.kase,
        "--nodes",
        String(c.nodes),
        "--pct",
        String(c.pct),
        "--workers",
        c.workers.join(","),
        "--time",
        quick ? "600" : "3000",
        "--round",
        String(round),
      ]),
    ).flat(),
  report: (rows) => {
    const rounds = new Set(rows.map((r) => r.extra?.round ?? 0)).size;
    const lines = [
      `pods/s, median of ${rounds} process(es) per case; calibration = ms of a fixed loop in that process (lower = faster machine at the time)`,
      `${"case".padEnd(34)}${"median".padStart(9)}${"min".padStart(9)}${"max".padStart(9)}  fingerprint       load  calibration`,
    ];
    const seen = new Set<string>();
    const med = new Map<string, number>();
    for (const r of rows) {
      const c: Case = { kase: r.case, nodes: r.size, pct: Number(r.extra?.pct), workers: Number(r.extra?.workers) };
      const key = `${c.kase}/${c.nodes}/${implOf(c)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rs = roundsOf(rows, c);
      const v = rs.map((x) => x.opsPerSec);
      const prints = [...new Set(rs.map((x) => String(x.extra?.fingerprint ?? "")))];
      med.set(key, median(v));
      const label = `${c.kase} n=${c.nodes} ${implOf(c).replace("/", " ")}`;
      lines.push(
        `${label.padEnd(34)}${fmt(median(v)).padStart(9)}${fmt(Math.min(...v)).padStart(9)}${fmt(Math.max(...v)).padStart(9)}  ${prints.length === 1 ? prints[0] : `DIFFER: ${prints.join(",")}`}  ${rs.map((x) => x.extra?.loadavg1m ?? "").join("/")}  ${rs.map((x) => x.extra?.calibrationMs ?? "").join("/")}`,
      );
    }
    const get = (c: Case) => med.get(`${c.kase}/${c.nodes}/${implOf(c)}`);
    const target = (what: string, got: number | undefined, want: number) =>
      lines.push(
        `target ${what} >= ${fmt(want)} pods/s: median ${got === undefined ? "n/a" : fmt(got)} (${got !== undefined && got >= want ? "met" : "MISSED"})`,
      );
    target("basic, adaptive, 5,000 nodes, 1 thread", get({ kase: "basic", nodes: 5000, pct: 0, workers: 0 }), 20000);
    target(
      "basic, percentageOfNodesToScore 100, 5,000 nodes",
      get({ kase: "basic", nodes: 5000, pct: 100, workers: 0 }),
      5000,
    );
    for (const n of [20000, 100000]) {
      const a = roundsOf(rows, { kase: "basic", nodes: n, pct: 100, workers: 0 });
      const b = roundsOf(rows, { kase: "basic", nodes: n, pct: 100, workers: 2 });
      if (a.length === 0 || b.length === 0) continue;
      // Each round's process measured 0 and 2 workers side by side: its ratio is the median
      // over its pairs of batches (pairedRatio); the target is judged on the median of rounds.
      const ratios = b.map((x) => Number(x.extra?.pairedRatio));
      const speedup = median(ratios);
      const same = new Set([...a, ...b].map((x) => x.extra?.fingerprint)).size === 1;
      lines.push(
        `full scan ${fmt(n)} nodes: 2 workers (evaluator mode "always") vs 0 = ${speedup.toFixed(2)}x median of rounds [${ratios.map((r) => r.toFixed(2)).join(", ")}], batches side by side in each round's process (target >= 1.40x: ${speedup >= 1.4 ? "met" : "MISSED"}); decisions ${same ? "identical" : "DIFFER"} (fingerprint ${a[0]?.extra?.fingerprint})`,
      );
    }
    if (rounds === 1) {
      lines.push("(one short process per case: a smoke test; the targets are judged on the full run's medians)");
    }
    return lines;
  },
};

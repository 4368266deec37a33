// The scheduler benchmark suite: pods scheduled per second (wall clock) through the Scheduler
// actor, per node count, percentageOfNodesToScore and worker threads; see bench/scheduler.ts.
import type { BenchRow } from "./lib/harness.js";
import type { Suite } from "./lib/suite.js";

interface Case {
  kase: string;
  nodes: number;
  pct: number;
  workers: number;
}

function cases(quick: boolean): Case[] {
  const out: Case[] = [];
  const add = (kase: string, nodes: number, pct: number, workers: number) => out.push({ kase, nodes, pct, workers });
  for (const n of quick ? [1000, 5000] : [1000, 5000, 20000]) add("basic", n, 0, 0);
  // 20,000 nodes with a full scan runs below, next to its 2-worker twin.
  for (const n of quick ? [5000] : [1000, 5000]) add("basic", n, 100, 0);
  for (const n of quick ? [20000] : [20000, 100000]) {
    add("basic", n, 100, 0);
    add("basic", n, 100, 2);
  }
  add("affinity", 5000, 0, 0);
  return out;
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

function find(rows: BenchRow[], c: Case): BenchRow | undefined {
  return rows.find((r) => r.case === c.kase && r.size === c.nodes && r.impl === `pct${c.pct}/w${c.workers}`);
}

export const schedulerSuite: Suite = {
  name: "scheduler",
  script: "scheduler.js",
  cases: (quick) =>
    cases(quick).map((c) => [
      "--case",
      c.kase,
      "--nodes",
      String(c.nodes),
      "--pct",
      String(c.pct),
      "--workers",
      String(c.workers),
      "--time",
      quick ? "600" : "3000",
    ]),
  report: (rows) => {
    const lines = [`${"case".padEnd(34)}${"pods/s".padStart(10)}${"±%".padStart(7)}  fingerprint       load`];
    for (const r of rows) {
      const label = `${r.case} n=${r.size} ${r.impl.replace("/", " ")}`;
      lines.push(
        `${label.padEnd(34)}${fmt(r.opsPerSec).padStart(10)}${r.rmePercent.toFixed(1).padStart(7)}  ${r.extra?.fingerprint ?? ""}  ${r.extra?.loadavg1m ?? ""}`,
      );
    }
    const target = (what: string, got: number | undefined, want: number) =>
      lines.push(
        `target ${what} >= ${fmt(want)} pods/s: ${got === undefined ? "n/a" : fmt(got)} (${got !== undefined && got >= want ? "met" : "MISSED"})`,
      );
    target(
      "basic, adaptive, 5,000 nodes, 1 thread",
      find(rows, { kase: "basic", nodes: 5000, pct: 0, workers: 0 })?.opsPerSec,
      20000,
    );
    target(
      "basic, percentageOfNodesToScore 100, 5,000 nodes",
      find(rows, { kase: "basic", nodes: 5000, pct: 100, workers: 0 })?.opsPerSec,
      5000,
    );
    for (const n of [20000, 100000]) {
      const a = find(rows, { kase: "basic", nodes: n, pct: 100, workers: 0 });
      const b = find(rows, { kase: "basic", nodes: n, pct: 100, workers: 2 });
      if (a === undefined || b === undefined) continue;
      const speedup = b.opsPerSec / a.opsPerSec;
      const same = a.extra?.fingerprint === b.extra?.fingerprint;
      lines.push(
        `full scan ${fmt(n)} nodes: 2 workers (evaluator mode "always") vs 0 = ${speedup.toFixed(2)}x (target >= 1.40x: ${speedup >= 1.4 ? "met" : "MISSED"}); decisions ${same ? "identical" : "DIFFER"} (fingerprint ${a.extra?.fingerprint} / ${b.extra?.fingerprint})`,
      );
    }
    return lines;
  },
};

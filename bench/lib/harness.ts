// Shared benchmark plumbing: tinybench measurement, machine description, result files.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { Bench } from "tinybench";

/** One measured case, as written to results/bench. */
export interface BenchRow {
  suite: string;
  case: string;
  impl: string;
  size: number;
  /** Operations per second (median over tinybench samples). */
  opsPerSec: number;
  /** Relative margin of error of the mean, percent. */
  rmePercent: number;
  samples: number;
  /** Extra figures a suite reports (memory per item, speed-ups, ...). */
  extra?: Record<string, number | string>;
}

/** Measures `fn`, which performs `opsPerCall` operations, and returns operations per second. */
export function measure(
  fn: () => void,
  opsPerCall: number,
  timeMs: number,
): { opsPerSec: number; rmePercent: number; samples: number } {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(500, timeMs / 2), warmup: true });
  bench.add("case", fn);
  bench.runSync();
  const r = bench.tasks[0]?.result;
  if (r === undefined || !("latency" in r)) throw new Error(`benchmark failed: ${JSON.stringify(r)}`);
  const ms = r.latency.p50 ?? r.latency.mean;
  return { opsPerSec: (opsPerCall * 1000) / ms, rmePercent: r.latency.rme, samples: r.latency.samplesCount ?? 0 };
}

/** Node version, CPU model and core count, recorded with every result. */
export function machineInfo(): { node: string; cpu: string; cores: number; platform: string } {
  const list = cpus();
  return {
    node: process.version,
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Writes a suite's rows to results/bench/<suite>.json and .csv. */
export function writeResults(suite: string, rows: BenchRow[], quick: boolean, notes: string[]): string[] {
  const dir = join("results", "bench");
  mkdirSync(dir, { recursive: true });
  const machine = machineInfo();
  const when = new Date().toISOString();
  const json = join(dir, `${suite}.json`);
  writeFileSync(json, `${JSON.stringify({ suite, when, quick, machine, notes, rows }, null, 2)}\n`);
  const extraKeys = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))].sort();
  const header = [
    "suite",
    "case",
    "impl",
    "size",
    "ops_per_s",
    "rme_percent",
    "samples",
    ...extraKeys,
    "node",
    "cpu",
    "cores",
    "quick",
    "when",
  ];
  const body = rows.map((r) => [
    r.suite,
    r.case,
    r.impl,
    r.size,
    Math.round(r.opsPerSec),
    r.rmePercent.toFixed(2),
    r.samples,
    ...extraKeys.map((k) => r.extra?.[k] ?? ""),
    machine.node,
    machine.cpu,
    machine.cores,
    quick,
    when,
  ]);
  const csv = join(dir, `${suite}.csv`);
  writeFileSync(csv, stringify([header, ...body]));
  return [json, csv];
}

/** Reads `--name value` style arguments of a bench child process. */
export function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

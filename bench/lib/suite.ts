import type { BenchRow } from "./harness.js";

/** A benchmark suite: one child script run once per case, and a report over its rows. */
export interface Suite {
  name: string;
  /** Compiled child script, relative to dist/bench/. */
  script: string;
  /** Argument lists, one per case (each runs in a fresh process). */
  cases: (quick: boolean) => string[][];
  /** Extra node flags for the child processes (e.g. --expose-gc). */
  nodeArgs?: string[];
  /** Lines summarising the rows (tables, ratios, targets met or missed). */
  report: (rows: BenchRow[]) => string[];
}

/** Million-units formatting used in reports. */
export const fmtM = (x: number) => (x / 1e6).toFixed(2);

/** Distinct sizes among the rows, ascending. */
export function sizesOf(rows: BenchRow[]): number[] {
  return [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
}

/** Ops/s of one (impl, size[, case]) row, NaN if missing. */
export function opsOf(rows: BenchRow[], impl: string, size: number, kase?: string): number {
  return (
    rows.find((r) => r.impl === impl && r.size === size && (kase === undefined || r.case === kase))?.opsPerSec ??
    Number.NaN
  );
}

/** Median of `xs` (NaN when empty). */
export function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  if (v.length === 0) return Number.NaN;
  return v.length % 2 === 1 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
}

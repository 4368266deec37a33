/**
 * Go integer and float semantics the scheduler's formulas depend on (kube-scheduler.md §9).
 * Kept in nodetable/ with no imports so the worker threads load exactly the same code.
 */

/** Go int64 division `a / b`: truncates toward zero (exact while |a| < 2^53). */
export function goDiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** Go `math.Round`: half away from zero (JS Math.round(-2.5) is -2, Go gives -3). */
export function goRound(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** Go `int64(f)`: float to integer conversion, truncating toward zero. */
export function goTrunc(x: number): number {
  return Math.trunc(x);
}

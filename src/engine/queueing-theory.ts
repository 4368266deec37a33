// Closed-form results for M/M/c queues, used as ground truth in tests and demo summaries.

/** Erlang C: probability an arrival waits in an M/M/c queue with offered load a = λ/μ. */
export function erlangC(c: number, a: number): number {
  if (a >= c) return 1;
  // Σ_{k<c} a^k/k! and a^c/c! computed incrementally to stay stable for large c.
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a));
  return top / (sum + top);
}

/** Mean time in queue (before service) for M/M/c with arrival rate λ and service rate μ per worker. */
export function mmcMeanWait(c: number, lambda: number, mu: number): number {
  const a = lambda / mu;
  if (a >= c) return Number.POSITIVE_INFINITY;
  return erlangC(c, a) / (c * mu - lambda);
}

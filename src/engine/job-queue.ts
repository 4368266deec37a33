/**
 * Waiting line for a Server: FIFO (ring buffer) or priority (binary heap, higher priority
 * first, ties FIFO by arrival sequence). Arrival times and per-job numbers live in typed arrays.
 */
export class JobQueue<J> {
  size = 0;
  private jobs: (J | undefined)[] = [];
  private enq: Float64Array;
  private svc: Float64Array;
  private prio: Float64Array;
  private seq: Float64Array;
  private head = 0;
  private nextSeq = 0;

  constructor(
    readonly discipline: "fifo" | "priority",
    capacity = 64,
  ) {
    this.enq = new Float64Array(capacity);
    this.svc = new Float64Array(capacity);
    this.prio = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.jobs.length = capacity;
  }

  /** Adds a job that arrived at `time`; `service` < 0 means "draw from the server's distribution". */
  push(job: J, time: number, service: number, priority: number): void {
    if (this.size === this.enq.length) this.grow();
    if (this.discipline === "fifo") {
      const i = (this.head + this.size) % this.enq.length;
      this.jobs[i] = job;
      this.enq[i] = time;
      this.svc[i] = service;
      this.size++;
      return;
    }
    let i = this.size++;
    const s = this.nextSeq++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!goesFirst(priority, s, this.prio[p] as number, this.seq[p] as number)) break;
      this.move(p, i);
      i = p;
    }
    this.jobs[i] = job;
    this.enq[i] = time;
    this.svc[i] = service;
    this.prio[i] = priority;
    this.seq[i] = s;
  }

  /** Removes the next job; fills `out` with its arrival time and requested service. */
  shift(out: { arrival: number; service: number }): J {
    if (this.discipline === "fifo") {
      const i = this.head;
      const job = this.jobs[i] as J;
      out.arrival = this.enq[i] as number;
      out.service = this.svc[i] as number;
      this.jobs[i] = undefined;
      this.head = (i + 1) % this.enq.length;
      this.size--;
      return job;
    }
    const job = this.jobs[0] as J;
    out.arrival = this.enq[0] as number;
    out.service = this.svc[0] as number;
    const n = --this.size;
    if (n > 0) {
      const lastJob = this.jobs[n] as J;
      const lt = this.enq[n] as number;
      const ls = this.svc[n] as number;
      const lp = this.prio[n] as number;
      const lq = this.seq[n] as number;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (
          r < n &&
          goesFirst(this.prio[r] as number, this.seq[r] as number, this.prio[c] as number, this.seq[c] as number)
        ) {
          c = r;
        }
        if (!goesFirst(this.prio[c] as number, this.seq[c] as number, lp, lq)) break;
        this.move(c, i);
        i = c;
      }
      this.jobs[i] = lastJob;
      this.enq[i] = lt;
      this.svc[i] = ls;
      this.prio[i] = lp;
      this.seq[i] = lq;
    }
    this.jobs[n] = undefined;
    return job;
  }

  private move(from: number, to: number): void {
    this.jobs[to] = this.jobs[from];
    this.enq[to] = this.enq[from] as number;
    this.svc[to] = this.svc[from] as number;
    this.prio[to] = this.prio[from] as number;
    this.seq[to] = this.seq[from] as number;
  }

  private grow(): void {
    const old = this.enq.length;
    const n = old * 2;
    const jobs: (J | undefined)[] = new Array(n);
    const enq = new Float64Array(n);
    const svc = new Float64Array(n);
    const prio = new Float64Array(n);
    const seq = new Float64Array(n);
    for (let k = 0; k < this.size; k++) {
      // FIFO unrolls the ring; the heap is stored from index 0 already (head stays 0).
      const i = (this.head + k) % old;
      jobs[k] = this.jobs[i];
      enq[k] = this.enq[i] as number;
      svc[k] = this.svc[i] as number;
      prio[k] = this.prio[i] as number;
      seq[k] = this.seq[i] as number;
    }
    this.head = 0;
    this.jobs = jobs;
    this.enq = enq;
    this.svc = svc;
    this.prio = prio;
    this.seq = seq;
  }
}

// Higher priority first; equal priorities in arrival order.
function goesFirst(p: number, s: number, op: number, os: number): boolean {
  return p > op || (p === op && s < os);
}

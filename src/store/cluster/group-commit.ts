import type { Distribution } from "../../engine/distributions.js";
import type { Rng } from "../../engine/rng.js";
import type { ActionId, Simulation } from "../../engine/simulation.js";

/**
 * A write-ahead log disk with group commit: entries appended while an fsync is in flight wait
 * for the next one, which covers all of them. This is how raft's WAL batches proposals under
 * load, so one fsync's latency is paid per batch, not per entry.
 */
export class GroupCommitDisk {
  private readonly sim: Simulation;
  private readonly fsync: Distribution;
  private readonly rng: Rng;
  private busy = false;
  private waiting: (() => void)[] = [];
  private inFlight: (() => void)[] = [];
  private readonly done: ActionId;
  /** fsyncs performed and entries they covered. */
  syncs = 0;
  entries = 0;
  /** While false (member stopped) nothing completes; callbacks queued are dropped on stop. */
  up = true;

  constructor(sim: Simulation, fsync: Distribution, rng: Rng) {
    this.sim = sim;
    this.fsync = fsync;
    this.rng = rng;
    this.done = sim.action(() => this.finish());
  }

  /** Appends an entry; `durable` runs once an fsync covering it has finished. */
  append(durable: () => void): void {
    if (!this.up) return;
    this.waiting.push(durable);
    if (!this.busy) this.start();
  }

  /** Drops everything pending (the member crashed). */
  crash(): void {
    this.up = false;
    this.waiting = [];
    this.inFlight = [];
  }

  /** Brings the disk back after a restart. */
  restart(): void {
    this.up = true;
  }

  private start(): void {
    this.busy = true;
    this.inFlight = this.waiting;
    this.waiting = [];
    this.syncs++;
    this.entries += this.inFlight.length;
    this.sim.post(this.fsync.sampleInt(this.rng), this.done, 0);
  }

  private finish(): void {
    this.busy = false;
    const batch = this.inFlight;
    this.inFlight = [];
    if (this.up) for (const cb of batch) cb();
    if (this.waiting.length > 0 && this.up) this.start();
  }
}

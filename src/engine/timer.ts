import type { Rng } from "./rng.js";
import type { EventId, Simulation } from "./simulation.js";
import type { Micros } from "./time.js";

export interface PeriodicOptions {
  /** Base period in µs. */
  period: Micros;
  /**
   * Jitter factor as in Kubernetes' `wait.JitterUntil`: each wait is
   * `period + u * jitterFactor * period` with u uniform in [0, 1). 0 disables jitter.
   */
  jitterFactor?: number;
  /**
   * Sliding (the JitterUntil default): the period starts after the tick's work ends.
   * Non-sliding: it starts when the tick starts, and a tick that overruns is followed at once.
   */
  sliding?: boolean;
  /** Run the first tick at start (JitterUntil does); otherwise wait one period first. */
  immediate?: boolean;
  /** Stream for jitter draws; required when jitterFactor > 0. */
  rng?: Rng;
}

/**
 * A tick callback. It may return the virtual time its work occupies (µs), which delays the
 * next tick under sliding timing and can overrun the period otherwise.
 */
export type Tick = () => Micros | undefined;

/** A repeating timer in the style of `wait.JitterUntil`. */
export class PeriodicTimer {
  private readonly sim: Simulation;
  private readonly opts: Required<Omit<PeriodicOptions, "rng">> & { rng: Rng | undefined };
  private readonly tick: Tick;
  private next: EventId = -1;
  private running = false;
  private readonly fire: () => void;
  ticks = 0;

  constructor(sim: Simulation, options: PeriodicOptions, tick: Tick) {
    if (!(Number.isSafeInteger(options.period) && options.period > 0)) {
      throw new RangeError("periodic timer: period must be a positive whole number of µs");
    }
    const jitterFactor = options.jitterFactor ?? 0;
    if (jitterFactor > 0 && options.rng === undefined) {
      throw new RangeError("periodic timer: a jittered timer needs an rng stream");
    }
    this.sim = sim;
    this.opts = {
      period: options.period,
      jitterFactor,
      sliding: options.sliding ?? true,
      immediate: options.immediate ?? true,
      rng: options.rng,
    };
    this.tick = tick;
    this.fire = () => this.onFire();
  }

  /** Starts ticking (no-op if already running). */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.next = this.opts.immediate ? this.sim.after(0, this.fire) : this.sim.after(this.wait(), this.fire);
    return this;
  }

  /** Stops ticking; a pending tick is cancelled. */
  stop(): void {
    this.running = false;
    this.sim.cancel(this.next);
  }

  get isRunning(): boolean {
    return this.running;
  }

  private onFire(): void {
    this.ticks++;
    // Non-sliding: the period is measured from the tick's start (Go starts the timer first).
    const periodStart = this.sim.now;
    const prewait = this.opts.sliding ? 0 : this.wait();
    const work = this.tick() ?? 0;
    if (!this.running) return;
    const workEnd = this.sim.now + Math.max(0, Math.round(work));
    const at = this.opts.sliding ? workEnd + this.wait() : Math.max(workEnd, periodStart + prewait);
    this.next = this.sim.at(at, this.fire);
  }

  private wait(): Micros {
    const { period, jitterFactor, rng } = this.opts;
    if (jitterFactor <= 0 || rng === undefined) return period;
    // wait.Jitter(d, f) = d + rand.Float64() * f * d, truncated to a whole duration unit.
    return period + Math.floor(rng.next() * jitterFactor * period);
  }
}

/** A source of virtual time in microseconds. */
export interface Clock {
  now(): number;
}

/** A clock moved by hand, for tests and library use outside a simulation. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  /** Moves time forward by `us` microseconds. */
  advance(us: number): void {
    this.t += us;
  }
  /** Sets the time (µs). */
  set(us: number): void {
    this.t = us;
  }
}

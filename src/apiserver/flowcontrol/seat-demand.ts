// Seat demand of a priority level over time, the input of APF's borrowing adjustment.
// Upstream: fairqueuing/integrator.go (time-weighted moments of a gauge) and the
// seatDemandStats of apf_controller.go (envelope = average + standard deviation, smoothed with
// coefficient 0.977 per 10 s adjustment, a half-life of about 5 minutes).
import type { Micros } from "../../engine/time.js";

/** Upstream seatDemandSmoothingCoefficient. */
export const SEAT_DEMAND_SMOOTHING = 0.977;

export interface IntegratorResults {
  /** Seconds integrated. */
  duration: number;
  average: number;
  /** Standard deviation; NaN when undefined (no time elapsed or rounding). */
  deviation: number;
  min: number;
  max: number;
}

/** Time-weighted average, deviation, min and max of a piecewise-constant value. */
export class Integrator {
  private lastTime: Micros;
  private x = 0;
  private elapsed = 0;
  private ix = 0;
  private ixx = 0;
  private min = 0;
  private max = 0;

  constructor(now: Micros) {
    this.lastTime = now;
  }

  get value(): number {
    return this.x;
  }

  /** The value changes to `x` at time `now`. */
  set(now: Micros, x: number): void {
    this.advance(now);
    this.x = x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Results of integrating up to `now`; integration restarts at `now`. */
  reset(now: Micros): IntegratorResults {
    this.advance(now);
    const duration = this.elapsed;
    let average = Number.NaN;
    let deviation = Number.NaN;
    if (duration > 0) {
      average = this.ix / duration;
      const variance = this.ixx / duration - average * average;
      if (variance >= 0) deviation = Math.sqrt(variance);
    }
    const results = { duration, average, deviation, min: this.min, max: this.max };
    this.elapsed = 0;
    this.ix = 0;
    this.ixx = 0;
    this.min = this.x;
    this.max = this.x;
    return results;
  }

  private advance(now: Micros): void {
    const dt = (now - this.lastTime) / 1e6;
    this.lastTime = now;
    if (dt <= 0) return;
    this.elapsed += dt;
    this.ix += this.x * dt;
    this.ixx += this.x * this.x * dt;
  }
}

/** apf_controller.go seatDemandStats: the figures one borrowing adjustment uses. */
export class SeatDemandStats {
  avg = 0;
  stdDev = 0;
  highWatermark = 0;
  smoothed = 0;

  update(obs: IntegratorResults): void {
    this.highWatermark = obs.max;
    if (obs.duration <= 0) return;
    const dev = Number.isNaN(obs.deviation) ? 0 : obs.deviation;
    this.avg = obs.average;
    this.stdDev = dev;
    const envelope = obs.average + dev;
    this.smoothed = Math.max(envelope, SEAT_DEMAND_SMOOTHING * this.smoothed + (1 - SEAT_DEMAND_SMOOTHING) * envelope);
  }
}

import type { Distribution } from "../engine/distributions.js";
import type { Micros } from "../engine/time.js";

/** One queueing station of the demo pipeline (an M/M/c server when both times are exponential). */
export interface StationSpec {
  name: string;
  workers: number;
  service: Distribution;
}

/** The engine demo: jobs arrive and pass through the stations in order. */
export interface QueueingDemoSpec {
  arrivals: Distribution;
  stations: StationSpec[];
  /** Interval of the throughput time series. */
  sampleInterval: Micros;
}

/** A validated scenario. */
export interface Scenario {
  name: string;
  seed: number | string;
  /** Virtual time to simulate. */
  duration: Micros;
  /** Guard against runaway models. */
  maxEvents: number;
  queueingDemo: QueueingDemoSpec | undefined;
}

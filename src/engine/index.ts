// The simulation core: virtual clock, calendar, seeded streams, distributions, queueing.
export { Actor } from "./actor.js";
export { type Calendar, type CalendarKind, createCalendar, FpqCalendar, TypedHeapCalendar } from "./calendar.js";
export {
  Constant,
  type Distribution,
  EmpiricalQuantiles,
  EmpiricalSamples,
  Exponential,
  LogNormal,
  parseDistribution,
  TruncatedNormal,
  Uniform,
} from "./distributions.js";
export { Described, describeValue, InputError, SimulationLimitError } from "./errors.js";
export { Rng } from "./rng.js";
export { Server, type ServerOptions } from "./server.js";
export { type EventId, type Handler, Simulation, type SimulationOptions, type SimulationStats } from "./simulation.js";
export { OnlineStats, TimeWeighted } from "./stats.js";
export { formatDuration, HOUR, MILLISECOND, MINUTE, type Micros, parseDuration, SECOND } from "./time.js";
export { type PeriodicOptions, PeriodicTimer, type Tick } from "./timer.js";

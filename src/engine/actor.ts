import type { Rng } from "./rng.js";
import type { EventId, Handler, Simulation } from "./simulation.js";
import type { Micros } from "./time.js";

/**
 * The actor convention every component follows:
 * - an actor has a unique name and owns its state; nothing else mutates it;
 * - handlers are methods bound once (arrow-function fields), scheduled with an argument
 *   instead of a fresh closure, so the hot path allocates nothing;
 * - random draws come only from the actor's own named streams (`<actor>/<stream>`), so adding
 *   an actor never shifts another actor's draws;
 * - actors interact only through explicit public methods (later: through the API server).
 */
export abstract class Actor {
  readonly sim: Simulation;
  readonly name: string;

  constructor(sim: Simulation, name: string) {
    this.sim = sim;
    this.name = name;
  }

  /** The actor's own random stream named `<actor>/<stream>`. */
  protected rng(stream: string): Rng {
    return this.sim.rng(`${this.name}/${stream}`);
  }

  /** Schedules one of this actor's handlers after `delay` µs. */
  protected after<A>(delay: Micros, fn: Handler<A>, arg: A): EventId {
    return this.sim.after(delay, fn, arg);
  }

  /** Current virtual time in µs. */
  protected get now(): Micros {
    return this.sim.now;
  }
}

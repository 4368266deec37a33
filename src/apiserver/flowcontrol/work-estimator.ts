// Work estimation: how many seats a request occupies and for how long after it finishes.
// Follows upstream staging/src/k8s.io/apiserver/pkg/util/flowcontrol/request/
// (width.go, config.go, list_work_estimator.go seatsBasedOnObjectCount, mutating_work_estimator.go).
import type { RequestAttributes } from "./types.js";

export interface WorkEstimatorOptions {
  /** Minimum seats of any request (upstream minimumSeats = 1). */
  minimumSeats?: number;
  /** Maximum seats of a LIST or of a mutating request's final phase (upstream maximumSeats = 10). */
  maximumSeats?: number;
  /** LIST: objects processed per seat (upstream objectsPerSeat = 100). */
  objectsPerSeat?: number;
  /** Mutating: watchers notified per final seat (upstream watchesPerSeat = 10). */
  watchesPerSeat?: number;
  /** Mutating: time one event costs a final seat, µs (upstream eventAdditionalDuration = 5 ms). */
  eventAdditionalDurationUs?: number;
}

/** Seats in the main phase; seats held for `additionalLatencyUs` after the request finishes. */
export interface WorkEstimate {
  initialSeats: number;
  finalSeats: number;
  additionalLatencyUs: number;
}

export const DEFAULT_WORK_ESTIMATOR: Required<WorkEstimatorOptions> = {
  minimumSeats: 1,
  maximumSeats: 10,
  objectsPerSeat: 100,
  watchesPerSeat: 10,
  eventAdditionalDurationUs: 5_000,
};

/** max(initialSeats, finalSeats): what a request reserves for its whole life (WorkEstimate.MaxSeats). */
export function maxSeats(we: WorkEstimate): number {
  return we.initialSeats >= we.finalSeats ? we.initialSeats : we.finalSeats;
}

/** Estimates the work of requests; `levelMaxSeats` is the priority level's seat cap (0: none). */
export class WorkEstimator {
  private readonly o: Required<WorkEstimatorOptions>;
  private readonly one: WorkEstimate;

  constructor(options: WorkEstimatorOptions = {}) {
    this.o = { ...DEFAULT_WORK_ESTIMATOR, ...options };
    for (const [k, v] of Object.entries(this.o)) {
      if (!(typeof v === "number" && Number.isFinite(v) && v >= (k === "eventAdditionalDurationUs" ? 0 : 1))) {
        throw new RangeError(`work estimator: ${k} must be a number >= 1, got ${String(v)}`);
      }
    }
    this.one = Object.freeze({ initialSeats: this.o.minimumSeats, finalSeats: 0, additionalLatencyUs: 0 });
  }

  get options(): Readonly<Required<WorkEstimatorOptions>> {
    return this.o;
  }

  /** The work estimate of `req` in a priority level whose max-seats tracker says `levelMaxSeats`. */
  estimate(req: RequestAttributes, levelMaxSeats: number): WorkEstimate {
    switch (req.verb) {
      case "list":
        return this.list(req, levelMaxSeats);
      case "create":
      case "update":
      case "patch":
      case "delete":
        return this.mutating(req, levelMaxSeats);
      default:
        // get, watch (without sendInitialEvents), deletecollection, non-resource requests.
        return this.one;
    }
  }

  private cap(levelMaxSeats: number): number {
    return levelMaxSeats === 0 || levelMaxSeats > this.o.maximumSeats ? this.o.maximumSeats : levelMaxSeats;
  }

  /**
   * LIST: one seat per `objectsPerSeat` objects processed. The caller gives the count the list
   * touches (upstream derives it from the stored object count: numStored from the watch cache,
   * 2 x limit from etcd without selectors, numStored + limit with selectors). A LIST naming one
   * object costs one object. Unknown counts cost the minimum, as upstream does for resources
   * whose count it does not track.
   */
  private list(req: RequestAttributes, levelMaxSeats: number): WorkEstimate {
    const n = req.name !== undefined && req.name !== "" ? 1 : req.estimatedObjects;
    if (n === undefined) return this.one;
    let seats = Math.ceil(Math.max(0, n) / this.o.objectsPerSeat);
    const max = this.cap(levelMaxSeats);
    if (seats < this.o.minimumSeats) seats = this.o.minimumSeats;
    if (seats > max) seats = max;
    return seats === this.o.minimumSeats ? this.one : { initialSeats: seats, finalSeats: 0, additionalLatencyUs: 0 };
  }

  /**
   * Mutating requests: one seat while executing; afterwards ceil(watchers / watchesPerSeat)
   * final seats for eventAdditionalDuration, reshaped to at most `maximumSeats` seats for
   * proportionally longer (same seat-time), only when at least watchesPerSeat watchers are
   * notified. Creating a service account token produces no event.
   */
  private mutating(req: RequestAttributes, levelMaxSeats: number): WorkEstimate {
    if (req.resource === "serviceaccounts" && req.subresource === "token") return this.one;
    const watchers = req.watchersToNotify ?? 0;
    if (watchers < this.o.watchesPerSeat) return this.one;
    let finalSeats = Math.ceil(watchers / this.o.watchesPerSeat);
    const finalWork = finalSeats * this.o.eventAdditionalDurationUs; // seat-µs
    const max = this.cap(levelMaxSeats);
    if (finalSeats > max) finalSeats = max;
    return { initialSeats: 1, finalSeats, additionalLatencyUs: Math.round(finalWork / finalSeats) };
  }
}

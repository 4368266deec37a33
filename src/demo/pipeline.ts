import { Actor } from "../engine/actor.js";
import { Exponential } from "../engine/distributions.js";
import { mmcMeanWait } from "../engine/queueing-theory.js";
import { Server } from "../engine/server.js";
import type { Simulation } from "../engine/simulation.js";
import { PeriodicTimer } from "../engine/timer.js";
import type { CsvWriter } from "../metrics/csv-writer.js";
import { Histogram } from "../metrics/histogram.js";
import type { QueueingDemoSpec } from "../scenario/scenario.js";

interface Job {
  id: number;
  arrival: number;
  stage: number;
}

/** Output sinks of the pipeline demo. */
export interface PipelineSinks {
  /** One row per job per station. */
  jobs: CsvWriter;
  /** One row per station per sample interval. */
  throughput: CsvWriter;
}

export const JOB_COLUMNS = ["job", "station", "arrival_us", "start_us", "wait_us", "service_us"] as const;
export const THROUGHPUT_COLUMNS = [
  "time_s",
  "station",
  "completed",
  "throughput_per_s",
  "queue_length",
  "busy_workers",
] as const;

/**
 * The engine demo: Poisson-style arrivals pass through a line of c-worker stations. With
 * exponential times each station is an M/M/c queue (Burke's theorem keeps departures Poisson),
 * so the summary can set every simulated mean wait beside its Erlang C value.
 */
export class Pipeline extends Actor {
  private readonly spec: QueueingDemoSpec;
  private readonly stations: Server<Job>[];
  private readonly waits: Histogram[];
  private readonly endToEnd = new Histogram();
  private readonly windowDone: Float64Array;
  private readonly arrivalsRng = this.rng("arrivals");
  private readonly sinks: PipelineSinks;
  private readonly sampler: PeriodicTimer;
  private nextId = 0;
  private stopAt = 0;

  constructor(sim: Simulation, spec: QueueingDemoSpec, sinks: PipelineSinks) {
    super(sim, "pipeline");
    this.spec = spec;
    this.sinks = sinks;
    this.waits = spec.stations.map(() => new Histogram());
    this.windowDone = new Float64Array(spec.stations.length);
    this.stations = spec.stations.map(
      (s, i) =>
        new Server<Job>(sim, {
          name: s.name,
          workers: s.workers,
          service: s.service,
          rng: sim.rng(`station/${s.name}/service`),
          onComplete: (job, wait, svc) => this.done(i, job, wait, svc),
        }),
    );
    this.sampler = new PeriodicTimer(sim, { period: spec.sampleInterval, immediate: false }, () => this.sample());
  }

  /** Starts arrivals, which stop at `until` (µs); jobs already inside finish. */
  start(until: number): void {
    this.stopAt = until;
    this.sampler.start();
    this.after(0, this.arrive, undefined);
  }

  /** Stops the throughput sampler (call when the run ends). */
  stop(): void {
    this.sampler.stop();
  }

  private readonly arrive = (): void => {
    const job: Job = { id: this.nextId++, arrival: this.now, stage: 0 };
    (this.stations[0] as Server<Job>).submit(job);
    const next = this.now + this.spec.arrivals.sampleInt(this.arrivalsRng);
    if (next < this.stopAt) this.sim.at(next, this.arrive);
  };

  private done(i: number, job: Job, wait: number, svc: number): void {
    const now = this.now;
    this.sinks.jobs.write([
      job.id,
      (this.spec.stations[i] as { name: string }).name,
      now - wait - svc,
      now - svc,
      wait,
      svc,
    ]);
    (this.waits[i] as Histogram).record(wait);
    this.windowDone[i]++;
    if (i + 1 < this.stations.length) {
      job.stage = i + 1;
      (this.stations[i + 1] as Server<Job>).submit(job);
    } else {
      this.endToEnd.record(now - job.arrival);
    }
  }

  private sample(): undefined {
    const secs = this.spec.sampleInterval / 1e6;
    for (let i = 0; i < this.stations.length; i++) {
      const s = this.stations[i] as Server<Job>;
      const n = this.windowDone[i] as number;
      this.sinks.throughput.write([round6(this.now / 1e6), s.name, n, round6(n / secs), s.queued, s.inService]);
      this.windowDone[i] = 0;
    }
    return undefined;
  }

  /** Per-station and end-to-end results, with Erlang C where the model is M/M/c. */
  summary(): object {
    const arrivalMean = this.spec.arrivals.mean();
    return {
      jobsArrived: this.nextId,
      stations: this.stations.map((s, i) => {
        const spec = this.spec.stations[i] as QueueingDemoSpec["stations"][number];
        const waits = (this.waits[i] as Histogram).summary();
        const mmc = this.spec.arrivals instanceof Exponential && spec.service instanceof Exponential;
        const analytic = mmc ? mmcMeanWait(s.workers, 1 / arrivalMean, 1 / spec.service.mean()) : null;
        return {
          name: s.name,
          workers: s.workers,
          service: spec.service.text,
          completed: s.completed,
          offeredUtilization: round6(spec.service.mean() / arrivalMean / s.workers),
          utilization: round6(s.utilization()),
          meanQueueLength: round6(s.queueLength.average(this.now)),
          wait_us: waits,
          meanService_us: round6(s.serviceTimes.mean),
          erlangCMeanWait_us: analytic === null ? null : round6(analytic),
        };
      }),
      endToEnd_us: this.endToEnd.summary(),
    };
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

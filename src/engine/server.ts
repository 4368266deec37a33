import type { Distribution } from "./distributions.js";
import { JobQueue } from "./job-queue.js";
import type { Rng } from "./rng.js";
import type { ActionId, Simulation } from "./simulation.js";
import { OnlineStats, TimeWeighted } from "./stats.js";
import type { Micros } from "./time.js";

export interface ServerOptions<J> {
  /** Name used in reports. */
  name: string;
  /** Number of parallel workers (c in M/M/c). */
  workers: number;
  /** Service time in µs, used when a job does not bring its own. */
  service?: Distribution;
  /** Random stream for service times (defaults to the `<name>.service` stream). */
  rng?: Rng;
  /** Queue discipline: FIFO, or priority (higher first, FIFO among equals). */
  discipline?: "fifo" | "priority";
  /** Most jobs allowed to wait; `submit` returns false beyond it. Default unbounded. */
  queueLimit?: number;
  /** Called when a job finishes, with its waiting and service times in µs. */
  onComplete?: (job: J, waitUs: Micros, serviceUs: Micros) => void;
}

/**
 * A multi-server queue: c workers, a waiting line and a service-time distribution, recording
 * waiting and service times and time-averaged queue length and utilisation.
 */
export class Server<J = unknown> {
  readonly name: string;
  readonly workers: number;
  readonly waiting = new OnlineStats();
  readonly serviceTimes = new OnlineStats();
  readonly queueLength: TimeWeighted;
  readonly busy: TimeWeighted;
  rejected = 0;
  completed = 0;

  private readonly sim: Simulation;
  private readonly service: Distribution | undefined;
  private readonly rng: Rng;
  private readonly queue: JobQueue<J>;
  private readonly queueLimit: number;
  private readonly onComplete: ((job: J, waitUs: Micros, serviceUs: Micros) => void) | undefined;
  private readonly idle: Int32Array;
  private idleTop: number;
  private readonly workerJob: (J | undefined)[];
  private readonly workerWait: Float64Array;
  private readonly workerService: Float64Array;
  private readonly head = { arrival: 0, service: 0 };
  private readonly finish: ActionId;

  constructor(sim: Simulation, options: ServerOptions<J>) {
    if (!(Number.isInteger(options.workers) && options.workers > 0)) {
      throw new RangeError(`server ${options.name}: workers must be a positive integer`);
    }
    this.sim = sim;
    this.name = options.name;
    this.workers = options.workers;
    this.service = options.service;
    this.rng = options.rng ?? sim.rng(`${options.name}.service`);
    this.queue = new JobQueue<J>(options.discipline ?? "fifo");
    this.queueLimit = options.queueLimit ?? Number.POSITIVE_INFINITY;
    this.onComplete = options.onComplete;
    this.idle = new Int32Array(this.workers);
    // Lowest-numbered idle worker is used first, so runs are reproducible worker by worker.
    for (let w = 0; w < this.workers; w++) this.idle[w] = this.workers - 1 - w;
    this.idleTop = this.workers;
    this.workerJob = new Array(this.workers);
    this.workerWait = new Float64Array(this.workers);
    this.workerService = new Float64Array(this.workers);
    this.queueLength = new TimeWeighted(sim.now);
    this.busy = new TimeWeighted(sim.now);
    this.finish = sim.action((w) => this.complete(w));
  }

  /**
   * Offers a job. `serviceUs` overrides the distribution for this job; `priority` orders the
   * line under the priority discipline. Returns false if the line is full (job rejected).
   */
  submit(job: J, serviceUs = -1, priority = 0): boolean {
    if (this.idleTop > 0) {
      this.start(job, this.sim.now, serviceUs);
      return true;
    }
    if (this.queue.size >= this.queueLimit) {
      this.rejected++;
      return false;
    }
    this.queue.push(job, this.sim.now, serviceUs, priority);
    this.queueLength.set(this.sim.now, this.queue.size);
    return true;
  }

  /** Jobs waiting (not in service). */
  get queued(): number {
    return this.queue.size;
  }

  /** Workers currently serving. */
  get inService(): number {
    return this.workers - this.idleTop;
  }

  /** Mean fraction of workers busy since the server was created. */
  utilization(): number {
    return this.busy.average(this.sim.now) / this.workers;
  }

  private start(job: J, arrival: number, serviceUs: number): void {
    const now = this.sim.now;
    const w = this.idle[--this.idleTop] as number;
    let s = serviceUs;
    if (s < 0) {
      if (this.service === undefined) throw new Error(`server ${this.name}: job has no service time`);
      s = this.service.sampleInt(this.rng);
    }
    this.workerJob[w] = job;
    this.workerWait[w] = now - arrival;
    this.workerService[w] = s;
    this.busy.set(now, this.workers - this.idleTop);
    this.sim.post(s, this.finish, w);
  }

  private complete(w: number): void {
    const job = this.workerJob[w] as J;
    const wait = this.workerWait[w] as number;
    const svc = this.workerService[w] as number;
    this.workerJob[w] = undefined;
    this.idle[this.idleTop++] = w;
    this.waiting.add(wait);
    this.serviceTimes.add(svc);
    this.completed++;
    const now = this.sim.now;
    if (this.queue.size > 0) {
      const next = this.queue.shift(this.head);
      this.queueLength.set(now, this.queue.size);
      this.start(next, this.head.arrival, this.head.service);
    } else {
      this.busy.set(now, this.workers - this.idleTop);
    }
    this.onComplete?.(job, wait, svc);
  }
}

// Engine hold model: pop the earliest event, schedule one at now + exponential delay.
// Run as a child process per case (see bench/run.ts) so JIT state never leaks between cases.
import FastPriorityQueue from "fastpriorityqueue";
import { TypedHeapCalendar } from "../src/engine/calendar.js";
import { Exponential } from "../src/engine/distributions.js";
import { Rng } from "../src/engine/rng.js";
import { Simulation } from "../src/engine/simulation.js";
import { argValue, type BenchRow, measure } from "./lib/harness.js";

export const IMPLS = [
  "engine-post/typed-heap",
  "engine-post/fastpriorityqueue",
  "engine-after/typed-heap",
  "engine-after/fastpriorityqueue",
  "raw/typed-heap",
  "raw/fastpriorityqueue",
] as const;

const BATCH = 100_000;
const MASK = (1 << 16) - 1;

/** Integer µs delays, exponential with mean 1 ms, drawn once so RNG cost is not timed. */
function delays(): Float64Array {
  const d = new Exponential(1000);
  const rng = new Rng(1, "bench/hold");
  const out = new Float64Array(MASK + 1);
  for (let i = 0; i <= MASK; i++) out[i] = Math.max(1, d.sampleInt(rng));
  return out;
}

type Calendar = "typed-heap" | "fastpriorityqueue";

/** Fast path: a registered action with a numeric argument (the event's entity index). */
function enginePost(size: number, calendar: Calendar): () => void {
  const sim = new Simulation({ calendar, initialCapacity: size });
  const del = delays();
  let k = 0;
  let done = 0;
  // The empty handler: reschedule itself, stop the run when the batch is complete.
  const hold = sim.action((entity) => {
    sim.post(del[k++ & MASK] as number, hold, entity);
    if (++done === BATCH) sim.stop();
  });
  for (let i = 0; i < size; i++) sim.post(del[k++ & MASK] as number, hold, i);
  return () => {
    done = 0;
    sim.runUntilIdle();
  };
}

/** General path: a function and an argument kept in the slot table, cancellable. */
function engineAfter(size: number, calendar: Calendar): () => void {
  const sim = new Simulation({ calendar, initialCapacity: size });
  const del = delays();
  let k = 0;
  let done = 0;
  const hold = (entity: number): void => {
    sim.after(del[k++ & MASK] as number, hold, entity);
    if (++done === BATCH) sim.stop();
  };
  for (let i = 0; i < size; i++) sim.after(del[k++ & MASK] as number, hold, i);
  return () => {
    done = 0;
    sim.runUntilIdle();
  };
}

function rawTypedHeap(size: number): () => void {
  const heap = new TypedHeapCalendar(size);
  const del = delays();
  let k = 0;
  let seq = 0;
  for (let i = 0; i < size; i++) heap.push(del[k++ & MASK] as number, seq++, i);
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const t = heap.peekTime();
      const id = heap.pop();
      heap.push(t + (del[k++ & MASK] as number), seq++, id);
    }
  };
}

interface Ev {
  time: number;
  seq: number;
  id: number;
}

function rawFpq(size: number): () => void {
  const q = new FastPriorityQueue<Ev>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  const del = delays();
  let k = 0;
  let seq = 0;
  for (let i = 0; i < size; i++) q.add({ time: del[k++ & MASK] as number, seq: seq++, id: i });
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const e = q.poll() as Ev;
      q.add({ time: e.time + (del[k++ & MASK] as number), seq: seq++, id: e.id });
    }
  };
}

function run(impl: string, size: number, timeMs: number): BenchRow {
  const [kind, calendar] = impl.split("/") as [string, Calendar];
  const make: Record<string, (n: number, c: Calendar) => () => void> = {
    "engine-post": enginePost,
    "engine-after": engineAfter,
    raw: (n, c) => (c === "typed-heap" ? rawTypedHeap(n) : rawFpq(n)),
  };
  const factory = make[kind];
  if (factory === undefined || !(IMPLS as readonly string[]).includes(impl)) throw new Error(`unknown impl ${impl}`);
  const fn = factory(size, calendar);
  const m = measure(fn, BATCH, timeMs);
  return { suite: "engine-hold", case: "hold", impl, size, ...m };
}

if (process.argv[1]?.endsWith("engine-hold.js")) {
  const row = run(
    argValue("impl", "engine-post/typed-heap"),
    Number(argValue("size", "100000")),
    Number(argValue("time", "2000")),
  );
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

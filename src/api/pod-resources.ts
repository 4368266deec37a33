/**
 * Effective pod requests, as kube-scheduler computes them (kube-scheduler.md §4.1; upstream
 * k8s.io/component-helpers/resource/helpers.go `PodRequests` / `AggregateContainerRequests`,
 * and `Resource.Add` in pkg/scheduler/framework/types.go for the unit conversions):
 *
 *   regular(r) = Σ app containers' request(r)
 *   init containers in order, S = running sum of sidecars (restartPolicy: Always):
 *     sidecar i:  regular += req_i;  S += req_i;  peak_i = S
 *     other i:    peak_i = req_i + S
 *   podRequest(r) = max(regular(r), max_i peak_i(r)) + overhead(r)
 *
 * cpu is in millicores (ceil(q × 1000)), memory / ephemeral-storage / pods / scalar resources
 * in units (ceil(q)). Upstream sums exact quantities and rounds once at the end; we sum the
 * rounded values when every quantity is exact at its scale (always, for what kube-apiserver
 * stores: it rounds requests up to milli precision) and otherwise redo the pod with exact
 * BigInt arithmetic, so the result is always upstream's.
 *
 * The non-zero variant (NodeResourcesFit scoring, NonZeroRequested): per container, init or
 * regular, an absent `cpu` key counts as 100m and an absent `memory` key as 200 MiB; an
 * explicit 0 stays 0; other resources are unchanged (schedutil.DefaultMilliCPURequest /
 * DefaultMemoryRequest).
 *
 * Scalar resources are those `schedutil.IsScalarResourceName` accepts: extended resources
 * (a domain-prefixed name outside kubernetes.io), hugepages-*, attachable-volumes-* and
 * kubernetes.io/-prefixed names. Other names (e.g. "storage") are ignored, as upstream does.
 * Pod-level `spec.resources` (alpha before v1.34) is not modelled.
 */
import { InputError } from "../engine/errors.js";
import { parseQuantity, type Quantity } from "./quantity.js";
import type { Container, Pod, ResourceList } from "./types/core.js";
import { isQualifiedName } from "./validation.js";

/** Resource amounts in scheduler units (`framework.Resource`). */
export interface ResourceRecord {
  /** Millicores. */
  milliCPU: number;
  /** Bytes. */
  memory: number;
  /** Bytes. */
  ephemeralStorage: number;
  /** Pod count (meaningful for node allocatable). */
  pods: number;
  /** Extended, hugepages and attachable-volume resources, in units. */
  scalar: Map<string, number>;
}

/** Non-zero default cpu request per container, millicores (`DefaultMilliCPURequest`). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Non-zero default memory request per container, bytes (`DefaultMemoryRequest`, 200 MiB). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** A zeroed record. */
export function newResourceRecord(): ResourceRecord {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0, scalar: new Map() };
}

/** Zeroes a record in place. */
export function clearResourceRecord(r: ResourceRecord): void {
  r.milliCPU = 0;
  r.memory = 0;
  r.ephemeralStorage = 0;
  r.pods = 0;
  r.scalar.clear();
}

/** Adds `b` into `a` in place (node accounting when a pod is assumed or bound). */
export function addResourceRecord(a: ResourceRecord, b: ResourceRecord): void {
  a.milliCPU += b.milliCPU;
  a.memory += b.memory;
  a.ephemeralStorage += b.ephemeralStorage;
  a.pods += b.pods;
  for (const [k, v] of b.scalar) a.scalar.set(k, (a.scalar.get(k) ?? 0) + v);
}

/** Subtracts `b` from `a` in place (a pod leaves a node). */
export function subtractResourceRecord(a: ResourceRecord, b: ResourceRecord): void {
  a.milliCPU -= b.milliCPU;
  a.memory -= b.memory;
  a.ephemeralStorage -= b.ephemeralStorage;
  a.pods -= b.pods;
  for (const [k, v] of b.scalar) a.scalar.set(k, (a.scalar.get(k) ?? 0) - v);
}

// ---------------------------------------------------------------------------------------------
// Resource names

const scalarNames = new Map<string, boolean>();

/** `IsScalarResourceName`: extended, hugepages-*, attachable-volumes-* or kubernetes.io/ names. */
export function isScalarResourceName(name: string): boolean {
  let v = scalarNames.get(name);
  if (v === undefined) {
    const prefixedNative = name.includes("kubernetes.io/");
    const native = !name.includes("/") || prefixedNative;
    const extended = !native && !name.startsWith("requests.") && isQualifiedName(`requests.${name}`).length === 0;
    v = extended || name.startsWith("hugepages-") || prefixedNative || name.startsWith("attachable-volumes-");
    scalarNames.set(name, v);
  }
  return v;
}

const CPU = 0;
const MEMORY = 1;
const EPHEMERAL = 2;
const PODS = 3;
const SCALAR = 4;
const IGNORED = 5;

function slotOf(name: string): number {
  switch (name) {
    case "cpu":
      return CPU;
    case "memory":
      return MEMORY;
    case "ephemeral-storage":
      return EPHEMERAL;
    case "pods":
      return PODS;
    default:
      return isScalarResourceName(name) ? SCALAR : IGNORED;
  }
}

/** Puts `v` in the field of `out` that resource slot `slot` (named `name`) maps to. */
function store(out: ResourceRecord, slot: number, name: string, v: number): void {
  if (slot === CPU) out.milliCPU = v;
  else if (slot === MEMORY) out.memory = v;
  else if (slot === EPHEMERAL) out.ephemeralStorage = v;
  else if (slot === PODS) out.pods = v;
  else out.scalar.set(name, v);
}

/** A request value: a quantity string, or a bare number as YAML/JSON may carry it. */
function quantityOf(v: unknown, name: string): Quantity {
  if (typeof v === "string") return parseQuantity(v, name);
  if (typeof v === "number" && Number.isFinite(v)) return parseQuantity(String(v), name);
  throw new InputError(name, "a quantity", v);
}

// ---------------------------------------------------------------------------------------------
// Fast path: numbers in scheduler units. Scratch state is module-level and reused (the
// simulation is single-threaded), so a call allocates nothing unless scalar resources appear.

interface Acc {
  v: Float64Array; // cpu, memory, ephemeral, pods
  s: Map<string, number>;
}

function acc(): Acc {
  return { v: new Float64Array(4), s: new Map() };
}

const regular = acc();
const sidecars = acc();
const initPeak = acc();
const container = acc();
let inexact = false;

function reset(a: Acc): void {
  a.v.fill(0);
  if (a.s.size > 0) a.s.clear();
}

/** Reads one container's requests into `container`, applying non-zero defaults if asked. */
function readContainer(c: Container, nonZero: boolean): void {
  reset(container);
  const req = c.resources?.requests;
  if (req !== undefined) readList(req, container);
  if (nonZero) {
    if (req === undefined || !("cpu" in req)) container.v[CPU] = DEFAULT_MILLI_CPU_REQUEST;
    if (req === undefined || !("memory" in req)) container.v[MEMORY] = DEFAULT_MEMORY_REQUEST;
  }
}

/** Adds a ResourceList into an accumulator; flags `inexact` when rounding would differ upstream. */
function readList(list: ResourceList, into: Acc): void {
  for (const name in list) {
    const slot = slotOf(name);
    if (slot === IGNORED) continue;
    const q = quantityOf(list[name], name);
    if (slot === CPU) {
      if (!q.milliExact || Number.isNaN(q.milli)) inexact = true;
      into.v[CPU] = (into.v[CPU] as number) + q.milli;
    } else {
      if (!q.unitsExact || Number.isNaN(q.units)) inexact = true;
      if (slot === SCALAR) into.s.set(name, (into.s.get(name) ?? 0) + q.units);
      else into.v[slot] = (into.v[slot] as number) + q.units;
    }
  }
}

function addInto(a: Acc, b: Acc): void {
  for (let i = 0; i < 4; i++) a.v[i] = (a.v[i] as number) + (b.v[i] as number);
  for (const [k, v] of b.s) a.s.set(k, (a.s.get(k) ?? 0) + v);
}

/** a = max(a, b + c) per resource (c may be undefined). */
function maxInto(a: Acc, b: Acc, c: Acc | undefined): void {
  for (let i = 0; i < 4; i++) {
    const x = (b.v[i] as number) + (c === undefined ? 0 : (c.v[i] as number));
    if (x > (a.v[i] as number)) a.v[i] = x;
  }
  for (const [k, v] of b.s) {
    const x = v + (c?.s.get(k) ?? 0);
    if (x > (a.s.get(k) ?? 0)) a.s.set(k, x);
  }
  if (c !== undefined) {
    for (const [k, v] of c.s) {
      if (b.s.has(k)) continue;
      if (v > (a.s.get(k) ?? 0)) a.s.set(k, v);
    }
  }
}

function isSidecar(c: Container): boolean {
  return c.restartPolicy === "Always";
}

/**
 * Computes a pod's effective requests into `out` (cleared first) and returns it. With
 * `nonZero`, cpu and memory use the per-container scoring defaults. Throws InputError for a
 * request that is not a quantity, RangeError for a total beyond 2^53.
 */
export function computePodRequests(pod: Pod, out: ResourceRecord, nonZero = false): ResourceRecord {
  inexact = false;
  reset(regular);
  reset(sidecars);
  reset(initPeak);
  for (const c of pod.spec.containers ?? []) {
    readContainer(c, nonZero);
    addInto(regular, container);
  }
  for (const c of pod.spec.initContainers ?? []) {
    readContainer(c, nonZero);
    if (isSidecar(c)) {
      addInto(regular, container);
      addInto(sidecars, container);
      maxInto(initPeak, sidecars, undefined);
    } else {
      maxInto(initPeak, container, sidecars);
    }
  }
  maxInto(regular, initPeak, undefined);
  const overhead = pod.spec.overhead;
  if (overhead !== undefined) readList(overhead, regular);
  if (inexact) return exactPodRequests(pod, out, nonZero);
  out.milliCPU = regular.v[CPU] as number;
  out.memory = regular.v[MEMORY] as number;
  out.ephemeralStorage = regular.v[EPHEMERAL] as number;
  out.pods = regular.v[PODS] as number;
  out.scalar.clear();
  for (const [k, v] of regular.s) out.scalar.set(k, v);
  return out;
}

/** A fresh record with the pod's effective requests (see computePodRequests). */
export function podRequests(pod: Pod, nonZero = false): ResourceRecord {
  return computePodRequests(pod, newResourceRecord(), nonZero);
}

/**
 * Reads a ResourceList (e.g. node allocatable or capacity) into `out` (cleared first) in
 * scheduler units: cpu millicores, others ceil(value). Unknown non-scalar names are ignored.
 */
export function resourceListToRecord(list: ResourceList | undefined, out: ResourceRecord): ResourceRecord {
  clearResourceRecord(out);
  if (list === undefined) return out;
  for (const name in list) {
    const slot = slotOf(name);
    if (slot === IGNORED) continue;
    const q = quantityOf(list[name], name);
    const v = slot === CPU ? q.milli : q.units;
    if (Number.isNaN(v)) throw new RangeError(`${name} quantity ${String(list[name])} exceeds 2^53`);
    store(out, slot, name, v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Exact path: BigInt nanos, rounded once at the end like upstream. Only taken when some
// quantity is not a whole number of millicores (cpu) or units (everything else).

const NANOS_PER_MILLI = 1_000_000n;
const NANOS_PER_UNIT = 1_000_000_000n;
const DEFAULT_CPU_NANOS = BigInt(DEFAULT_MILLI_CPU_REQUEST) * NANOS_PER_MILLI;
const DEFAULT_MEMORY_NANOS = BigInt(DEFAULT_MEMORY_REQUEST) * NANOS_PER_UNIT;

type Exact = Map<string, bigint>;

function exactContainer(c: Container, nonZero: boolean): Exact {
  const m: Exact = new Map();
  const req = c.resources?.requests ?? {};
  for (const name of Object.keys(req)) {
    if (slotOf(name) !== IGNORED) m.set(name, quantityOf(req[name], name).nanos);
  }
  if (nonZero) {
    if (!("cpu" in req)) m.set("cpu", DEFAULT_CPU_NANOS);
    if (!("memory" in req)) m.set("memory", DEFAULT_MEMORY_NANOS);
  }
  return m;
}

function exactAdd(a: Exact, b: Exact): void {
  for (const [k, v] of b) a.set(k, (a.get(k) ?? 0n) + v);
}

function exactMax(a: Exact, b: Exact): void {
  for (const [k, v] of b) if (v > (a.get(k) ?? 0n)) a.set(k, v);
}

function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

function exactPodRequests(pod: Pod, out: ResourceRecord, nonZero: boolean): ResourceRecord {
  const reg: Exact = new Map();
  const side: Exact = new Map();
  const init: Exact = new Map();
  for (const c of pod.spec.containers ?? []) exactAdd(reg, exactContainer(c, nonZero));
  for (const c of pod.spec.initContainers ?? []) {
    const m = exactContainer(c, nonZero);
    if (isSidecar(c)) {
      exactAdd(reg, m);
      exactAdd(side, m);
      exactMax(init, side);
    } else {
      exactAdd(m, side);
      exactMax(init, m);
    }
  }
  exactMax(reg, init);
  const overhead = pod.spec.overhead ?? {};
  for (const name of Object.keys(overhead)) {
    if (slotOf(name) !== IGNORED) exactAdd(reg, new Map([[name, quantityOf(overhead[name], name).nanos]]));
  }
  clearResourceRecord(out);
  for (const [name, nanos] of reg) {
    const slot = slotOf(name);
    const big = ceilDiv(nanos, slot === CPU ? NANOS_PER_MILLI : NANOS_PER_UNIT);
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`pod ${pod.metadata.name ?? ""}: total ${name} request exceeds 2^53`);
    }
    store(out, slot, name, Number(big));
  }
  return out;
}

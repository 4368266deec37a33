import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { lookupResource } from "../api/resources.js";
import { Described, InputError } from "../engine/errors.js";
import { SECOND } from "../engine/time.js";
import type { EtcdClusterOptions } from "../store/cluster/etcd-cluster.js";
import type { EtcdLatency } from "../store/cluster/latency.js";
import { Fields } from "./fields.js";
import type {
  ApiLoadSpec,
  ControlPlaneSpec,
  EtcdDemoSpec,
  MemberFault,
  QueueingDemoSpec,
  Scenario,
  StationSpec,
} from "./scenario.js";

export const API_VERSION = "kubesim.io/v1alpha1";
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_TEXT = "a lowercase DNS label (letters, digits, '-')";

/** Reads and validates a scenario file; errors name the file and the field path. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(
      "",
      "a readable scenario file",
      new Described((e as NodeJS.ErrnoException).code ?? String(e)),
      file,
    );
  }
  try {
    return parseScenario(text);
  } catch (e) {
    if (e instanceof InputError) throw e.inFile(file);
    throw e;
  }
}

/** Parses and validates scenario YAML text. */
export function parseScenario(text: string): Scenario {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err?.linePos?.[0];
    const where = pos === undefined ? "" : `line ${pos.line}, column ${pos.col}`;
    throw new InputError(where, "valid YAML", new Described(err?.message.split("\n")[0] ?? "a parse error"));
  }
  return readScenario(doc.toJS());
}

/** Validates an already-parsed scenario document. */
export function readScenario(value: unknown): Scenario {
  const root = new Fields(value, "");
  const apiVersion = root.string("apiVersion");
  if (apiVersion !== API_VERSION) throw new InputError("apiVersion", `"${API_VERSION}"`, apiVersion);
  const kind = root.string("kind");
  if (kind !== "Scenario") throw new InputError("kind", '"Scenario"', kind);
  const meta = root.fields("metadata");
  const name = meta.string("name", undefined, NAME, NAME_TEXT);
  meta.raw("annotations");
  meta.raw("labels");
  meta.done();
  const spec = root.fields("spec");
  root.done();

  const seedRaw = spec.raw("seed");
  let seed: number | string = 1;
  if (seedRaw !== undefined) {
    if (!(typeof seedRaw === "string" || (typeof seedRaw === "number" && Number.isSafeInteger(seedRaw)))) {
      throw new InputError(spec.at("seed"), "an integer or a string", seedRaw);
    }
    seed = seedRaw;
  }
  const duration = spec.duration("duration");
  if (duration <= 0) throw new InputError(spec.at("duration"), "a positive duration", spec.raw("duration"));
  const maxEvents = spec.int("maxEvents", { min: 1, fallback: 1_000_000_000 });
  const demo = spec.optionalFields("queueingDemo");
  const queueingDemo = demo === undefined ? undefined : readQueueingDemo(demo);
  const etcd = spec.optionalFields("etcdDemo");
  const etcdDemo = etcd === undefined ? undefined : readEtcdDemo(etcd, duration);
  const cpFields = spec.optionalFields("controlPlane");
  const controlPlane = cpFields === undefined ? undefined : readControlPlane(cpFields);
  const load = spec.optionalFields("apiLoad");
  const apiLoad = load === undefined ? undefined : readApiLoad(load);
  spec.done();
  const models = [queueingDemo, etcdDemo, apiLoad].filter((m) => m !== undefined).length;
  if (models !== 1) {
    throw new InputError(
      "spec",
      "exactly one model to run (spec.queueingDemo, spec.etcdDemo or spec.apiLoad)",
      new Described(`${models}`),
    );
  }
  if (apiLoad !== undefined && controlPlane === undefined) {
    throw new InputError("spec.controlPlane", "a control plane for spec.apiLoad", undefined);
  }
  return { name, seed, duration, maxEvents, queueingDemo, etcdDemo, controlPlane, apiLoad };
}

function readQueueingDemo(f: Fields): QueueingDemoSpec {
  const arrivals = f.distribution("arrivals");
  const sampleInterval = f.duration("sampleInterval", SECOND);
  if (sampleInterval <= 0) throw new InputError(f.at("sampleInterval"), "a positive duration", f.raw("sampleInterval"));
  const names = new Set<string>();
  const stations: StationSpec[] = f.list("stations", { minLength: 1 }).map(({ value, path }) => {
    const s = new Fields(value, path);
    const name = s.string("name", undefined, NAME, NAME_TEXT);
    if (names.has(name)) throw new InputError(s.at("name"), "a name not used by another station", name);
    names.add(name);
    const station = { name, workers: s.int("workers", { min: 1, max: 100_000 }), service: s.distribution("service") };
    s.done();
    return station;
  });
  f.done();
  return { arrivals, stations, sampleInterval };
}

const LATENCY_DISTRIBUTIONS = ["walFsync", "peerRtt", "clientRtt", "localRtt", "apply", "rangeBase"] as const;
type UnitCost = "applyPerChangeUs" | "rangePerKeyUs" | "rangePerKiBUs";
const LATENCY_UNITS: [string, UnitCost][] = [
  ["applyPerChangeUs", "applyPerChangeUs"],
  ["rangePerKeyUs", "rangePerKeyUs"],
  ["rangePerKiBUs", "rangePerKiBUs"],
];

function readEtcdDemo(f: Fields, duration: number): EtcdDemoSpec {
  const c = f.fields("cluster");
  const cluster = readEtcdCluster(c);
  const members = cluster.members as number;
  const apiservers = f.int("apiservers", { min: 1, max: 100, fallback: members });
  const nodes = f.int("nodes", { min: 0, max: 1_000_000, fallback: 100 });
  const p = f.fields("pods");
  const pods = {
    count: p.int("count", { min: 0, fallback: 0 }),
    createRate: p.number("createRate", { min: 0.001, fallback: 20 }),
  };
  p.done();
  const podBytes = f.int("podBytes", { min: 1, max: 1_572_864, fallback: 2048 });
  const compactionInterval = f.duration("compactionInterval", 300_000_000);
  if (compactionInterval <= 0)
    throw new InputError(f.at("compactionInterval"), "a positive duration", f.raw("compactionInterval"));
  f.raw("faults");
  const faults: MemberFault[] = !f.has("faults")
    ? []
    : f.list("faults").map(({ value, path }) => {
        const x = new Fields(value, path);
        const at = x.duration("at");
        if (at > duration) throw new InputError(x.at("at"), `a time within the run (<= spec.duration)`, x.raw("at"));
        const stop = x.has("stopMember");
        const member = stop
          ? x.int("stopMember", { min: 0, max: members - 1 })
          : x.int("startMember", { min: 0, max: members - 1 });
        x.done();
        return { at, action: stop ? "stop" : "start", member } as MemberFault;
      });
  const saveStore = f.boolean("saveStore", true);
  f.done();
  return {
    cluster,
    apiservers,
    nodes,
    pods,
    podBytes,
    compactionInterval,
    faults,
    saveStore,
  };
}

/** An etcd cluster block: members, topology, election timeout, latency overrides. */
function readEtcdCluster(c: Fields): EtcdClusterOptions<string> {
  const members = c.int("members", { min: 1, max: 5, fallback: 3 });
  if (members !== 1 && members !== 3 && members !== 5) throw new InputError(c.at("members"), "1, 3 or 5", members);
  const topology = c.oneOf("topology", ["stacked", "external"] as const, "stacked");
  const electionTimeoutMs = c.duration("electionTimeout", 1_000_000) / 1000;
  const latency: Partial<EtcdLatency> = {};
  const lat = c.optionalFields("latency");
  if (lat !== undefined) {
    for (const k of LATENCY_DISTRIBUTIONS) if (lat.has(k)) latency[k] = lat.distribution(k);
    // Per-unit costs can be fractions of a µs, so they are plain numbers of µs.
    for (const [k, field] of LATENCY_UNITS) if (lat.has(k)) latency[field] = lat.number(k, { min: 0 });
    lat.done();
  }
  c.done();
  return { members, topology, electionTimeoutMs, latency };
}

function readControlPlane(f: Fields): ControlPlaneSpec {
  const etcd = f.has("etcd") ? readEtcdCluster(f.fields("etcd")) : { members: 3 as const };
  const stacked = (etcd.topology ?? "stacked") === "stacked";
  const apiservers = f.int("apiservers", { min: 1, max: 64, fallback: stacked ? (etcd.members ?? 3) : 1 });
  const a = f.optionalFields("apiserver");
  const cpus = a?.int("cpus", { min: 1, max: 1024, fallback: 8 }) ?? 8;
  const flowControl = a?.oneOf("flowControl", ["apf", "max-inflight", "none"] as const, "apf") ?? "apf";
  // --max-requests-inflight / --max-mutating-requests-inflight (k8s-timing §1.5).
  const maxRequestsInflight = a?.int("maxRequestsInflight", { min: 1, fallback: 400 }) ?? 400;
  const maxMutatingRequestsInflight = a?.int("maxMutatingRequestsInflight", { min: 1, fallback: 200 }) ?? 200;
  a?.done();
  f.done();
  return { etcd, apiservers, cpus, flowControl, maxRequestsInflight, maxMutatingRequestsInflight };
}

function readApiLoad(f: Fields): ApiLoadSpec {
  const nodes = f.int("nodes", { min: 0, max: 100_000, fallback: 100 });
  const scheduler = f.oneOf("scheduler", ["kube-scheduler", "round-robin"] as const, "kube-scheduler");
  const p = f.optionalFields("pods");
  const pods = {
    count: p?.int("count", { min: 0, fallback: 0 }) ?? 0,
    createRate: p?.number("createRate", { min: 0.001, fallback: 20 }) ?? 20,
    lifetime: p?.duration("lifetime", 0) ?? 0,
  };
  p?.done();
  const listers = !f.has("listers")
    ? []
    : f.list("listers").map(({ value, path }) => {
        const l = new Fields(value, path);
        const resource = l.string("resource");
        if (lookupResource(resource) === undefined)
          throw new InputError(l.at("resource"), "a modelled resource (pods, nodes, leases, ...)", resource);
        const every = l.duration("every");
        if (every <= 0) throw new InputError(l.at("every"), "a positive duration", l.raw("every"));
        l.done();
        return { resource, every };
      });
  f.done();
  return { nodes, scheduler, pods, listers };
}

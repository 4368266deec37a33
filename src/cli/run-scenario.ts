import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ControlPlane } from "../apiserver/control-plane.js";
import { ApfFlowControl, MaxInFlight } from "../apiserver/flowcontrol/index.js";
import { API_COLUMNS, ApiLoad } from "../demo/api-load.js";
import { EtcdLoad, REQUEST_COLUMNS, WATCH_COLUMNS } from "../demo/etcd-load.js";
import { JOB_COLUMNS, Pipeline, THROUGHPUT_COLUMNS } from "../demo/pipeline.js";
import { Simulation } from "../engine/simulation.js";
import { formatDuration } from "../engine/time.js";
import { CsvWriter } from "../metrics/csv-writer.js";
import type { ApiLoadSpec, ControlPlaneSpec, EtcdDemoSpec, Scenario } from "../scenario/scenario.js";
import { saveSnapshot } from "../store/snapshot.js";

export interface RunResult {
  outDir: string;
  files: string[];
  summary: Record<string, unknown>;
}

/**
 * Runs a scenario and writes its outputs into `outDir`. Outputs depend only on the scenario
 * and seed (no wall-clock values), so two runs are byte-identical. CSV files are streamed
 * and closed even when the run fails, keeping everything written up to the failure.
 */
export function runScenario(scenario: Scenario, outDir: string): RunResult {
  if (scenario.etcdDemo !== undefined) return runEtcdDemo(scenario, scenario.etcdDemo, outDir);
  if (scenario.apiLoad !== undefined && scenario.controlPlane !== undefined) {
    return runApiLoad(scenario, scenario.controlPlane, scenario.apiLoad, outDir);
  }
  const sim = new Simulation({ seed: scenario.seed, maxEvents: scenario.maxEvents });
  const demo = scenario.queueingDemo;
  if (demo === undefined) throw new Error("scenario has no model to run");
  const jobs = new CsvWriter(join(outDir, "jobs.csv"), JOB_COLUMNS);
  const throughput = new CsvWriter(join(outDir, "throughput.csv"), THROUGHPUT_COLUMNS);
  const summaryPath = join(outDir, "summary.json");
  try {
    const model = new Pipeline(sim, demo, { jobs, throughput });
    model.start(scenario.duration);
    sim.runUntil(scenario.duration);
    model.stop();
    // Let jobs that arrived before the end finish, so every arrival is accounted for.
    sim.runUntilIdle();
    const summary = {
      scenario: scenario.name,
      seed: scenario.seed,
      duration: formatDuration(scenario.duration),
      endTime: formatDuration(sim.now),
      engine: sim.stats,
      model: model.summary(),
      files: { jobs: "jobs.csv", throughput: "throughput.csv" },
    };
    writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    return { outDir, files: [jobs.path, throughput.path, summaryPath], summary };
  } finally {
    jobs.close();
    throughput.close();
  }
}

function runEtcdDemo(scenario: Scenario, spec: EtcdDemoSpec, outDir: string): RunResult {
  const sim = new Simulation({ seed: scenario.seed, maxEvents: scenario.maxEvents });
  const requests = new CsvWriter(join(outDir, "requests.csv"), REQUEST_COLUMNS);
  const watch = new CsvWriter(join(outDir, "watch.csv"), WATCH_COLUMNS);
  const summaryPath = join(outDir, "summary.json");
  const snapshotPath = join(outDir, "etcd-snapshot.ndjson");
  try {
    const model = new EtcdLoad(sim, spec, { requests, watch });
    model.start(scenario.duration);
    sim.runUntil(scenario.duration);
    model.stop();
    // Let requests in flight finish (bounded: the request timeout is a few seconds).
    sim.runUntil(scenario.duration + 30_000_000);
    const files = [requests.path, watch.path, summaryPath];
    if (spec.saveStore) {
      saveSnapshot(model.etcd.store, snapshotPath, (v) => v);
      files.push(snapshotPath);
    }
    const summary = {
      scenario: scenario.name,
      seed: scenario.seed,
      duration: formatDuration(scenario.duration),
      engine: sim.stats,
      model: model.summary(),
      files: {
        requests: "requests.csv",
        watch: "watch.csv",
        ...(spec.saveStore ? { store: "etcd-snapshot.ndjson" } : {}),
      },
    };
    writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    return { outDir, files, summary };
  } finally {
    requests.close();
    watch.close();
  }
}

/** The control plane a scenario describes (etcd, apiserver replicas, flow control). */
export function buildControlPlane(sim: Simulation, spec: ControlPlaneSpec): ControlPlane {
  const limits = {
    maxRequestsInflight: spec.maxRequestsInflight,
    maxMutatingRequestsInflight: spec.maxMutatingRequestsInflight,
  };
  const flowControl =
    spec.flowControl === "apf"
      ? (s: Simulation) => new ApfFlowControl(s, limits)
      : spec.flowControl === "max-inflight"
        ? (s: Simulation) => new MaxInFlight(s, limits)
        : undefined;
  return new ControlPlane(sim, {
    etcd: spec.etcd,
    apiservers: spec.apiservers,
    apiserver: { cpus: spec.cpus, ...(flowControl === undefined ? {} : { flowControl }) },
  });
}

function runApiLoad(scenario: Scenario, cpSpec: ControlPlaneSpec, spec: ApiLoadSpec, outDir: string): RunResult {
  const sim = new Simulation({ seed: scenario.seed, maxEvents: scenario.maxEvents });
  const api = new CsvWriter(join(outDir, "api_latency.csv"), API_COLUMNS);
  const summaryPath = join(outDir, "summary.json");
  try {
    const cp = buildControlPlane(sim, cpSpec);
    cp.start();
    const model = new ApiLoad(sim, cp, spec, { api });
    model.start(scenario.duration);
    sim.runUntil(scenario.duration);
    model.stop();
    const summary = {
      scenario: scenario.name,
      seed: scenario.seed,
      duration: formatDuration(scenario.duration),
      engine: sim.stats,
      model: model.summary(),
      apiCalls: cp.metrics.summary(),
      watchLatency_us: Object.fromEntries(
        [...cp.metrics.watchLatency.entries()].sort().map(([r, h]) => [r, h.summary()]),
      ),
      rejectedByPriorityLevel: Object.fromEntries([...cp.metrics.rejected.entries()].sort()),
      apiservers: cp.apiservers.map((a) => ({
        name: a.name,
        cpuUtilization: Math.round(a.cpuUtilization() * 1e4) / 1e4,
        ...a.stats,
      })),
      etcd: { ...cp.etcd.stats, revision: cp.etcd.store.revision, keys: cp.etcd.store.keyCount },
      files: { api: "api_latency.csv" },
    };
    writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    return { outDir, files: [api.path, summaryPath], summary };
  } finally {
    api.close();
  }
}

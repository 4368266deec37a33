// Flow-control decisions per second under contention. C closed-loop clients (kubelets,
// service accounts, kubectl users, controllers) each keep one request in flight: a request
// runs for its service time once started and the client sends its next one when it ends, or
// after Retry-After when rejected. With C above the 600 seats, queues stay non-empty; with C far
// above, queues fill and requests are rejected. A decision is one start or reject callback;
// the timed loop includes the simulation events of the model (arrivals, completions).
// Run as a child process per case (see bench/run.ts).
import { ApfFlowControl } from "../src/apiserver/flowcontrol/apf.js";
import { MaxInFlight } from "../src/apiserver/flowcontrol/max-in-flight.js";
import type { DispatchInfo, FlowControl, RequestAttributes } from "../src/apiserver/flowcontrol/types.js";
import { Exponential } from "../src/engine/distributions.js";
import { Rng } from "../src/engine/rng.js";
import { Simulation } from "../src/engine/simulation.js";
import { argValue, type BenchRow, measure } from "./lib/harness.js";

export const FLOWCONTROL_IMPLS = ["apf", "max-in-flight"] as const;

const BATCH = 20_000;
const MASK = (1 << 16) - 1;
const AUTH = "system:authenticated";

/** The request each client sends, by client index: a mix of flows across priority levels. */
function clientRequest(i: number, rng: Rng): RequestAttributes {
  const kind = i % 20;
  if (kind < 10) {
    const node = { user: `system:node:node-${i}`, groups: ["system:nodes", AUTH] };
    return kind < 6
      ? {
          ...node,
          verb: "update",
          apiGroup: "coordination.k8s.io",
          resource: "leases",
          namespace: "kube-node-lease",
          isResourceRequest: true,
        }
      : {
          ...node,
          verb: "get",
          apiGroup: "",
          resource: "secrets",
          namespace: `ns-${i % 50}`,
          name: "s",
          isResourceRequest: true,
        };
  }
  if (kind < 16) {
    const ns = `ns-${i % 200}`;
    const sa = {
      user: `system:serviceaccount:${ns}:app`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, AUTH],
    };
    return kind < 15
      ? { ...sa, verb: "get", apiGroup: "", resource: "configmaps", namespace: ns, name: "c", isResourceRequest: true }
      : {
          ...sa,
          verb: "create",
          apiGroup: "",
          resource: "pods",
          namespace: ns,
          isResourceRequest: true,
          watchersToNotify: 50,
        };
  }
  if (kind < 19) {
    return {
      user: `user-${i % 100}`,
      groups: [AUTH],
      verb: "list",
      apiGroup: "",
      resource: "pods",
      namespace: "default",
      isResourceRequest: true,
      estimatedObjects: rng.int(1500),
    };
  }
  return {
    user: "system:kube-scheduler",
    groups: [AUTH],
    verb: "create",
    apiGroup: "",
    resource: "pods",
    subresource: "binding",
    namespace: `ns-${i % 200}`,
    isResourceRequest: true,
  };
}

function setup(impl: string, clients: number): { fn: () => void; counts: { starts: number; rejects: number } } {
  const sim = new Simulation({ seed: 1, initialCapacity: clients * 2 });
  const fc: FlowControl = impl === "apf" ? new ApfFlowControl(sim) : new MaxInFlight(sim);
  const rng = new Rng(1, "bench/flowcontrol");
  const reqs = Array.from({ length: clients }, (_, i) => clientRequest(i, rng));
  // Service times: exponential, mean 20 ms, drawn once so RNG cost is not timed.
  const service = new Float64Array(MASK + 1);
  const exp = new Exponential(20_000);
  for (let i = 0; i <= MASK; i++) service[i] = Math.max(1, exp.sampleInt(rng));
  let k = 0;
  let decisions = 0;
  const counts = { starts: 0, rejects: 0 };
  const dones: (() => void)[] = new Array(clients);
  const starts: ((w: number, done: () => void, info: DispatchInfo) => void)[] = new Array(clients);
  const rejects: ((retryAfter: number, reason: string, info: DispatchInfo) => void)[] = new Array(clients);
  const send = sim.action((c) => fc.handle(reqs[c] as RequestAttributes, starts[c] as never, rejects[c] as never));
  const finish = sim.action((c) => {
    (dones[c] as () => void)();
    fc.handle(reqs[c] as RequestAttributes, starts[c] as never, rejects[c] as never);
  });
  for (let c = 0; c < clients; c++) {
    starts[c] = (_w, done) => {
      dones[c] = done;
      sim.post(service[k++ & MASK] as number, finish, c);
      counts.starts++;
      if (++decisions >= BATCH) sim.stop();
    };
    rejects[c] = (retryAfter) => {
      sim.post(retryAfter * 1_000_000, send, c);
      counts.rejects++;
      if (++decisions >= BATCH) sim.stop();
    };
    // Clients start spread over the first 100 ms.
    sim.post(Math.floor((c * 100_000) / clients), send, c);
  }
  // Warm up into steady state (queues filled, borrowing adjusted) before timing.
  decisions = Number.NEGATIVE_INFINITY;
  sim.runUntil(30_000_000);
  counts.starts = 0;
  counts.rejects = 0;
  return {
    fn: () => {
      decisions = 0;
      sim.runUntilIdle();
    },
    counts,
  };
}

function run(impl: string, clients: number, timeMs: number): BenchRow {
  if (!(FLOWCONTROL_IMPLS as readonly string[]).includes(impl)) throw new Error(`unknown impl ${impl}`);
  const { fn, counts } = setup(impl, clients);
  const m = measure(fn, BATCH, timeMs);
  const total = counts.starts + counts.rejects;
  return {
    suite: "flowcontrol",
    case: "closed-loop",
    impl,
    size: clients,
    ...m,
    extra: { reject_percent: Math.round((1000 * counts.rejects) / Math.max(1, total)) / 10 },
  };
}

if (process.argv[1]?.endsWith("flowcontrol.js")) {
  const row = run(argValue("impl", "apf"), Number(argValue("clients", "2000")), Number(argValue("time", "2000")));
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

// Shared fixtures for API server tests.
import type { Pod } from "../../src/api/types/index.js";
import { Client } from "../../src/apiserver/client.js";
import { ControlPlane, type ControlPlaneOptions } from "../../src/apiserver/control-plane.js";
import { ApiError } from "../../src/apiserver/status.js";
import { Simulation } from "../../src/engine/simulation.js";

export function setup(opts: ControlPlaneOptions = {}, seed = 1) {
  const sim = new Simulation({ seed });
  const cp = new ControlPlane(sim, { etcd: { members: 3 }, ...opts });
  cp.start();
  const admin = new Client(cp, {
    name: "admin",
    user: { name: "admin", groups: ["system:masters"] },
    qps: 1000,
    burst: 1000,
  });
  return { sim, cp, admin };
}

export function pod(name: string, extra: Partial<Pod["spec"]> = {}, labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: {
      containers: [
        { name: "c", image: "registry.k8s.io/pause:3.9", resources: { requests: { cpu: "100m", memory: "64Mi" } } },
      ],
      ...extra,
    },
  };
}

/** Runs `f` at `at` and collects its single callback result. */
export function call<T>(
  sim: Simulation,
  at: number,
  f: (cb: (r: T | ApiError) => void) => void,
): { value?: T; error?: ApiError; done?: number } {
  const out: { value?: T; error?: ApiError; done?: number } = {};
  sim.at(at, () =>
    f((r) => {
      out.done = sim.now;
      if (r instanceof ApiError) out.error = r;
      else out.value = r;
    }),
  );
  return out;
}

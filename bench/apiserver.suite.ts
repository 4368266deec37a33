import type { Suite } from "./lib/suite.js";

/** Wall-clock throughput of the simulated API server. */
export const apiserverSuite: Suite = {
  name: "apiserver",
  script: "apiserver.js",
  cases: (quick) => [
    ["--case", "pipeline", "--time", quick ? "800" : "3000"],
    ["--case", "kubelet-watch", "--watchers", "5000", "--time", quick ? "800" : "3000"],
  ],
  report: (rows) =>
    rows.map((r) =>
      r.case === "pipeline"
        ? `pipeline (create/get/update of ~2.5 KB pods through client, APF, CPU pool, etcd raft+MVCC, watch cache): ${Math.round(r.opsPerSec)} requests per wall-clock second`
        : `watch events delivered to ${r.size} node-filtered watchers (kubelets): ${Math.round(r.opsPerSec)} events per wall-clock second`,
    ),
};

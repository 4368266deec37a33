import { describe, expect, it } from "vitest";
import { ApfFlowControl } from "../../../src/apiserver/flowcontrol/apf.js";
import { type ResolvedFlowSchema, resolveApfConfig } from "../../../src/apiserver/flowcontrol/config.js";
import { Classifier, matchesFlowSchema } from "../../../src/apiserver/flowcontrol/match.js";
import type { RequestAttributes } from "../../../src/apiserver/flowcontrol/types.js";
import { Simulation } from "../../../src/engine/simulation.js";
import { humanUser, kubeletLeaseUpdate, nodeStatusPatch, nodeUser, resourceReq, saUser } from "./helpers.js";

const apf = new ApfFlowControl(new Simulation());
const classify = (r: RequestAttributes) => apf.classification(r);

const scheduler = { user: "system:kube-scheduler", groups: ["system:authenticated"] };
const kcm = { user: "system:kube-controller-manager", groups: ["system:authenticated"] };

// Expectations checked against bootstrap/default.go (v1 objects): precedence decides.
const cases: [string, RequestAttributes, string, string][] = [
  ["a kubelet's node status patch", nodeStatusPatch(7), "system-node-high", "node-high"],
  ["a kubelet's lease renewal", kubeletLeaseUpdate(7), "system-node-high", "node-high"],
  [
    "a kubelet reading its Node",
    resourceReq(nodeUser(7), "get", "nodes", { name: "node-7" }),
    "system-node-high",
    "node-high",
  ],
  [
    "a kubelet fetching a secret",
    resourceReq(nodeUser(7), "get", "secrets", { namespace: "default", name: "s" }),
    "system-nodes",
    "system",
  ],
  [
    "a kubelet's pod status patch",
    resourceReq(nodeUser(7), "patch", "pods", { namespace: "default", name: "p", subresource: "status" }),
    "system-nodes",
    "system",
  ],
  [
    "a kubelet's non-resource request",
    { ...nodeUser(7), verb: "get", apiGroup: "", resource: "", isResourceRequest: false, path: "/api" },
    "system-nodes",
    "system",
  ],
  [
    "the scheduler binding a pod",
    resourceReq(scheduler, "create", "pods", { namespace: "default", name: "p", subresource: "binding" }),
    "kube-scheduler",
    "workload-high",
  ],
  [
    "the scheduler renewing its lease",
    resourceReq(scheduler, "update", "leases", { apiGroup: "coordination.k8s.io", namespace: "kube-system" }),
    "system-leader-election",
    "leader-election",
  ],
  [
    "the scheduler watching its lease (watch is not get/create/update)",
    resourceReq(scheduler, "watch", "leases", { apiGroup: "coordination.k8s.io", namespace: "kube-system" }),
    "kube-scheduler",
    "workload-high",
  ],
  [
    "KCM updating Endpoints",
    resourceReq(kcm, "update", "endpoints", { namespace: "default", name: "kubernetes" }),
    "endpoint-controller",
    "workload-high",
  ],
  [
    "KCM listing pods",
    resourceReq(kcm, "list", "pods", { namespace: "default" }),
    "kube-controller-manager",
    "workload-high",
  ],
  [
    "the endpoint controller's service account updating Endpoints",
    resourceReq(saUser("kube-system", "endpoint-controller"), "update", "endpoints", { namespace: "web" }),
    "endpoint-controller",
    "workload-high",
  ],
  [
    "a kube-system service account electing via a ConfigMap",
    resourceReq(saUser("kube-system", "cloud-controller"), "update", "configmaps", { namespace: "kube-system" }),
    "workload-leader-election",
    "leader-election",
  ],
  [
    "a kube-system service account renewing a lease",
    resourceReq(saUser("kube-system", "cloud-controller"), "update", "leases", {
      apiGroup: "coordination.k8s.io",
      namespace: "kube-system",
    }),
    "system-leader-election",
    "leader-election",
  ],
  [
    "a kube-system service account listing pods",
    resourceReq(saUser("kube-system", "replicaset-controller"), "list", "pods"),
    "kube-system-service-accounts",
    "workload-high",
  ],
  [
    "an application service account",
    resourceReq(saUser("shop", "cart"), "get", "configmaps", { namespace: "shop" }),
    "service-accounts",
    "workload-low",
  ],
  [
    "a service account in a namespace whose name starts with kube-system",
    resourceReq(saUser("kube-systemx", "a"), "get", "configmaps", { namespace: "kube-systemx" }),
    "service-accounts",
    "workload-low",
  ],
  ["a kubectl user", resourceReq(humanUser("alice"), "list", "pods"), "global-default", "global-default"],
  ["a cluster admin", resourceReq(humanUser("admin", "system:masters"), "delete", "nodes"), "exempt", "exempt"],
  [
    "an unauthenticated health probe",
    {
      user: "system:anonymous",
      groups: ["system:unauthenticated"],
      verb: "get",
      apiGroup: "",
      resource: "",
      isResourceRequest: false,
      path: "/readyz",
    },
    "probes",
    "exempt",
  ],
  [
    "an unauthenticated discovery request",
    {
      user: "system:anonymous",
      groups: ["system:unauthenticated"],
      verb: "get",
      apiGroup: "",
      resource: "",
      isResourceRequest: false,
      path: "/apis",
    },
    "global-default",
    "global-default",
  ],
  [
    "a user in neither authenticated group",
    resourceReq({ user: "x", groups: [] }, "get", "pods"),
    "catch-all",
    "catch-all",
  ],
];

describe("flow schema matching (default configuration)", () => {
  for (const [what, req, fs, pl] of cases) {
    it(`${what} -> ${fs} / ${pl}`, () => {
      expect(classify(req)).toEqual({ flowSchema: fs, priorityLevel: pl });
    });
  }

  it("matches non-resource URL prefixes written as /path/*", () => {
    const a = new ApfFlowControl(new Simulation(), {
      config: {
        priorityLevels: [
          { metadata: { name: "m" }, spec: { type: "Limited", limited: { limitResponse: { type: "Reject" } } } },
        ],
        flowSchemas: [
          {
            metadata: { name: "metrics" },
            spec: {
              priorityLevelConfiguration: { name: "m" },
              matchingPrecedence: 10,
              rules: [
                {
                  subjects: [{ kind: "Group", group: { name: "system:authenticated" } }],
                  nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/metrics/*"] }],
                },
              ],
            },
          },
        ],
      },
    });
    const get = (path: string) =>
      a.classification({ ...humanUser("p"), verb: "get", apiGroup: "", resource: "", isResourceRequest: false, path });
    expect(get("/metrics/slis").flowSchema).toBe("metrics");
    expect(get("/metricsx").flowSchema).toBe("catch-all");
  });
});

describe("indexed classifier", () => {
  const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)] as T;

  function randomRequests(n: number): RequestAttributes[] {
    let seed = 12345;
    const r = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const users = [
      "system:node:n1",
      "system:kube-scheduler",
      "system:kube-controller-manager",
      "system:serviceaccount:kube-system:x",
      "system:serviceaccount:kube-system:endpoint-controller",
      "system:serviceaccount:app:y",
      "alice",
      "system:anonymous",
    ];
    const groups = [
      "system:nodes",
      "system:authenticated",
      "system:unauthenticated",
      "system:masters",
      "system:serviceaccounts",
    ];
    const out: RequestAttributes[] = [];
    for (let i = 0; i < n; i++) {
      const g = groups.filter(() => r() < 0.35);
      const resource = r() < 0.8;
      out.push({
        user: pick(users, r),
        groups: g,
        verb: pick(["get", "list", "watch", "create", "update", "patch", "delete"], r),
        apiGroup: pick(["", "coordination.k8s.io", "apps"], r),
        resource: resource ? pick(["pods", "leases", "endpoints", "configmaps", "nodes"], r) : "",
        subresource: pick([undefined, undefined, "status", "binding"], r),
        namespace: pick([undefined, "kube-system", "default", "kube-node-lease"], r),
        isResourceRequest: resource,
        path: resource ? undefined : pick(["/healthz", "/readyz", "/api", "/metrics/x"], r),
      });
    }
    return out;
  }

  function linear(schemas: ResolvedFlowSchema[], req: RequestAttributes): number {
    return schemas.findIndex((fs) => matchesFlowSchema(req, fs));
  }

  it("finds the same schema as trying every schema in order (default configuration)", () => {
    const schemas = resolveApfConfig(undefined).flowSchemas;
    const c = new Classifier(schemas);
    const seen = new Set<number>();
    for (const req of randomRequests(5000)) {
      const i = c.classify(req);
      expect(i).toBe(linear(schemas, req));
      seen.add(i);
    }
    expect(seen.size).toBeGreaterThanOrEqual(10);
  });

  it("falls back to trying every schema when there are more than 31", () => {
    const base = resolveApfConfig(undefined).flowSchemas;
    const many: ResolvedFlowSchema[] = [
      ...Array.from({ length: 25 }, (_, k) => ({ ...(base[2] as ResolvedFlowSchema), name: `copy-${k}` })),
      ...base,
    ];
    const c = new Classifier(many);
    for (const req of randomRequests(1000)) expect(c.classify(req)).toBe(linear(many, req));
  });
});

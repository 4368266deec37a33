// The default APF configuration of kube-apiserver: the mandatory and suggested
// PriorityLevelConfigurations and FlowSchemas, as listed in upstream
// staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go (v1 objects,
// Kubernetes 1.29-1.33; the reference table in k8s-timing.md §1.5 has the same numbers).
import type {
  ApfConfig,
  FlowSchema,
  NonResourcePolicyRule,
  PolicyRulesWithSubjects,
  PriorityLevelConfiguration,
  ResourcePolicyRule,
  Subject,
} from "./types.js";

export const EXEMPT = "exempt";
export const CATCH_ALL = "catch-all";

// Well-known user and group names (k8s.io/apiserver/pkg/authentication/user).
export const SYSTEM_PRIVILEGED_GROUP = "system:masters";
export const NODES_GROUP = "system:nodes";
export const ALL_UNAUTHENTICATED = "system:unauthenticated";
export const ALL_AUTHENTICATED = "system:authenticated";
export const KUBE_CONTROLLER_MANAGER = "system:kube-controller-manager";
export const KUBE_SCHEDULER = "system:kube-scheduler";
export const ALL_SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";

const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: "Group", group: { name } }));
const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: "User", user: { name } }));
const kubeSystemSAs = (...names: string[]): Subject[] =>
  names.map((name) => ({ kind: "ServiceAccount", serviceAccount: { namespace: "kube-system", name } }));

function resourceRule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  namespaces: string[],
  clusterScope: boolean,
): ResourcePolicyRule {
  return { verbs, apiGroups, resources, namespaces, clusterScope };
}

const nonResourceRule = (verbs: string[], nonResourceURLs: string[]): NonResourcePolicyRule => ({
  verbs,
  nonResourceURLs,
});

/** Every verb, group, resource and namespace, cluster scope included; every non-resource URL. */
function everything(subjects: Subject[]): PolicyRulesWithSubjects {
  return {
    subjects,
    resourceRules: [resourceRule(["*"], ["*"], ["*"], ["*"], true)],
    nonResourceRules: [nonResourceRule(["*"], ["*"])],
  };
}

function queued(
  name: string,
  shares: number,
  lendablePercent: number,
  queues: number,
  handSize: number,
  queueLengthLimit: number,
): PriorityLevelConfiguration {
  return {
    metadata: { name },
    spec: {
      type: "Limited",
      limited: {
        nominalConcurrencyShares: shares,
        lendablePercent,
        limitResponse: { type: "Queue", queuing: { queues, handSize, queueLengthLimit } },
      },
    },
  };
}

function flowSchema(
  name: string,
  level: string,
  matchingPrecedence: number,
  distinguisher: "ByUser" | "ByNamespace" | undefined,
  rules: PolicyRulesWithSubjects[],
): FlowSchema {
  return {
    metadata: { name },
    spec: {
      priorityLevelConfiguration: { name: level },
      matchingPrecedence,
      ...(distinguisher === undefined ? {} : { distinguisherMethod: { type: distinguisher } }),
      rules,
    },
  };
}

/** The two mandatory priority levels (exempt, catch-all). */
export function mandatoryPriorityLevels(): PriorityLevelConfiguration[] {
  return [
    {
      metadata: { name: EXEMPT },
      spec: { type: "Exempt", exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
    },
    {
      metadata: { name: CATCH_ALL },
      spec: {
        type: "Limited",
        limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: "Reject" } },
      },
    },
  ];
}

/** The two mandatory flow schemas (exempt at precedence 1, catch-all at 10000). */
export function mandatoryFlowSchemas(): FlowSchema[] {
  return [
    flowSchema(EXEMPT, EXEMPT, 1, undefined, [everything(groups(SYSTEM_PRIVILEGED_GROUP))]),
    flowSchema(CATCH_ALL, CATCH_ALL, 10000, "ByUser", [everything(groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED))]),
  ];
}

/** Suggested priority levels: NCS, lendable %, queues / handSize / queueLengthLimit. */
export function suggestedPriorityLevels(): PriorityLevelConfiguration[] {
  return [
    queued("system", 30, 33, 64, 6, 50),
    queued("node-high", 40, 25, 64, 6, 50),
    queued("leader-election", 10, 0, 16, 4, 50),
    queued("workload-high", 40, 50, 128, 6, 50),
    queued("workload-low", 100, 90, 128, 6, 50),
    queued("global-default", 20, 50, 128, 6, 50),
  ];
}

/** Suggested flow schemas, in order of matching precedence. */
export function suggestedFlowSchemas(): FlowSchema[] {
  const getCreateUpdate = ["get", "create", "update"];
  return [
    // Health probes are exempt.
    flowSchema("probes", EXEMPT, 2, undefined, [
      {
        subjects: groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED),
        nonResourceRules: [nonResourceRule(["get"], ["/healthz", "/readyz", "/livez"])],
      },
    ]),
    flowSchema("system-leader-election", "leader-election", 100, "ByUser", [
      {
        subjects: [...users(KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER), ...kubeSystemSAs("*")],
        resourceRules: [resourceRule(getCreateUpdate, ["coordination.k8s.io"], ["leases"], ["*"], false)],
      },
    ]),
    // Ahead of workload-leader-election so the endpoints controller's writes are not leader election.
    flowSchema("endpoint-controller", "workload-high", 150, "ByUser", [
      {
        subjects: [
          ...users(KUBE_CONTROLLER_MANAGER),
          ...kubeSystemSAs("endpoint-controller", "endpointslicemirroring-controller"),
        ],
        resourceRules: [resourceRule(getCreateUpdate, [""], ["endpoints"], ["*"], false)],
      },
    ]),
    flowSchema("workload-leader-election", "leader-election", 200, "ByUser", [
      {
        subjects: kubeSystemSAs("*"),
        resourceRules: [
          resourceRule(getCreateUpdate, [""], ["endpoints", "configmaps"], ["*"], false),
          resourceRule(getCreateUpdate, ["coordination.k8s.io"], ["leases"], ["*"], false),
        ],
      },
    ]),
    // Node heartbeats: Node objects and their status, and node leases.
    flowSchema("system-node-high", "node-high", 400, "ByUser", [
      {
        subjects: groups(NODES_GROUP),
        resourceRules: [
          resourceRule(["*"], [""], ["nodes", "nodes/status"], ["*"], true),
          resourceRule(["*"], ["coordination.k8s.io"], ["leases"], ["*"], false),
        ],
      },
    ]),
    flowSchema("system-nodes", "system", 500, "ByUser", [everything(groups(NODES_GROUP))]),
    flowSchema("kube-controller-manager", "workload-high", 800, "ByNamespace", [
      everything(users(KUBE_CONTROLLER_MANAGER)),
    ]),
    flowSchema("kube-scheduler", "workload-high", 800, "ByNamespace", [everything(users(KUBE_SCHEDULER))]),
    flowSchema("kube-system-service-accounts", "workload-high", 900, "ByNamespace", [everything(kubeSystemSAs("*"))]),
    flowSchema("service-accounts", "workload-low", 9000, "ByUser", [everything(groups(ALL_SERVICE_ACCOUNTS_GROUP))]),
    flowSchema("global-default", "global-default", 9900, "ByUser", [
      everything(groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED)),
    ]),
  ];
}

/** The default configuration: mandatory + suggested objects (fresh copies, safe to edit). */
export function defaultApfConfig(): ApfConfig {
  return {
    priorityLevels: [...mandatoryPriorityLevels(), ...suggestedPriorityLevels()],
    flowSchemas: [...mandatoryFlowSchemas(), ...suggestedFlowSchemas()],
  };
}

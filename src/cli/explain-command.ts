/**
 * `kubesim explain --cluster <file> --pod <file> [--config <file>] [-o json|table]`: why the
 * scheduler puts a pod where it does. The cluster file is a Kubernetes List of Nodes and Pods
 * (and optionally Services, ReplicaSets, StatefulSets, ReplicationControllers,
 * PodDisruptionBudgets, Namespaces) exactly as `kubectl get nodes,pods -A -o yaml` prints it;
 * pods with spec.nodeName are running there. Bad input exits 2 with the file and field path.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { newResourceRecord, resourceListToRecord } from "../api/pod-resources.js";
import type { Node, Pod, ReplicaSet, Service } from "../api/types/index.js";
import { Described, InputError } from "../engine/errors.js";
import type { PodDisruptionBudget, ReplicationController, StatefulSet } from "../scheduler/cache/objects.js";
import { PodInfo } from "../scheduler/cache/pod-info.js";
import { parseSchedulerConfig } from "../scheduler/config/parse.js";
import { type ExplainCluster, explain, explainTable } from "../scheduler/explain.js";

const USAGE =
  "kubesim explain --cluster <file> --pod <file> [--config <KubeSchedulerConfiguration file>] [-o json|table]";

function readDoc(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError("", "a readable file", (e as NodeJS.ErrnoException).code ?? String(e), file);
  }
  try {
    return parseYaml(text);
  } catch (e) {
    throw new InputError("", "YAML or JSON", (e as Error).message.split("\n")[0], file);
  }
}

/** `path.field`, or `field` at the top of a document. */
function sub(path: string, field: string): string {
  return path === "" ? field : `${path}.${field}`;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Checks the fields the scheduler reads; kubectl's extra fields (managedFields, status, ...) are fine. */
function checkObject(o: unknown, path: string, file: string): void {
  if (!isMap(o)) throw new InputError(path, "an object", o, file);
  const meta = o.metadata;
  if (!isMap(meta)) throw new InputError(sub(path, "metadata"), "a map", meta, file);
  if (typeof meta.name !== "string" || meta.name === "")
    throw new InputError(sub(path, "metadata.name"), "a name", meta.name, file);
  if (meta.labels !== undefined && !isMap(meta.labels))
    throw new InputError(sub(path, "metadata.labels"), "a map", meta.labels, file);
  if (o.kind === "Pod") {
    checkPod(o, path, file);
    // Requests, selectors: read now so a bad quantity names its object.
    within(file, path === "" ? "spec" : sub(path, "spec"), () => new PodInfo(o as unknown as Pod));
  }
  if (o.kind === "Node") {
    const st = o.status;
    if (st !== undefined && !isMap(st)) throw new InputError(sub(path, "status"), "a map", st, file);
    const alloc = isMap(st) ? st.allocatable : undefined;
    if (alloc !== undefined && !isMap(alloc))
      throw new InputError(sub(path, "status.allocatable"), "a map", alloc, file);
    within(file, sub(path, "status.allocatable"), () =>
      resourceListToRecord(alloc as Record<string, string> | undefined, newResourceRecord()),
    );
  }
}

function checkPod(o: Record<string, unknown>, path: string, file: string): void {
  const spec = o.spec;
  if (!isMap(spec)) throw new InputError(sub(path, "spec"), "a pod spec", spec, file);
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    throw new InputError(sub(path, "spec.containers"), "a list of at least one container", spec.containers, file);
  }
  for (const list of ["containers", "initContainers"] as const) {
    const cs = spec[list];
    if (cs === undefined) continue;
    if (!Array.isArray(cs)) throw new InputError(sub(path, `spec.${list}`), "a list", cs, file);
    cs.forEach((c, i) => {
      const cp = sub(path, `spec.${list}[${i}]`);
      if (!isMap(c)) throw new InputError(cp, "a container", c, file);
      const req = isMap(c.resources) ? c.resources.requests : undefined;
      if (req !== undefined && !isMap(req)) throw new InputError(`${cp}.resources.requests`, "a map", req, file);
    });
  }
}

/** Wraps errors raised while reading an object's quantities/selectors with the object's path. */
function within<T>(file: string, path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) {
      const p = e.path === "" ? path : path === "" ? e.path : `${path}.${e.path}`;
      throw new InputError(p, e.expected, new Described(e.found), file);
    }
    throw e;
  }
}

/** Reads a cluster List file. */
export function readClusterFile(file: string): ExplainCluster {
  const doc = readDoc(file);
  if (!isMap(doc)) throw new InputError("", "a Kubernetes List", doc, file);
  let items: unknown[];
  if (Array.isArray(doc.items)) items = doc.items;
  else if (typeof doc.kind === "string" && doc.kind !== "List" && !doc.kind.endsWith("List")) items = [doc];
  else throw new InputError("items", "a list of objects", doc.items, file);
  const c: {
    nodes: Node[];
    pods: Pod[];
    services: Service[];
    replicaSets: ReplicaSet[];
    statefulSets: StatefulSet[];
    replicationControllers: ReplicationController[];
    podDisruptionBudgets: PodDisruptionBudget[];
    namespaces: { metadata: { name?: string; labels?: Record<string, string> } }[];
  } = {
    nodes: [],
    pods: [],
    services: [],
    replicaSets: [],
    statefulSets: [],
    replicationControllers: [],
    podDisruptionBudgets: [],
    namespaces: [],
  };
  items.forEach((it, i) => {
    const path = `items[${i}]`;
    checkObject(it, path, file);
    const o = it as Record<string, unknown>;
    switch (o.kind) {
      case "Node":
        c.nodes.push(o as unknown as Node);
        break;
      case "Pod":
        c.pods.push(o as unknown as Pod);
        break;
      case "Service":
        c.services.push(o as unknown as Service);
        break;
      case "ReplicaSet":
        c.replicaSets.push(o as unknown as ReplicaSet);
        break;
      case "StatefulSet":
        c.statefulSets.push(o as unknown as StatefulSet);
        break;
      case "ReplicationController":
        c.replicationControllers.push(o as unknown as ReplicationController);
        break;
      case "PodDisruptionBudget":
        c.podDisruptionBudgets.push(o as unknown as PodDisruptionBudget);
        break;
      case "Namespace":
        c.namespaces.push(o as unknown as { metadata: { name?: string } });
        break;
      default:
        // Other kinds (Deployments, Events, ...) do not affect a scheduling decision.
        if (typeof o.kind !== "string")
          throw new InputError(sub(path, "kind"), "a kind such as Node or Pod", o.kind, file);
    }
  });
  if (c.nodes.length === 0) throw new InputError("items", "at least one Node", "none", file);
  return c;
}

/** Reads a Pod manifest file. */
export function readPodFile(file: string): Pod {
  const doc = readDoc(file);
  if (!isMap(doc) || doc.kind !== "Pod") throw new InputError("kind", '"Pod"', isMap(doc) ? doc.kind : doc, file);
  checkObject(doc, "", file);
  return doc as unknown as Pod;
}

/** Implements the command; returns the exit code. */
export function explainCommand(args: string[]): number {
  try {
    let parsed: ReturnType<
      typeof parseArgs<{
        options: {
          cluster: { type: "string" };
          pod: { type: "string" };
          config: { type: "string" };
          output: { type: "string"; short: "o" };
        };
      }>
    >;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: false,
        options: {
          cluster: { type: "string" },
          pod: { type: "string" },
          config: { type: "string" },
          output: { type: "string", short: "o" },
        },
      });
    } catch (e) {
      throw new InputError("explain", USAGE, (e as Error).message);
    }
    const v = parsed.values;
    if (v.cluster === undefined) throw new InputError("--cluster", `a cluster file (${USAGE})`, undefined);
    if (v.pod === undefined) throw new InputError("--pod", `a pod file (${USAGE})`, undefined);
    const output = v.output ?? "json";
    if (output !== "json" && output !== "table") throw new InputError("-o", "json or table", output);
    const cluster = readClusterFile(v.cluster);
    const pod = readPodFile(v.pod);
    let config: ReturnType<typeof parseSchedulerConfig> | undefined;
    if (v.config !== undefined) {
      const file = v.config;
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        throw new InputError("", "a readable file", (e as NodeJS.ErrnoException).code ?? String(e), file);
      }
      config = parseSchedulerConfig(text, file);
    }
    const clusterFile = v.cluster;
    const podFile = v.pod;
    let result: ReturnType<typeof explain>;
    try {
      result = explain(cluster, pod, config);
    } catch (e) {
      if (e instanceof InputError)
        throw new InputError(e.path, e.expected, new Described(e.found), `${clusterFile} or ${podFile}`);
      if (e instanceof Error && e.message.startsWith("no profile")) {
        throw new InputError("spec.schedulerName", "a scheduler name with a profile", pod.spec.schedulerName, podFile);
      }
      throw e;
    }
    process.stdout.write(output === "json" ? `${JSON.stringify(result, null, 2)}\n` : explainTable(result));
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`kubesim: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

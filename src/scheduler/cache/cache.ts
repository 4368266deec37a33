/**
 * The scheduler cache (pkg/scheduler/backend/cache): nodes, the pods assigned or assumed to them,
 * and the node list in upstream's zone-interleaved order (node_tree.go). Every change is pushed
 * into the node table so the next cycle sees it; assume/forget make a pod's resources count
 * before binding completes.
 */
import { newResourceRecord, type ResourceRecord, resourceListToRecord } from "../../api/pod-resources.js";
import type { Node, Pod, ReplicaSet, Service, Taint } from "../../api/types/index.js";
import {
  I_IMG_STAMP,
  I_NOM_COUNT,
  I_TAINTSET,
  I_UNSCHED,
  N_ALLOC_CPU,
  N_ALLOC_EPH,
  N_ALLOC_MEM,
  N_ALLOC_PODS,
  N_INV_CPU,
  N_INV_MEM,
  N_NOM_PRIO,
  N_NZ_CPU,
  N_NZ_MEM,
  N_POD_COUNT,
  N_REQ_CPU,
  N_REQ_EPH,
  N_REQ_MEM,
} from "../nodetable/layout.js";
import { NodeTable } from "../nodetable/table.js";
import { type AttachedPod, SelectorIndex, TermIndex } from "./indexes.js";
import type { PodDisruptionBudget, ReplicationController, StatefulSet } from "./objects.js";
import { PodInfo } from "./pod-info.js";

/** Interned taint lists: nodes with identical taints share an id (0 = no taints). */
export class TaintSets {
  private readonly ids = new Map<string, number>([["[]", 0]]);
  readonly sets: Taint[][] = [[]];

  id(taints: readonly Taint[] | undefined): number {
    const list = (taints ?? []).map((t) => ({ key: t.key, value: t.value ?? "", effect: t.effect }));
    const key = JSON.stringify(list.map((t) => [t.key, t.value, t.effect]));
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(list);
      this.ids.set(key, id);
    }
    return id;
  }
}

export class NodeRecord {
  readonly pods: PodRecord[] = [];
  /** "TCP/80" → ip → pods using it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  images: readonly { name: string; size: number }[] = [];
  zone = "";
  taintSet = 0;
  alloc: ResourceRecord = newResourceRecord();

  constructor(
    readonly name: string,
    public node: Node,
    readonly slot: number,
  ) {}
}

export class PodRecord {
  node: NodeRecord | undefined;
  /** Assumed by the scheduler, binding not yet confirmed by an informer event. */
  assumed = false;
  /** Deletion requested by preemption (the victim is terminating). */
  preempted = false;

  constructor(
    public info: PodInfo,
    public nodeName: string,
  ) {}
}

/** GetZoneKey (pkg/scheduler/util/utils.go): region and zone labels, legacy labels as fallback. */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels;
  if (l === undefined) return "";
  const zone = l["topology.kubernetes.io/zone"] ?? l["failure-domain.beta.kubernetes.io/zone"] ?? "";
  const region = l["topology.kubernetes.io/region"] ?? l["failure-domain.beta.kubernetes.io/region"] ?? "";
  if (region === "" && zone === "") return "";
  return `${region}:\u0000:${zone}`;
}

function ownerKey(ns: string, name: string): string {
  return `${ns}/${name}`;
}

export class SchedulerCache {
  readonly table: NodeTable;
  readonly nodes = new Map<string, NodeRecord>();
  readonly bySlot: (NodeRecord | undefined)[] = [];
  /** Pods assigned or assumed, by namespace/name. */
  readonly pods = new Map<string, PodRecord>();
  readonly taintSets = new TaintSets();
  readonly selectors: SelectorIndex;
  readonly terms: TermIndex;
  /** Image name → slot → size (ImageLocality's ImageStateSummary, NumNodes = map size). */
  readonly images = new Map<string, Map<number, number>>();
  /** "TCP/80" → slot → ip → count: nodes using a host port. */
  readonly portIndex = new Map<string, Map<number, Map<string, number>>>();
  readonly namespaces = new Map<string, Readonly<Record<string, string>>>();
  readonly services = new Map<string, Service>();
  readonly replicaSets = new Map<string, ReplicaSet>();
  readonly statefulSets = new Map<string, StatefulSet>();
  readonly replicationControllers = new Map<string, ReplicationController>();
  readonly pdbs = new Map<string, PodDisruptionBudget>();
  /** Pods attached to node slots (not those waiting for their node to appear). */
  private readonly attachedPods = new Set<PodRecord>();
  private readonly orphans = new Map<string, PodRecord[]>();
  private readonly zones: string[] = [];
  private readonly zoneNodes = new Map<string, NodeRecord[]>();
  private orderDirty = true;
  private orderNodes: NodeRecord[] = [];
  /** Nominated pods per node name (the queue's nominator), in nomination order. */
  readonly nominated = new Map<string, PodInfo[]>();
  private readonly nominatedNode = new Map<string, string>();
  /** Bumped on every change that can alter filter results (for explain and tests). */
  generation = 0;
  /** Bumped when nodes are added, removed or updated (labels, taints, ...), not on pod changes. */
  nodeGeneration = 0;

  constructor(initialNodes = 64) {
    this.table = new NodeTable(initialNodes);
    this.selectors = new SelectorIndex(
      () => this.attachedIter(),
      () => this.table.capacity,
    );
    this.terms = new TermIndex(() => this.table.capacity);
  }

  private *attachedIter(): Iterable<AttachedPod> {
    for (const r of this.attachedPods) yield { info: r.info, slot: (r.node as NodeRecord).slot };
  }

  // -------------------------------------------------------------------------------------------
  // Node list (node_tree.go)

  /** The nodes in scan order (zone-interleaved), rebuilding the table's order when stale. */
  nodeList(): readonly NodeRecord[] {
    if (this.orderDirty) {
      const out: NodeRecord[] = [];
      let total = 0;
      for (const z of this.zones) total += (this.zoneNodes.get(z) as NodeRecord[]).length;
      for (let i = 0; out.length < total; i++) {
        for (const z of this.zones) {
          const list = this.zoneNodes.get(z) as NodeRecord[];
          if (i < list.length) out.push(list[i] as NodeRecord);
        }
      }
      this.orderNodes = out;
      this.table.setOrder(out.map((r) => r.slot));
      this.orderDirty = false;
    }
    return this.orderNodes;
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  private zoneAdd(r: NodeRecord): void {
    let list = this.zoneNodes.get(r.zone);
    if (list === undefined) {
      list = [];
      this.zoneNodes.set(r.zone, list);
      this.zones.push(r.zone);
    }
    list.push(r);
    this.orderDirty = true;
  }

  private zoneRemove(r: NodeRecord): void {
    const list = this.zoneNodes.get(r.zone);
    if (list === undefined) return;
    const i = list.indexOf(r);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) {
      this.zoneNodes.delete(r.zone);
      this.zones.splice(this.zones.indexOf(r.zone), 1);
    }
    this.orderDirty = true;
  }

  // -------------------------------------------------------------------------------------------
  // Nodes

  addNode(node: Node): NodeRecord {
    const name = node.metadata.name ?? "";
    const existing = this.nodes.get(name);
    if (existing !== undefined) {
      this.updateNode(node);
      return existing;
    }
    const slot = this.table.allocSlot();
    const r = new NodeRecord(name, node, slot);
    this.nodes.set(name, r);
    this.bySlot[slot] = r;
    this.writeNode(r, node, undefined);
    r.zone = zoneKey(node);
    this.zoneAdd(r);
    const nominated = this.nominated.get(name);
    if (nominated !== undefined) this.writeNominated(name);
    const waiting = this.orphans.get(name);
    if (waiting !== undefined) {
      this.orphans.delete(name);
      for (const p of waiting) this.attach(p, r);
    }
    this.generation++;
    this.nodeGeneration++;
    return r;
  }

  updateNode(node: Node): void {
    const r = this.nodes.get(node.metadata.name ?? "");
    if (r === undefined) {
      this.addNode(node);
      return;
    }
    const old = r.node;
    r.node = node;
    this.writeNode(r, node, old);
    const z = zoneKey(node);
    if (z !== r.zone) {
      this.zoneRemove(r);
      r.zone = z;
      this.zoneAdd(r);
    }
    this.generation++;
    this.nodeGeneration++;
  }

  removeNode(name: string): void {
    const r = this.nodes.get(name);
    if (r === undefined) return;
    // Pods stay in the cache until their own delete events; they wait for a node of that name.
    for (const p of [...r.pods]) {
      this.detach(p);
      this.orphan(p, name);
    }
    this.setImages(r, []);
    this.zoneRemove(r);
    this.nodes.delete(name);
    this.bySlot[r.slot] = undefined;
    this.selectors.clearSlot(r.slot);
    this.table.freeSlot(r.slot);
    this.generation++;
    this.nodeGeneration++;
  }

  private writeNode(r: NodeRecord, node: Node, old: Node | undefined): void {
    const t = this.table;
    const slot = r.slot;
    const alloc = resourceListToRecord(node.status?.allocatable, newResourceRecord());
    r.alloc = alloc;
    t.setNum(slot, N_ALLOC_CPU, alloc.milliCPU);
    t.setNum(slot, N_ALLOC_MEM, alloc.memory);
    t.setNum(slot, N_INV_CPU, alloc.milliCPU === 0 ? 0 : 1 / alloc.milliCPU);
    t.setNum(slot, N_INV_MEM, alloc.memory === 0 ? 0 : 1 / alloc.memory);
    t.setNum(slot, N_ALLOC_EPH, alloc.ephemeralStorage);
    t.setNum(slot, N_ALLOC_PODS, alloc.pods);
    for (let id = 0; id < t.scalarCount; id++) t.setScalarAlloc(slot, id, 0);
    for (const [name, v] of alloc.scalar) t.setScalarAlloc(slot, t.scalarId(name), v);
    t.setInt(slot, I_UNSCHED, node.spec?.unschedulable === true ? 1 : 0);
    r.taintSet = this.taintSets.id(node.spec?.taints);
    t.setInt(r.slot, I_TAINTSET, r.taintSet);
    void old;
    t.setLabels(r.slot, node.metadata.labels);
    const imgs: { name: string; size: number }[] = [];
    for (const im of node.status?.images ?? []) {
      for (const n of im.names ?? []) imgs.push({ name: n, size: im.sizeBytes ?? 0 });
    }
    this.setImages(r, imgs);
    t.setInt(r.slot, I_IMG_STAMP, 0);
  }

  private setImages(r: NodeRecord, imgs: readonly { name: string; size: number }[]): void {
    for (const im of r.images) {
      const m = this.images.get(im.name);
      if (m === undefined) continue;
      m.delete(r.slot);
      if (m.size === 0) this.images.delete(im.name);
    }
    r.images = imgs;
    for (const im of imgs) {
      let m = this.images.get(im.name);
      if (m === undefined) {
        m = new Map();
        this.images.set(im.name, m);
      }
      m.set(r.slot, im.size);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Pods

  private attach(p: PodRecord, r: NodeRecord): void {
    p.node = r;
    r.pods.push(p);
    this.attachedPods.add(p);
    this.account(p.info, r, 1);
  }

  private detach(p: PodRecord): void {
    const r = p.node;
    if (r === undefined) return;
    const i = r.pods.indexOf(p);
    if (i >= 0) r.pods.splice(i, 1);
    this.attachedPods.delete(p);
    this.account(p.info, r, -1);
    p.node = undefined;
  }

  private orphan(p: PodRecord, nodeName: string): void {
    let l = this.orphans.get(nodeName);
    if (l === undefined) {
      l = [];
      this.orphans.set(nodeName, l);
    }
    l.push(p);
  }

  private unorphan(p: PodRecord): void {
    const l = this.orphans.get(p.nodeName);
    if (l === undefined) return;
    const i = l.indexOf(p);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) this.orphans.delete(p.nodeName);
  }

  /** Adds (delta 1) or removes (delta −1) a pod's footprint on a node: table row and indexes. */
  account(info: PodInfo, r: NodeRecord, delta: number): void {
    const t = this.table;
    const s = r.slot;
    t.addNum(s, N_POD_COUNT, delta);
    t.addNum(s, N_REQ_CPU, delta * info.req.milliCPU);
    t.addNum(s, N_REQ_MEM, delta * info.req.memory);
    t.addNum(s, N_REQ_EPH, delta * info.req.ephemeralStorage);
    t.addNum(s, N_NZ_CPU, delta * info.nzCpu);
    t.addNum(s, N_NZ_MEM, delta * info.nzMem);
    for (const [name, v] of info.req.scalar) t.addScalarRequested(s, t.scalarId(name), delta * v);
    for (const hp of info.hostPorts) {
      const pp = `${hp.protocol}/${hp.port}`;
      let byIp = r.usedPorts.get(pp);
      if (byIp === undefined) {
        byIp = new Map();
        r.usedPorts.set(pp, byIp);
      }
      const c = (byIp.get(hp.ip) ?? 0) + delta;
      if (c <= 0) byIp.delete(hp.ip);
      else byIp.set(hp.ip, c);
      if (byIp.size === 0) r.usedPorts.delete(pp);
      let idx = this.portIndex.get(pp);
      if (idx === undefined) {
        idx = new Map();
        this.portIndex.set(pp, idx);
      }
      if (r.usedPorts.has(pp)) idx.set(s, r.usedPorts.get(pp) as Map<string, number>);
      else idx.delete(s);
      if (idx.size === 0) this.portIndex.delete(pp);
    }
    this.selectors.update(info, s, delta);
    this.terms.update(info, s, delta);
    this.generation++;
  }

  /** A pod bound to a node (informer add/update with spec.nodeName), or confirmation of an assumed one. */
  addOrUpdateAssignedPod(pod: Pod): PodRecord {
    const prev = this.pods.get(PodInfo.keyOf(pod));
    const info = prev === undefined ? new PodInfo(pod) : prev.info.rebind(pod);
    const nodeName = pod.spec.nodeName ?? "";
    const existing = prev;
    if (existing !== undefined) {
      // Confirmation of an assumed pod with nothing else changed: the footprint stays.
      if (existing.node !== undefined && existing.nodeName === nodeName && info.req === existing.info.req) {
        existing.info = info;
        existing.assumed = false;
        return existing;
      }
      // Otherwise (an update of a bound pod, or a different node): replace its footprint.
      if (existing.node !== undefined) this.detach(existing);
      else this.unorphan(existing);
      existing.info = info;
      existing.nodeName = nodeName;
      existing.assumed = false;
      this.place(existing);
      return existing;
    }
    const rec = new PodRecord(info, nodeName);
    this.pods.set(info.key, rec);
    this.place(rec);
    return rec;
  }

  private place(rec: PodRecord): void {
    const r = this.nodes.get(rec.nodeName);
    if (r === undefined) this.orphan(rec, rec.nodeName);
    else this.attach(rec, r);
  }

  removePod(key: string): PodRecord | undefined {
    const rec = this.pods.get(key);
    if (rec === undefined) return undefined;
    if (rec.node !== undefined) this.detach(rec);
    else this.unorphan(rec);
    this.pods.delete(key);
    return rec;
  }

  /** AssumePod: the pod counts on the node before its binding completes. */
  assume(info: PodInfo, nodeName: string): PodRecord {
    const rec = new PodRecord(info, nodeName);
    rec.assumed = true;
    this.pods.set(info.key, rec);
    this.place(rec);
    return rec;
  }

  /** ForgetPod: undo an assumption (binding failed). */
  forget(key: string): void {
    const rec = this.pods.get(key);
    if (rec?.assumed) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  podRecord(key: string): PodRecord | undefined {
    return this.pods.get(key);
  }

  // -------------------------------------------------------------------------------------------
  // Nominated pods (the queue's nominator; its effect on filtering goes through the table)

  nominate(info: PodInfo, nodeName: string | undefined): void {
    const prev = this.nominatedNode.get(info.key);
    if (prev !== undefined) {
      const l = this.nominated.get(prev) ?? [];
      const i = l.findIndex((p) => p.key === info.key);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) this.nominated.delete(prev);
      this.nominatedNode.delete(info.key);
      this.writeNominated(prev);
    }
    if (nodeName === undefined || nodeName === "") return;
    let l = this.nominated.get(nodeName);
    if (l === undefined) {
      l = [];
      this.nominated.set(nodeName, l);
    }
    l.push(info);
    this.nominatedNode.set(info.key, nodeName);
    this.writeNominated(nodeName);
  }

  nominatedNodeOf(key: string): string | undefined {
    return this.nominatedNode.get(key);
  }

  private writeNominated(nodeName: string): void {
    const r = this.nodes.get(nodeName);
    if (r === undefined) return;
    const l = this.nominated.get(nodeName) ?? [];
    let max = Number.NEGATIVE_INFINITY;
    for (const p of l) if (p.priority > max) max = p.priority;
    this.table.setInt(r.slot, I_NOM_COUNT, l.length);
    this.table.setNum(r.slot, N_NOM_PRIO, l.length === 0 ? 0 : max);
  }

  // -------------------------------------------------------------------------------------------
  // Objects used for default spreading, namespace selectors and PDBs

  setNamespace(name: string, labels: Readonly<Record<string, string>> | undefined): void {
    this.namespaces.set(name, labels ?? {});
  }

  deleteNamespace(name: string): void {
    this.namespaces.delete(name);
  }

  static key(ns: string | undefined, name: string | undefined): string {
    return ownerKey(ns ?? "default", name ?? "");
  }
}

/**
 * Per-node Filter and Score functions of the default plugins, over the node table and a pod's
 * program. This is the single implementation every path uses: the main-thread scan, the worker
 * shards, the nominated-pod and preemption re-evaluations and `explain`. Each function cites the
 * upstream rule it implements; the PreFilter/PreScore halves that build the program live in
 * src/scheduler/plugins/.
 *
 * A filter function returns 0 (success) or `(status << 20) | reason`; the loop adds the plugin
 * code (`code << 24`). Score functions return the plugin's raw score for the node.
 */
/** Go int64 division (see gomath.ts; local so the hot loops inline it). */
function goDiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/**
 * floor(x / d) for integers 0 <= x, 0 < d, x + d < 2^53, given inv = 1/d: x·inv is within an
 * ulp or two of the quotient, so the floor is off by at most one and the exact products q·d
 * correct it. Equal to Math.trunc(x / d) there: a non-integer quotient of such integers lies at
 * least 1/d from every integer, far more than the division's rounding error.
 */
function exactDiv(x: number, d: number, inv: number): number {
  const q = Math.floor(x * inv);
  if (q * d > x) return q - 1;
  if ((q + 1) * d <= x) return q + 1;
  return q;
}

/** Go math.Round, half away from zero (see gomath.ts). */
function goRound(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}
// Layout constants as local literals: V8 folds these, while imported bindings cost a load per
// use in the hot loops (measured ~20-30% here). They must equal layout.ts; a test checks.
const C_BALANCED = 9;
const C_FIT = 6;
const C_IMAGE_LOCALITY = 10;
const C_INTER_POD_AFFINITY = 8;
const C_NODE_AFFINITY = 4;
const C_NODE_NAME = 2;
const C_NODE_PORTS = 5;
const C_NODE_UNSCHEDULABLE = 1;
const C_SPREAD = 7;
const C_TAINT_TOLERATION = 3;
const CODE_SHIFT = 24;
const DEFERRED = 7340032;
const FAIL_PENDING = 0x7fffffff;
const I_IMG_STAMP = 5;
const I_NOM_COUNT = 3;
const I_PORT_STAMP = 4;
const I_TAINTSET = 2;
const I_UNSCHED = 1;
const INT_STRIDE = 8;
const N_ALLOC_CPU = 0;
const N_ALLOC_EPH = 8;
const N_ALLOC_MEM = 1;
const N_ALLOC_PODS = 6;
const N_IMG_SUM = 11;
const N_INV_CPU = 12;
const N_INV_MEM = 13;
const N_NOM_PRIO = 10;
const N_NZ_CPU = 2;
const N_NZ_MEM = 3;
const N_POD_COUNT = 7;
const N_REQ_CPU = 4;
const N_REQ_EPH = 9;
const N_REQ_MEM = 5;
const NUM_STRIDE = 16;
const P_FBASE = 34;
const P_FILTER = 1;
const P_NFILTER = 0;
const P_NSCORE = 17;
const P_PRIORITY = 66;
const P_SBASE = 50;
const P_SCORE = 18;
const RK_NAME_EQ = 1;
const SEL_BEST = 4;
const SEL_COUNT = 5;
const SEL_FEASIBLE = 0;
const SEL_FINAL = 520;
const SEL_LEVELS = 8;
const SEL_MAX_FINAL = 1024;
const SEL_MAX_LEVELS = 256;
const SEL_MAX_TAINT = 1;
const SEL_NLEVELS = 2;
const SEL_OVERFLOW = 3;
const SEL_REGION = 1544;
const RK_NAME_NE = 2;
const RK_TABLE = 0;
const RK_TRUE = 3;
const ST_UNRESOLVABLE = 3;
const ST_UNSCHEDULABLE = 2;
const STATUS_SHIFT = 20;

/** The local layout constants, for the test that compares them with layout.ts. */
export const KERNEL_CONSTANTS: Readonly<Record<string, number>> = Object.freeze({
  C_BALANCED,
  C_FIT,
  C_IMAGE_LOCALITY,
  C_INTER_POD_AFFINITY,
  C_NODE_AFFINITY,
  C_NODE_NAME,
  C_NODE_PORTS,
  C_NODE_UNSCHEDULABLE,
  C_SPREAD,
  C_TAINT_TOLERATION,
  CODE_SHIFT,
  DEFERRED,
  FAIL_PENDING,
  I_IMG_STAMP,
  I_NOM_COUNT,
  I_PORT_STAMP,
  I_TAINTSET,
  I_UNSCHED,
  INT_STRIDE,
  N_ALLOC_CPU,
  N_ALLOC_EPH,
  N_ALLOC_MEM,
  N_ALLOC_PODS,
  N_IMG_SUM,
  N_INV_CPU,
  N_INV_MEM,
  N_NOM_PRIO,
  N_NZ_CPU,
  N_NZ_MEM,
  N_POD_COUNT,
  N_REQ_CPU,
  N_REQ_EPH,
  N_REQ_MEM,
  NUM_STRIDE,
  P_FBASE,
  P_FILTER,
  P_NFILTER,
  P_NSCORE,
  P_PRIORITY,
  P_SBASE,
  P_SCORE,
  RK_NAME_EQ,
  RK_NAME_NE,
  SEL_BEST,
  SEL_COUNT,
  SEL_FEASIBLE,
  SEL_FINAL,
  SEL_LEVELS,
  SEL_MAX_FINAL,
  SEL_MAX_LEVELS,
  SEL_MAX_TAINT,
  SEL_NLEVELS,
  SEL_OVERFLOW,
  SEL_REGION,
  RK_TABLE,
  RK_TRUE,
  ST_UNRESOLVABLE,
  ST_UNSCHEDULABLE,
  STATUS_SHIFT,
});

import type { ProgramView, TableView } from "./views.js";
import { type FusedWasm, fusedFor } from "./wasm-kernel.js";

const U = ST_UNSCHEDULABLE << STATUS_SHIFT;
const UAU = ST_UNRESOLVABLE << STATUS_SHIFT;

function label(t: TableView, slot: number, key: number): number {
  return key < 0 ? 0 : (t.labels[slot * t.keyCap + key] as number);
}

// ---------------------------------------------------------------------------------------------
// Node selectors (k8s.io/component-helpers/scheduling/corev1/nodeaffinity): requirements ANDed,
// terms ORed, the pod's nodeSelector map ANDed with its required affinity.

function reqMatches(t: TableView, pi: Int32Array, at: number, slot: number): boolean {
  const kind = pi[at] as number;
  if (kind === RK_TABLE) return pi[(pi[at + 2] as number) + label(t, slot, pi[at + 1] as number)] === 1;
  if (kind === RK_NAME_EQ) return slot === pi[at + 2];
  if (kind === RK_NAME_NE) return slot !== pi[at + 2];
  return kind === RK_TRUE;
}

/** Whether a compiled node-selector section at `s` matches the slot. */
export function selectorSectionMatches(t: TableView, pi: Int32Array, s: number, slot: number): boolean {
  const nSel = pi[s] as number;
  let at = s + 1;
  for (let j = 0; j < nSel; j++, at += 3) if (!reqMatches(t, pi, at, slot)) return false;
  const present = pi[at] as number;
  const nTerms = pi[at + 1] as number;
  at += 2;
  if (present === 0) return true;
  for (let k = 0; k < nTerms; k++) {
    const nReq = pi[at] as number;
    at++;
    let ok = true;
    for (let j = 0; j < nReq; j++, at += 3) if (ok && !reqMatches(t, pi, at, slot)) ok = false;
    if (ok) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Filters

/** NodeUnschedulable (nodeunschedulable/node_unschedulable.go): spec.unschedulable and not tolerated. */
export function nodeUnschedulableFilter(t: TableView, p: ProgramView, slot: number): number {
  if (t.ints[slot * INT_STRIDE + I_UNSCHED] === 0) return 0;
  return p.pi[p.pi[P_FBASE + C_NODE_UNSCHEDULABLE] as number] === 1 ? 0 : UAU;
}

/** NodeName (nodename/node_name.go): spec.nodeName names another node. */
export function nodeNameFilter(_t: TableView, p: ProgramView, slot: number): number {
  return p.pi[p.pi[P_FBASE + C_NODE_NAME] as number] === slot ? 0 : UAU;
}

/** TaintToleration Filter: the first untolerated NoSchedule/NoExecute taint; reason = its index in the node's taints. */
export function taintFilter(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const base = pi[P_FBASE + C_TAINT_TOLERATION] as number;
  const set = t.ints[slot * INT_STRIDE + I_TAINTSET] as number;
  if (set >= (pi[base + 1] as number)) return 0;
  const r = pi[(pi[base] as number) + set] as number;
  return r === 0 ? 0 : UAU | (r - 1);
}

/** NodeAffinity Filter: reason 0 = scheduler-enforced affinity, 1 = the pod's selector/affinity. */
export function nodeAffinityFilter(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const base = pi[P_FBASE + C_NODE_AFFINITY] as number;
  const added = pi[base] as number;
  if (added >= 0 && !selectorSectionMatches(t, pi, added, slot)) return UAU;
  const req = pi[base + 1] as number;
  if (req >= 0 && !selectorSectionMatches(t, pi, req, slot)) return UAU | 1;
  return 0;
}

/** NodePorts Filter: PreFilter stamped the nodes whose used host ports conflict. */
export function nodePortsFilter(t: TableView, p: ProgramView, slot: number): number {
  return t.ints[slot * INT_STRIDE + I_PORT_STAMP] === p.pi[p.pi[P_FBASE + C_NODE_PORTS] as number] ? U : 0;
}

/**
 * NodeResourcesFit Filter (noderesources/fit.go fitsRequest): every failing resource is a
 * reason bit: 1 = Too many pods, 2 = cpu, 4 = memory, 8 = ephemeral-storage, 16<<j = scalar j.
 */
export function fitFilter(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const pf = p.pf;
  const base = pi[P_FBASE + C_FIT] as number;
  const num = t.num;
  const row = slot * NUM_STRIDE;
  let bits = 0;
  if ((num[row + N_POD_COUNT] as number) + 1 > (num[row + N_ALLOC_PODS] as number)) bits |= 1;
  if (pi[base + 2] === 1) return bits === 0 ? 0 : U | bits;
  const f = pi[base] as number;
  const cpu = pf[f] as number;
  const mem = pf[f + 1] as number;
  const eph = pf[f + 2] as number;
  if (cpu > 0 && cpu > (num[row + N_ALLOC_CPU] as number) - (num[row + N_REQ_CPU] as number)) bits |= 2;
  if (mem > 0 && mem > (num[row + N_ALLOC_MEM] as number) - (num[row + N_REQ_MEM] as number)) bits |= 4;
  if (eph > 0 && eph > (num[row + N_ALLOC_EPH] as number) - (num[row + N_REQ_EPH] as number)) bits |= 8;
  const ns = pi[base + 1] as number;
  for (let j = 0; j < ns; j++) {
    const id = pi[base + 3 + j] as number;
    const i = (slot * t.scalarCap + id) * 2;
    if ((pf[f + 3 + j] as number) > (t.scal[i] as number) - (t.scal[i + 1] as number)) bits |= 16 << j;
  }
  return bits === 0 ? 0 : U | bits;
}

/**
 * PodTopologySpread Filter (podtopologyspread/filtering.go): per hard constraint, reason 0 =
 * missing topology label (UnschedulableAndUnresolvable), 1 = skew too large (Unschedulable).
 */
export function spreadFilter(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const base = pi[P_FBASE + C_SPREAD] as number;
  const n = pi[base] as number;
  for (let c = 0; c < n; c++) {
    const at = base + 1 + c * 5;
    const v = label(t, slot, pi[at] as number);
    if (v === 0) return UAU;
    const table = pi[at + 4] as number;
    const matchNum = pi[table + v] as number;
    const skew = matchNum + (pi[at + 2] as number) - (pi[at + 3] as number);
    if (skew > (pi[at + 1] as number)) return U | 1;
  }
  return 0;
}

/**
 * InterPodAffinity Filter (interpodaffinity/filtering.go): reason 0 = pod affinity rules
 * (UnschedulableAndUnresolvable), 1 = pod anti-affinity rules, 2 = existing pods' anti-affinity.
 */
export function ipaFilter(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const base = pi[P_FBASE + C_INTER_POD_AFFINITY] as number;
  const nAff = pi[base] as number;
  const nAnti = pi[base + 2] as number;
  const nExist = pi[base + 4] as number;
  let at = base + 5;
  if (nAff > 0) {
    let podsExist = true;
    for (let k = 0; k < nAff; k++, at += 2) {
      const v = label(t, slot, pi[at] as number);
      if (v === 0) return UAU;
      if ((pi[(pi[at + 1] as number) + v] as number) <= 0) podsExist = false;
    }
    if (!podsExist && pi[base + 1] !== 1) return UAU;
  }
  if (pi[base + 3] === 1) {
    for (let k = 0; k < nAnti; k++) {
      const a = at + k * 2;
      const v = label(t, slot, pi[a] as number);
      if (v !== 0 && (pi[(pi[a + 1] as number) + v] as number) > 0) return U | 1;
    }
  }
  at += nAnti * 2;
  for (let k = 0; k < nExist; k++, at += 2) {
    const v = label(t, slot, pi[at] as number);
    if (v !== 0 && (pi[(pi[at + 1] as number) + v] as number) > 0) return U | 2;
  }
  return 0;
}

/** Runs one filter plugin by code (0 = success); volume plugins always pass without volumes. */
export function runFilter(code: number, t: TableView, p: ProgramView, slot: number): number {
  switch (code) {
    case C_NODE_UNSCHEDULABLE:
      return nodeUnschedulableFilter(t, p, slot);
    case C_NODE_NAME:
      return nodeNameFilter(t, p, slot);
    case C_TAINT_TOLERATION:
      return taintFilter(t, p, slot);
    case C_NODE_AFFINITY:
      return nodeAffinityFilter(t, p, slot);
    case C_NODE_PORTS:
      return nodePortsFilter(t, p, slot);
    case C_FIT:
      return fitFilter(t, p, slot);
    case C_SPREAD:
      return spreadFilter(t, p, slot);
    case C_INTER_POD_AFFINITY:
      return ipaFilter(t, p, slot);
    default:
      return 0;
  }
}

/** All active filters in order; the first failure wins (framework RunFilterPlugins). */
export function filterNode(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const n = pi[P_NFILTER] as number;
  for (let k = 0; k < n; k++) {
    const code = pi[P_FILTER + k] as number;
    const r = runFilter(code, t, p, slot);
    if (r !== 0) return (code << CODE_SHIFT) | r;
  }
  return 0;
}

/**
 * Filters scan positions [from, to) of either the scan order starting at `start` (list =
 * undefined) or an explicit slot list, writing packed results to `out[pos]`. Nodes with
 * nominated pods of equal or higher priority come back DEFERRED for the main thread. Stops
 * after `need` feasible nodes when need > 0; returns the end position.
 */
/**
 * Counters of the last filterRange call that collected feasible slots: how many it appended
 * and how many nodes came back DEFERRED (then the caller must merge in order itself); and how
 * many fused passes ran as WebAssembly on this thread so far (tests check the path is taken).
 */
export const scanStats = { feasible: 0, deferred: 0, wasmPasses: 0 };

export function filterRange(
  t: TableView,
  p: ProgramView,
  list: Int32Array | undefined,
  start: number,
  len: number,
  from: number,
  to: number,
  out: Int32Array,
  need: number,
  feas?: Int32Array,
  feasAt = 0,
): number {
  if (basicFilters(p)) return filterRangeBasic(t, p, list, start, len, from, to, out, need, feas, feasAt);
  const ints = t.ints;
  const num = t.num;
  const order = t.order;
  const prio = p.pi[P_PRIORITY] as number;
  let feasible = 0;
  let deferred = 0;
  for (let pos = from; pos < to; pos++) {
    let slot: number;
    if (list === undefined) {
      let i = start + pos;
      if (i >= len) i -= len;
      slot = order[i] as number;
    } else {
      slot = list[pos] as number;
    }
    let r: number;
    if (
      (ints[slot * INT_STRIDE + I_NOM_COUNT] as number) > 0 &&
      (num[slot * NUM_STRIDE + N_NOM_PRIO] as number) >= prio
    ) {
      r = DEFERRED;
      deferred++;
    } else {
      r = filterNode(t, p, slot);
    }
    out[pos] = r;
    if (r === 0) {
      if (feas !== undefined) feas[feasAt + feasible] = slot;
      if (++feasible === need) {
        scanStats.feasible = feasible;
        scanStats.deferred = deferred;
        return pos + 1;
      }
    }
  }
  scanStats.feasible = feasible;
  scanStats.deferred = deferred;
  return to;
}

/**
 * True when the active filters are among NodeUnschedulable, NodeName, TaintToleration and
 * NodeResourcesFit without scalar resources: the common case, run by a fused loop with the
 * pod's parameters hoisted. Same checks and same first-failure order as filterNode.
 */
function basicFilters(p: ProgramView): boolean {
  const pi = p.pi;
  const n = pi[P_NFILTER] as number;
  if (n > 4) return false;
  for (let k = 0; k < n; k++) {
    const c = pi[P_FILTER + k] as number;
    if (c === C_FIT) {
      if (pi[(pi[P_FBASE + C_FIT] as number) + 1] !== 0) return false;
    } else if (c !== C_NODE_UNSCHEDULABLE && c !== C_NODE_NAME && c !== C_TAINT_TOLERATION) {
      return false;
    }
  }
  return true;
}

function filterRangeBasic(
  t: TableView,
  p: ProgramView,
  list: Int32Array | undefined,
  start: number,
  len: number,
  from: number,
  to: number,
  out: Int32Array,
  need: number,
  feas: Int32Array | undefined,
  feasAt: number,
): number {
  const pi = p.pi;
  const n = pi[P_NFILTER] as number;
  const c0 = n > 0 ? (pi[P_FILTER] as number) : 0;
  const c1 = n > 1 ? (pi[P_FILTER + 1] as number) : 0;
  const c2 = n > 2 ? (pi[P_FILTER + 2] as number) : 0;
  const c3 = n > 3 ? (pi[P_FILTER + 3] as number) : 0;
  const has = (c: number) => c0 === c || c1 === c || c2 === c || c3 === c;
  const doUnsched = has(C_NODE_UNSCHEDULABLE) && pi[pi[P_FBASE + C_NODE_UNSCHEDULABLE] as number] !== 1;
  const doName = has(C_NODE_NAME);
  const target = doName ? (pi[pi[P_FBASE + C_NODE_NAME] as number] as number) : -1;
  const doTaint = has(C_TAINT_TOLERATION);
  const tb = doTaint ? (pi[P_FBASE + C_TAINT_TOLERATION] as number) : 0;
  const taintTable = doTaint ? (pi[tb] as number) : 0;
  const taintLen = doTaint ? (pi[tb + 1] as number) : 0;
  const doFit = has(C_FIT);
  const fb = doFit ? (pi[P_FBASE + C_FIT] as number) : 0;
  const fitNone = doFit && pi[fb + 2] === 1;
  const ff = doFit ? (pi[fb] as number) : 0;
  const cpu = doFit ? (p.pf[ff] as number) : 0;
  const mem = doFit ? (p.pf[ff + 1] as number) : 0;
  const eph = doFit ? (p.pf[ff + 2] as number) : 0;
  const ints = t.ints;
  const num = t.num;
  const order = t.order;
  const prio = pi[P_PRIORITY] as number;
  let feasible = 0;
  let deferred = 0;
  for (let pos = from; pos < to; pos++) {
    let slot: number;
    if (list === undefined) {
      let i = start + pos;
      if (i >= len) i -= len;
      slot = order[i] as number;
    } else {
      slot = list[pos] as number;
    }
    const ib = slot * INT_STRIDE;
    const nb = slot * NUM_STRIDE;
    let r = 0;
    if ((ints[ib + I_NOM_COUNT] as number) > 0 && (num[nb + N_NOM_PRIO] as number) >= prio) {
      r = DEFERRED;
      deferred++;
    } else {
      const rUnsched = doUnsched && ints[ib + I_UNSCHED] !== 0 ? (C_NODE_UNSCHEDULABLE << CODE_SHIFT) | UAU : 0;
      const rName = doName && slot !== target ? (C_NODE_NAME << CODE_SHIFT) | UAU : 0;
      let rTaint = 0;
      if (doTaint) {
        const set = ints[ib + I_TAINTSET] as number;
        if (set < taintLen) {
          const x = pi[taintTable + set] as number;
          if (x !== 0) rTaint = (C_TAINT_TOLERATION << CODE_SHIFT) | UAU | (x - 1);
        }
      }
      let rFit = 0;
      if (doFit) {
        let bits = 0;
        if ((num[nb + N_POD_COUNT] as number) + 1 > (num[nb + N_ALLOC_PODS] as number)) bits = 1;
        if (!fitNone) {
          if (cpu > 0 && cpu > (num[nb + N_ALLOC_CPU] as number) - (num[nb + N_REQ_CPU] as number)) bits |= 2;
          if (mem > 0 && mem > (num[nb + N_ALLOC_MEM] as number) - (num[nb + N_REQ_MEM] as number)) bits |= 4;
          if (eph > 0 && eph > (num[nb + N_ALLOC_EPH] as number) - (num[nb + N_REQ_EPH] as number)) bits |= 8;
        }
        if (bits !== 0) rFit = (C_FIT << CODE_SHIFT) | U | bits;
      }
      if ((rUnsched | rName | rTaint | rFit) !== 0) {
        // The first failure in the configured plugin order.
        for (let k = 0; k < n; k++) {
          const c = k === 0 ? c0 : k === 1 ? c1 : k === 2 ? c2 : c3;
          const x =
            c === C_NODE_UNSCHEDULABLE
              ? rUnsched
              : c === C_NODE_NAME
                ? rName
                : c === C_TAINT_TOLERATION
                  ? rTaint
                  : rFit;
          if (x !== 0) {
            r = x;
            break;
          }
        }
      }
    }
    out[pos] = r;
    if (r === 0) {
      if (feas !== undefined) feas[feasAt + feasible] = slot;
      if (++feasible === need) {
        scanStats.feasible = feasible;
        scanStats.deferred = deferred;
        return pos + 1;
      }
    }
  }
  scanStats.feasible = feasible;
  scanStats.deferred = deferred;
  return to;
}

// ---------------------------------------------------------------------------------------------
// Scores

function resourceAlloc(t: TableView, slot: number, kind: number, id: number): number {
  if (kind === 0) return t.num[slot * NUM_STRIDE + N_ALLOC_CPU] as number;
  if (kind === 1) return t.num[slot * NUM_STRIDE + N_ALLOC_MEM] as number;
  if (kind === 2) return t.num[slot * NUM_STRIDE + N_ALLOC_EPH] as number;
  if (kind === 3) return t.scal[(slot * t.scalarCap + id) * 2] as number;
  return 0;
}

function resourceRequested(t: TableView, slot: number, kind: number, id: number, nonZero: boolean): number {
  const row = slot * NUM_STRIDE;
  if (kind === 0) return t.num[row + (nonZero ? N_NZ_CPU : N_REQ_CPU)] as number;
  if (kind === 1) return t.num[row + (nonZero ? N_NZ_MEM : N_REQ_MEM)] as number;
  if (kind === 2) return t.num[row + N_REQ_EPH] as number;
  return t.scal[(slot * t.scalarCap + id) * 2 + 1] as number;
}

/** helper.BuildBrokenLinearFunction over shape points (utilization, score×10), Go int64 math. */
function brokenLinear(pf: Float64Array, s: number, n: number, x: number): number {
  for (let i = 0; i < n; i++) {
    const u = pf[s + 2 * i] as number;
    if (x <= u) {
      if (i === 0) return pf[s + 1] as number;
      const u0 = pf[s + 2 * i - 2] as number;
      const v0 = pf[s + 2 * i - 1] as number;
      const v1 = pf[s + 2 * i + 1] as number;
      return v0 + goDiv((v1 - v0) * (x - u0), u - u0);
    }
  }
  return pf[s + 2 * n - 1] as number;
}

/**
 * NodeResourcesFit Score (noderesources/resource_allocation.go score, least_allocated.go,
 * most_allocated.go, requested_to_capacity_ratio.go). Requested = NonZeroRequested for cpu and
 * memory, Requested otherwise, plus the pod's non-zero request; resources with allocatable 0
 * are left out.
 */
export function fitScore(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const pf = p.pf;
  const base = pi[P_SBASE + C_FIT] as number;
  const strategy = pi[base] as number;
  const nRes = pi[base + 1] as number;
  const f = pi[base + 2] as number;
  let nodeScore = 0;
  let weightSum = 0;
  for (let j = 0; j < nRes; j++) {
    const kind = pi[base + 4 + 2 * j] as number;
    if (kind === 4) continue;
    const id = pi[base + 5 + 2 * j] as number;
    const podReq = pf[f + 2 * j + 1] as number;
    if (kind === 3 && podReq === 0) continue;
    const alloc = resourceAlloc(t, slot, kind, id);
    if (alloc === 0) continue;
    const req = resourceRequested(t, slot, kind, id, true) + podReq;
    const w = pf[f + 2 * j] as number;
    let s: number;
    if (strategy === 0) {
      s = req > alloc ? 0 : goDiv((alloc - req) * 100, alloc);
    } else if (strategy === 1) {
      s = goDiv((req > alloc ? alloc : req) * 100, alloc);
    } else {
      const util = req > alloc ? 100 : goDiv(req * 100, alloc);
      s = brokenLinear(pf, f + 2 * nRes, pi[base + 3] as number, util);
      if (s <= 0) continue;
    }
    nodeScore += s * w;
    weightSum += w;
  }
  if (weightSum === 0) return 0;
  return strategy === 2 ? goRound(nodeScore / weightSum) : goDiv(nodeScore, weightSum);
}

/**
 * NodeResourcesBalancedAllocation Score (balanced_allocation.go balancedResourceScorer): true
 * requests; fractions capped at 1; std of two fractions is |f1−f2|/2, of more the population
 * standard deviation; score = int64((1 − std) × 100).
 */
export function balancedScore(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const pf = p.pf;
  const base = pi[P_SBASE + C_BALANCED] as number;
  const nRes = pi[base + 1] as number;
  const f = pi[base + 2] as number;
  let count = 0;
  let total = 0;
  let f0 = 0;
  let f1 = 0;
  for (let j = 0; j < nRes; j++) {
    const kind = pi[base + 4 + 2 * j] as number;
    if (kind === 4) continue;
    const id = pi[base + 5 + 2 * j] as number;
    const podReq = pf[f + 2 * j + 1] as number;
    if (kind === 3 && podReq === 0) continue;
    const alloc = resourceAlloc(t, slot, kind, id);
    if (alloc === 0) continue;
    let fr = (resourceRequested(t, slot, kind, id, false) + podReq) / alloc;
    if (fr > 1) fr = 1;
    total += fr;
    if (count === 0) f0 = fr;
    else if (count === 1) f1 = fr;
    count++;
  }
  let std = 0;
  if (count === 2) {
    std = Math.abs((f0 - f1) / 2);
  } else if (count > 2) {
    // Recompute the fractions in order for the population standard deviation.
    const mean = total / count;
    let sum = 0;
    for (let j = 0; j < nRes; j++) {
      const kind = pi[base + 4 + 2 * j] as number;
      if (kind === 4) continue;
      const id = pi[base + 5 + 2 * j] as number;
      const podReq = pf[f + 2 * j + 1] as number;
      if (kind === 3 && podReq === 0) continue;
      const alloc = resourceAlloc(t, slot, kind, id);
      if (alloc === 0) continue;
      let fr = (resourceRequested(t, slot, kind, id, false) + podReq) / alloc;
      if (fr > 1) fr = 1;
      sum = sum + (fr - mean) * (fr - mean);
    }
    std = Math.sqrt(sum / count);
  }
  return Math.trunc((1 - std) * 100);
}

/** TaintToleration Score: untolerated PreferNoSchedule taints (per taint set, from PreScore). */
export function taintScore(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const base = pi[P_SBASE + C_TAINT_TOLERATION] as number;
  const set = t.ints[slot * INT_STRIDE + I_TAINTSET] as number;
  if (set >= (pi[base + 1] as number)) return 0;
  return pi[(pi[base] as number) + set] as number;
}

/** NodeAffinity Score: the summed weights of matching preferred terms (scheduler-added first). */
export function nodeAffinityScore(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const base = pi[P_SBASE + C_NODE_AFFINITY] as number;
  const n = pi[base] as number;
  let at = base + 1;
  let score = 0;
  for (let k = 0; k < n; k++) {
    const weight = pi[at] as number;
    const nReq = pi[at + 1] as number;
    at += 2;
    let ok = true;
    for (let j = 0; j < nReq; j++, at += 3) if (ok && !reqMatches(t, pi, at, slot)) ok = false;
    if (ok) score += weight;
  }
  return score;
}

/**
 * PodTopologySpread Score (podtopologyspread/scoring.go): Σ over constraints whose key the node
 * has of cnt·ln(size+2) + (maxSkew−1), rounded half away from zero. Hostname counts come from
 * the node (`hostCounts[i]` for feasible index i). Ignored nodes score 0 here and in Normalize.
 */
export function spreadScore(t: TableView, p: ProgramView, slot: number, i: number): number {
  const pi = p.pi;
  const pf = p.pf;
  const base = pi[P_SBASE + C_SPREAD] as number;
  const n = pi[base] as number;
  if (spreadIgnored(t, p, slot)) return 0;
  const f = pi[base + 2] as number;
  const host = pi[base + 3] as number;
  let score = 0;
  for (let c = 0; c < n; c++) {
    const at = base + 4 + 4 * c;
    const v = label(t, slot, pi[at] as number);
    if (v === 0) continue;
    const cnt = pi[at + 1] === 1 ? (pi[host + i] as number) : (pi[(pi[at + 3] as number) + v] as number);
    score += cnt * (pf[f + c] as number) + (pi[at + 2] as number);
  }
  return goRound(score);
}

/** Whether PodTopologySpread ignores the node in scoring (requireAll and a key missing). */
export function spreadIgnored(t: TableView, p: ProgramView, slot: number): boolean {
  const pi = p.pi;
  const base = pi[P_SBASE + C_SPREAD] as number;
  if (pi[base + 1] !== 1) return false;
  const n = pi[base] as number;
  for (let c = 0; c < n; c++) if (label(t, slot, pi[base + 4 + 4 * c] as number) === 0) return true;
  return false;
}

/** InterPodAffinity Score: Σ over keys the node has of topologyScore[key][value]. */
export function ipaScore(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const base = pi[P_SBASE + C_INTER_POD_AFFINITY] as number;
  const n = pi[base] as number;
  let score = 0;
  for (let k = 0; k < n; k++) {
    const v = label(t, slot, pi[base + 1 + 2 * k] as number);
    if (v !== 0) score += p.pf[(pi[base + 2 + 2 * k] as number) + v] as number;
  }
  return score;
}

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** ImageLocality calculatePriority (imagelocality/image_locality.go). */
export function imageLocalityPriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  let s = sumScores;
  if (s < MIN_THRESHOLD) s = MIN_THRESHOLD;
  else if (s > maxThreshold) s = maxThreshold;
  return goDiv(100 * (s - MIN_THRESHOLD), maxThreshold - MIN_THRESHOLD);
}

/** ImageLocality Score: PreScore-time sums stamped on nodes that hold some of the pod's images. */
export function imageScore(t: TableView, p: ProgramView, slot: number): number {
  const pi = p.pi;
  const base = pi[P_SBASE + C_IMAGE_LOCALITY] as number;
  const sum =
    t.ints[slot * INT_STRIDE + I_IMG_STAMP] === pi[base] ? (t.num[slot * NUM_STRIDE + N_IMG_SUM] as number) : 0;
  return imageLocalityPriority(sum, pi[base + 1] as number);
}

/** One plugin's raw score for the node at feasible index i. */
export function runScore(code: number, t: TableView, p: ProgramView, slot: number, i: number): number {
  switch (code) {
    case C_FIT:
      return fitScore(t, p, slot);
    case C_BALANCED:
      return balancedScore(t, p, slot);
    case C_TAINT_TOLERATION:
      return taintScore(t, p, slot);
    case C_NODE_AFFINITY:
      return nodeAffinityScore(t, p, slot);
    case C_SPREAD:
      return spreadScore(t, p, slot, i);
    case C_INTER_POD_AFFINITY:
      return ipaScore(t, p, slot);
    case C_IMAGE_LOCALITY:
      return imageScore(t, p, slot);
    default:
      return 0;
  }
}

/**
 * NodeResourcesFit (Least/MostAllocated) and BalancedAllocation over exactly cpu and memory,
 * the defaults: the same arithmetic as fitScore / balancedScore with the pod's parameters
 * hoisted. Returns false when the section is not of that shape.
 */
function fitCpuMemFast(
  t: TableView,
  p: ProgramView,
  feas: Int32Array,
  from: number,
  to: number,
  out: Float64Array,
  o: number,
  base: number,
  fit: boolean,
): boolean {
  const pi = p.pi;
  const pf = p.pf;
  const strategy = pi[base] as number;
  if (!cpuMemShape(pi, base, fit)) return false;
  const f = pi[base + 2] as number;
  const w0 = pf[f] as number;
  const cpu = pf[f + 1] as number;
  const w1 = pf[f + 2] as number;
  const mem = pf[f + 3] as number;
  const num = t.num;
  const rc = fit ? N_NZ_CPU : N_REQ_CPU;
  const rm = fit ? N_NZ_MEM : N_REQ_MEM;
  for (let i = from; i < to; i++) {
    const nb = (feas[i] as number) * NUM_STRIDE;
    const ac = num[nb + N_ALLOC_CPU] as number;
    const am = num[nb + N_ALLOC_MEM] as number;
    const qc = (num[nb + rc] as number) + cpu;
    const qm = (num[nb + rm] as number) + mem;
    out[o + i] = fit ? fitCpuMem(ac, am, qc, qm, strategy, w0, w1) : balancedCpuMem(ac, am, qc, qm);
  }
  return true;
}

/** A resource section over exactly cpu then memory (Least/MostAllocated for Fit). */
function cpuMemShape(pi: Int32Array, base: number, fit: boolean): boolean {
  return pi[base + 1] === 2 && pi[base + 4] === 0 && pi[base + 6] === 1 && !(fit && pi[base] === 2);
}

/** fitScore over cpu and memory: the same arithmetic, with the operands passed in. */
function fitCpuMem(ac: number, am: number, qc: number, qm: number, strategy: number, w0: number, w1: number): number {
  let score = 0;
  let ws = 0;
  if (ac !== 0) {
    score += (strategy === 0 ? (qc > ac ? 0 : goDiv((ac - qc) * 100, ac)) : goDiv((qc > ac ? ac : qc) * 100, ac)) * w0;
    ws += w0;
  }
  if (am !== 0) {
    score += (strategy === 0 ? (qm > am ? 0 : goDiv((am - qm) * 100, am)) : goDiv((qm > am ? am : qm) * 100, am)) * w1;
    ws += w1;
  }
  return ws === 0 ? 0 : goDiv(score, ws);
}

/** balancedScore over cpu and memory (a resource with allocatable 0 is left out: std 0 → 100). */
function balancedCpuMem(ac: number, am: number, qc: number, qm: number): number {
  if (ac === 0 || am === 0) return 100;
  let fc = qc / ac;
  if (fc > 1) fc = 1;
  let fm = qm / am;
  if (fm > 1) fm = 1;
  return Math.trunc((1 - Math.abs((fc - fm) / 2)) * 100);
}

/**
 * Whether a scan can run fused: basic filters, and the active score plugins among
 * TaintToleration, NodeResourcesFit and BalancedAllocation over cpu and memory, ImageLocality.
 */
export function fusedEligible(p: ProgramView): boolean {
  if (!basicFilters(p)) return false;
  const pi = p.pi;
  const n = pi[P_NSCORE] as number;
  for (let k = 0; k < n; k++) {
    const c = pi[P_SCORE + k] as number;
    if (c === C_FIT) {
      if (!cpuMemShape(pi, pi[P_SBASE + C_FIT] as number, true)) return false;
    } else if (c === C_BALANCED) {
      if (!cpuMemShape(pi, pi[P_SBASE + C_BALANCED] as number, false)) return false;
    } else if (c !== C_TAINT_TOLERATION && c !== C_IMAGE_LOCALITY) {
      return false;
    }
  }
  return true;
}

/** Clears a selection-summary region (see layout.ts SEL_*) before a fused pass. */
export function selReset(sel: Float64Array, sb: number): void {
  sel[sb + SEL_FEASIBLE] = 0;
  sel[sb + SEL_MAX_TAINT] = 0;
  sel[sb + SEL_NLEVELS] = 0;
  sel[sb + SEL_OVERFLOW] = 0;
  sel[sb + SEL_BEST] = Number.NEGATIVE_INFINITY;
  sel[sb + SEL_COUNT] = 0;
}

// Decoded per-pod parameters of the fused pass (FP_* indices into FUSED_PARAMS), written once
// per call by fusedParams and read by fusedChunk. A Float64Array keeps the loop's operand types
// the same for every pod: a value that is sometimes a small integer and sometimes not would
// make optimized code deoptimize when it first changes.
const FP_UNSCHED = 0;
const FP_NAME = 1;
const FP_TARGET = 2;
const FP_TAINT_TABLE = 3;
const FP_TAINT_LEN = 4;
const FP_POD_LIM = 5;
const FP_CPU_LIM = 6;
const FP_MEM_LIM = 7;
const FP_EPH = 8;
const FP_EPH_LIM = 9;
const FP_W_FIT = 10;
const FP_W_BAL = 11;
const FP_W_TAINT = 12;
const FP_W_IMG = 13;
const FP_STRATEGY = 14;
const FP_FW0 = 15;
const FP_FCPU = 16;
const FP_FW1 = 17;
const FP_FMEM = 18;
const FP_FWS_INV = 19;
const FP_BCPU = 20;
const FP_BMEM = 21;
const FP_STABLE = 22;
const FP_SLEN = 23;
const FP_IMG_ANY = 24;
const FP_IMG_CONST = 25;
const FUSED_PARAMS = new Float64Array(32);

/**
 * Positions per fusedChunk call. A single call over a whole 20,000–100,000-node scan lets V8
 * compile the loop on-stack (OSR) during its first call, before the code after the loop ever
 * ran; such code deoptimizes at the end of every later call and stays in use (V8 11 keeps it
 * in its OSR cache, and time spent in it does not count towards a normal recompilation), and
 * even without that, OSR code runs the loop markedly slower than a normally compiled function.
 * Short calls get the whole function compiled normally instead. The chunking changes no result.
 */
const FUSED_CHUNK = 1024;

/**
 * Decodes the pod's filter and score parameters into FUSED_PARAMS. Resource limits are stored
 * minus one half: for the integers compared here `q > free` ⇔ `q − ½ > free`, and a value that
 * is never a small integer keeps the comparisons' type feedback the same whatever the pod.
 */
function fusedParams(p: ProgramView, weights: Float64Array): Float64Array {
  const f = FUSED_PARAMS;
  const pi = p.pi;
  const pf = p.pf;
  const n = pi[P_NFILTER] as number;
  const c0 = n > 0 ? (pi[P_FILTER] as number) : 0;
  const c1 = n > 1 ? (pi[P_FILTER + 1] as number) : 0;
  const c2 = n > 2 ? (pi[P_FILTER + 2] as number) : 0;
  const c3 = n > 3 ? (pi[P_FILTER + 3] as number) : 0;
  const has = (c: number) => c0 === c || c1 === c || c2 === c || c3 === c;
  f[FP_UNSCHED] = has(C_NODE_UNSCHEDULABLE) && pi[pi[P_FBASE + C_NODE_UNSCHEDULABLE] as number] !== 1 ? 1 : 0;
  const doName = has(C_NODE_NAME);
  f[FP_NAME] = doName ? 1 : 0;
  f[FP_TARGET] = doName ? (pi[pi[P_FBASE + C_NODE_NAME] as number] as number) : -1;
  const doTaint = has(C_TAINT_TOLERATION);
  const tb = doTaint ? (pi[P_FBASE + C_TAINT_TOLERATION] as number) : 0;
  f[FP_TAINT_TABLE] = doTaint ? (pi[tb] as number) : 0;
  f[FP_TAINT_LEN] = doTaint ? (pi[tb + 1] as number) : 0;
  const doFit = has(C_FIT);
  const fb = doFit ? (pi[P_FBASE + C_FIT] as number) : 0;
  const fitNone = doFit && pi[fb + 2] === 1;
  const ff = doFit ? (pi[fb] as number) : 0;
  const cpu = doFit ? (pf[ff] as number) : 0;
  const mem = doFit ? (pf[ff + 1] as number) : 0;
  const eph = doFit ? (pf[ff + 2] as number) : 0;
  // `x > limit` fails for every x when the check is off (-Infinity never exceeds a number).
  const NEG = Number.NEGATIVE_INFINITY;
  // podCount + 1 > allocatable ⇔ podCount + ½ > allocatable (integers).
  f[FP_POD_LIM] = doFit ? 0.5 : NEG;
  f[FP_CPU_LIM] = doFit && !fitNone && cpu > 0 ? cpu - 0.5 : NEG;
  f[FP_MEM_LIM] = doFit && !fitNone && mem > 0 ? mem - 0.5 : NEG;
  const doEph = doFit && !fitNone && eph > 0;
  f[FP_EPH] = doEph ? 1 : 0;
  f[FP_EPH_LIM] = doEph ? eph - 0.5 : NEG;
  // Score parameters.
  const wFit = weights[0] as number;
  const wBal = weights[1] as number;
  const wTaint = weights[2] as number;
  const wImg = weights[3] as number;
  f[FP_W_FIT] = wFit;
  f[FP_W_BAL] = wBal;
  f[FP_W_TAINT] = wTaint;
  f[FP_W_IMG] = wImg;
  const sf = wFit > 0 ? (pi[P_SBASE + C_FIT] as number) : 0;
  const sff = wFit > 0 ? (pi[sf + 2] as number) : 0;
  const fStrategy = wFit > 0 ? (pi[sf] as number) : 0;
  const fw0 = wFit > 0 ? (pf[sff] as number) : 0;
  const fw1 = wFit > 0 ? (pf[sff + 2] as number) : 0;
  f[FP_STRATEGY] = fStrategy;
  f[FP_FW0] = fw0;
  f[FP_FCPU] = wFit > 0 ? (pf[sff + 1] as number) : 0;
  f[FP_FW1] = fw1;
  f[FP_FMEM] = wFit > 0 ? (pf[sff + 3] as number) : 0;
  // LeastAllocated with both resources present divides by fw0 + fw1; by a power of two that is
  // an exact multiplication.
  const fws = fw0 + fw1;
  const least = wFit > 0 && fStrategy === 0 && fw0 > 0 && fw1 > 0;
  f[FP_FWS_INV] = least && Number.isInteger(Math.log2(fws)) ? 1 / fws : 0;
  const sb2 = wBal > 0 ? (pi[P_SBASE + C_BALANCED] as number) : 0;
  const sbf = wBal > 0 ? (pi[sb2 + 2] as number) : 0;
  f[FP_BCPU] = wBal > 0 ? (pf[sbf + 1] as number) : 0;
  f[FP_BMEM] = wBal > 0 ? (pf[sbf + 3] as number) : 0;
  const st = wTaint > 0 ? (pi[P_SBASE + C_TAINT_TOLERATION] as number) : 0;
  f[FP_STABLE] = wTaint > 0 ? (pi[st] as number) : 0;
  f[FP_SLEN] = wTaint > 0 ? (pi[st + 1] as number) : 0;
  const si = wImg > 0 ? (pi[P_SBASE + C_IMAGE_LOCALITY] as number) : 0;
  f[FP_IMG_ANY] = wImg > 0 && pi[si + 2] !== 0 ? 1 : 0;
  f[FP_IMG_CONST] = wImg > 0 ? imageLocalityPriority(0, pi[si + 1] as number) : 0;
  return f;
}

/**
 * One pass that filters scan positions and, for every feasible node, computes the raw scores
 * of the (fusedEligible) score plugins: the weighted sum of the plugins without NormalizeScore
 * goes to `totals[j]`, TaintToleration's raw count to `taintRaw[j]` (normalized by the caller,
 * which needs the maximum). Same arithmetic and order as filterRange + scoreRange; the caller
 * guarantees no node has nominated pods. `weights` = [fit, balanced, taint, image] (0 = inactive).
 * j is the feasible index (feasAt + k) or, when `positional` (a shard of a sharded pass), the
 * scan position. The selection summary at `sel[sb ..]` (layout.ts SEL_*, cleared by selReset
 * before the first call) accumulates the feasible count, the largest TaintToleration raw score
 * and the running-maximum levels of the totals, so the caller can replay selectHost without
 * another pass. Runs the positions in chunks of FUSED_CHUNK (see there); the summary carries
 * the state from one chunk to the next.
 */
export function fusedBasic(
  t: TableView,
  p: ProgramView,
  start: number,
  len: number,
  from: number,
  to: number,
  out: Int32Array,
  need: number,
  feas: Int32Array,
  feasAt: number,
  totals: Float64Array,
  taintRaw: Float64Array,
  weights: Float64Array,
  positional: boolean,
  sel: Float64Array,
  sb: number,
): number {
  const k = fusedPrepare(t, p, weights, out, feas, totals, taintRaw, sel);
  return fusedRun(k, t, p, start, len, from, to, out, need, feas, feasAt, totals, taintRaw, positional, sel, sb);
}

/**
 * fusedBasic's set-up for one scan on this thread: decodes the pod's parameters and, when the
 * WebAssembly pass can run on these buffers, loads them into this thread's instance, which it
 * returns (undefined: the JavaScript pass). A sharded scan prepares once and then runs its
 * chunks with fusedRun; nothing else may run a fused pass on this thread in between.
 */
export function fusedPrepare(
  t: TableView,
  p: ProgramView,
  weights: Float64Array,
  out: Int32Array,
  feas: Int32Array,
  totals: Float64Array,
  taintRaw: Float64Array,
  sel: Float64Array,
): FusedWasm | undefined {
  const fp = fusedParams(p, weights);
  const arena = t.arena;
  const k = arena === undefined ? undefined : fusedFor(arena);
  if (
    arena === undefined ||
    k === undefined ||
    fp[FP_IMG_ANY] !== 0 ||
    !arena.owns(out) ||
    !arena.owns(feas) ||
    !arena.owns(totals) ||
    !arena.owns(taintRaw) ||
    !arena.owns(sel)
  ) {
    // ImageLocality with images present stays in JavaScript (its per-node image sums are not
    // in the arena), as do buffers outside the arena.
    return undefined;
  }
  k.params.set(fp);
  k.setTaint(
    p.pi,
    fp[FP_TAINT_TABLE] as number,
    fp[FP_TAINT_LEN] as number,
    fp[FP_STABLE] as number,
    fp[FP_SLEN] as number,
  );
  return k;
}

/** fusedBasic over positions [from, to) after fusedPrepare (`k` is what it returned). */
function fusedRun(
  k: FusedWasm | undefined,
  t: TableView,
  p: ProgramView,
  start: number,
  len: number,
  from: number,
  to: number,
  out: Int32Array,
  need: number,
  feas: Int32Array,
  feasAt: number,
  totals: Float64Array,
  taintRaw: Float64Array,
  positional: boolean,
  sel: Float64Array,
  sb: number,
): number {
  const fp = FUSED_PARAMS;
  const limited = need > 0 && !positional;
  const f0 = sel[sb + SEL_FEASIBLE] as number;
  if (k !== undefined) {
    // The same pass in WebAssembly over the arena (fused.wat).
    const end = k.scan(
      t.num.byteOffset,
      t.ints.byteOffset,
      t.order.byteOffset,
      out.byteOffset,
      feas.byteOffset,
      totals.byteOffset,
      taintRaw.byteOffset,
      sel.byteOffset + sb * 8,
      k.taintF.byteOffset,
      k.taintS.byteOffset,
      k.params.byteOffset,
      start,
      len,
      from,
      to,
      limited ? need : 0,
      feasAt,
      positional ? 1 : 0,
    );
    scanStats.feasible = (sel[sb + SEL_FEASIBLE] as number) - f0;
    scanStats.deferred = 0;
    scanStats.wasmPasses++;
    return end;
  }
  let found = 0;
  let pos = from;
  while (pos < to) {
    const b = to - pos > FUSED_CHUNK ? pos + FUSED_CHUNK : to;
    const end = fusedChunk(
      t,
      p,
      fp,
      start,
      len,
      pos,
      b,
      out,
      limited ? need - found : 0,
      feas,
      feasAt + found,
      totals,
      taintRaw,
      positional,
      sel,
      sb,
    );
    found = (sel[sb + SEL_FEASIBLE] as number) - f0;
    pos = end;
    if (limited && found >= need) break;
  }
  scanStats.feasible = found;
  scanStats.deferred = 0;
  return pos;
}

/**
 * Chunk `region` of a sharded fused pass: positions [from, to) after fusedPrepare (`k` is what
 * it returned), results by position, selection summary into region `region` of `sel`. The
 * main thread merges the regions in scan order, so chunk k must always use region k.
 */
export function fusedShard(
  k: FusedWasm | undefined,
  t: TableView,
  p: ProgramView,
  start: number,
  len: number,
  from: number,
  to: number,
  out: Int32Array,
  feas: Int32Array,
  totals: Float64Array,
  taintRaw: Float64Array,
  sel: Float64Array,
  region: number,
): void {
  const sb = region * SEL_REGION;
  selReset(sel, sb);
  fusedRun(k, t, p, start, len, from, to, out, 0, feas, 0, totals, taintRaw, true, sel, sb);
}

/** fusedBasic over positions [from, to) with the parameters decoded in `fp`; returns the end position. */
function fusedChunk(
  t: TableView,
  p: ProgramView,
  fp: Float64Array,
  start: number,
  len: number,
  from: number,
  to: number,
  out: Int32Array,
  need: number,
  feas: Int32Array,
  feasAt: number,
  totals: Float64Array,
  taintRaw: Float64Array,
  positional: boolean,
  sel: Float64Array,
  sb: number,
): number {
  const pi = p.pi;
  const doUnsched = fp[FP_UNSCHED] !== 0;
  const doName = fp[FP_NAME] !== 0;
  const target = fp[FP_TARGET] as number;
  const taintTable = fp[FP_TAINT_TABLE] as number;
  const taintLen = fp[FP_TAINT_LEN] as number;
  const podLim = fp[FP_POD_LIM] as number;
  const cpuLim = fp[FP_CPU_LIM] as number;
  const memLim = fp[FP_MEM_LIM] as number;
  const doEph = fp[FP_EPH] !== 0;
  const ephLim = fp[FP_EPH_LIM] as number;
  const wFit = fp[FP_W_FIT] as number;
  const wBal = fp[FP_W_BAL] as number;
  const wTaint = fp[FP_W_TAINT] as number;
  const wImg = fp[FP_W_IMG] as number;
  const fStrategy = fp[FP_STRATEGY] as number;
  const fw0 = fp[FP_FW0] as number;
  const fCpu = fp[FP_FCPU] as number;
  const fw1 = fp[FP_FW1] as number;
  const fMem = fp[FP_FMEM] as number;
  const fwsInv = fp[FP_FWS_INV] as number;
  const bCpu = fp[FP_BCPU] as number;
  const bMem = fp[FP_BMEM] as number;
  const sTable = fp[FP_STABLE] as number;
  const sLen = fp[FP_SLEN] as number;
  const imgAny = fp[FP_IMG_ANY] !== 0;
  const imgConst = fp[FP_IMG_CONST] as number;
  const ints = t.ints;
  const num = t.num;
  const order = t.order;
  // Selection summary state.
  let best = sel[sb + SEL_BEST] as number;
  let count = sel[sb + SEL_COUNT] as number;
  let nLev = sel[sb + SEL_NLEVELS] as number;
  let over = sel[sb + SEL_OVERFLOW] as number;
  let maxTaint = sel[sb + SEL_MAX_TAINT] as number;
  const lv = sb + SEL_LEVELS;
  const fin = sb + SEL_FINAL;
  let feasible = 0;
  let end = to;
  for (let pos = from; pos < to; pos++) {
    let i = start + pos;
    if (i >= len) i -= len;
    const slot = order[i] as number;
    const ib = slot * INT_STRIDE;
    const nb = slot * NUM_STRIDE;
    const set = ints[ib + I_TAINTSET] as number;
    const ac = num[nb + N_ALLOC_CPU] as number;
    const am = num[nb + N_ALLOC_MEM] as number;
    const rc = num[nb + N_REQ_CPU] as number;
    const rm = num[nb + N_REQ_MEM] as number;
    if (
      (doUnsched && ints[ib + I_UNSCHED] !== 0) ||
      (doName && slot !== target) ||
      (set < taintLen && pi[taintTable + set] !== 0) ||
      (num[nb + N_POD_COUNT] as number) + podLim > (num[nb + N_ALLOC_PODS] as number) ||
      cpuLim > ac - rc ||
      memLim > am - rm ||
      (doEph && ephLim > (num[nb + N_ALLOC_EPH] as number) - (num[nb + N_REQ_EPH] as number))
    ) {
      out[pos] = FAIL_PENDING;
      continue;
    }
    out[pos] = 0;
    const j = positional ? pos : feasAt + feasible;
    feas[j] = slot;
    let total = 0;
    if (wFit > 0) {
      const qc = (num[nb + N_NZ_CPU] as number) + fCpu;
      const qm = (num[nb + N_NZ_MEM] as number) + fMem;
      if (fwsInv > 0 && ac !== 0 && am !== 0) {
        const sc = qc > ac ? 0 : exactDiv((ac - qc) * 100, ac, num[nb + N_INV_CPU] as number);
        const sm = qm > am ? 0 : exactDiv((am - qm) * 100, am, num[nb + N_INV_MEM] as number);
        total = Math.trunc((sc * fw0 + sm * fw1) * fwsInv) * wFit;
      } else {
        total = fitCpuMem(ac, am, qc, qm, fStrategy, fw0, fw1) * wFit;
      }
    }
    if (wBal > 0) total += balancedCpuMem(ac, am, rc + bCpu, rm + bMem) * wBal;
    if (wImg > 0) total += (imgAny ? imageScore(t, p, slot) : imgConst) * wImg;
    totals[j] = total;
    if (wTaint > 0) {
      const raw = set < sLen ? (pi[sTable + set] as number) : 0;
      taintRaw[j] = raw;
      if (raw > maxTaint) maxTaint = raw;
    }
    if (total >= best) {
      if (total > best) {
        if (count > 0) {
          if (nLev < SEL_MAX_LEVELS) {
            sel[lv + 2 * nLev] = best;
            sel[lv + 2 * nLev + 1] = count;
            nLev++;
          } else over = 1;
        }
        best = total;
        count = 0;
      }
      // Beyond SEL_MAX_FINAL ties only the count is kept (replaySelect then finds the pick).
      if (count < SEL_MAX_FINAL) sel[fin + count] = j;
      count++;
    }
    if (++feasible === need && !positional) {
      end = pos + 1;
      break;
    }
  }
  sel[sb + SEL_FEASIBLE] = (sel[sb + SEL_FEASIBLE] as number) + feasible;
  sel[sb + SEL_MAX_TAINT] = maxTaint;
  sel[sb + SEL_NLEVELS] = nLev;
  sel[sb + SEL_OVERFLOW] = over;
  sel[sb + SEL_BEST] = best;
  sel[sb + SEL_COUNT] = count;
  return end;
}

/**
 * Raw scores of every active score plugin for feasible nodes [from, to):
 * `out[k·stride + i]` for the k-th active plugin. One tight loop per plugin.
 */
export function scoreRange(
  t: TableView,
  p: ProgramView,
  feas: Int32Array,
  from: number,
  to: number,
  out: Float64Array,
  stride: number,
): void {
  const pi = p.pi;
  const n = pi[P_NSCORE] as number;
  for (let k = 0; k < n; k++) {
    const code = pi[P_SCORE + k] as number;
    const o = k * stride;
    switch (code) {
      case C_FIT:
        if (!fitCpuMemFast(t, p, feas, from, to, out, o, pi[P_SBASE + C_FIT] as number, true)) {
          for (let i = from; i < to; i++) out[o + i] = fitScore(t, p, feas[i] as number);
        }
        break;
      case C_BALANCED:
        if (!fitCpuMemFast(t, p, feas, from, to, out, o, pi[P_SBASE + C_BALANCED] as number, false)) {
          for (let i = from; i < to; i++) out[o + i] = balancedScore(t, p, feas[i] as number);
        }
        break;
      case C_TAINT_TOLERATION: {
        const base = pi[P_SBASE + C_TAINT_TOLERATION] as number;
        const table = pi[base] as number;
        const tlen = pi[base + 1] as number;
        const ints = t.ints;
        for (let i = from; i < to; i++) {
          const set = ints[(feas[i] as number) * INT_STRIDE + I_TAINTSET] as number;
          out[o + i] = set < tlen ? (pi[table + set] as number) : 0;
        }
        break;
      }
      case C_IMAGE_LOCALITY: {
        const base = pi[P_SBASE + C_IMAGE_LOCALITY] as number;
        if (pi[base + 2] === 0) {
          // No node holds any of the pod's images: every node scores the floor.
          const v = imageLocalityPriority(0, pi[base + 1] as number);
          for (let i = from; i < to; i++) out[o + i] = v;
        } else {
          for (let i = from; i < to; i++) out[o + i] = imageScore(t, p, feas[i] as number);
        }
        break;
      }
      default:
        for (let i = from; i < to; i++) out[o + i] = runScore(code, t, p, feas[i] as number, i);
    }
  }
}

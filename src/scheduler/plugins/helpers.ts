/**
 * Shared plugin helpers: compiling node selectors into program sections (truth tables over
 * interned label values), DefaultNormalizeScore, and the reason strings upstream prints.
 */
import { LabelMatcher, validateRequirement } from "../../api/labels.js";
import { NODE_OPS } from "../../api/node-affinity.js";
import type { NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm } from "../../api/types/core.js";
import type { CycleContext } from "../framework/types.js";
import { goDiv } from "../nodetable/gomath.js";
import { RK_FALSE, RK_NAME_EQ, RK_NAME_NE, RK_TABLE, RK_TRUE } from "../nodetable/layout.js";
import type { Program } from "../nodetable/program.js";

type Req = [number, number, number];

/** A label requirement as [kind, key, arg]; undefined when it is invalid (its term then matches nothing). */
function labelReq(cx: CycleContext, e: NodeSelectorRequirement): Req | undefined {
  const op = NODE_OPS[e.operator];
  if (op === undefined) return undefined;
  const r = { key: e.key, operator: op, values: [...(e.values ?? [])] };
  if (validateRequirement(r).length > 0) return undefined;
  const m = new LabelMatcher([r]);
  return tableReq(cx, e.key, (v) => m.matches(v === undefined ? {} : { [e.key]: v }));
}

/** A requirement evaluated once per interned value of `key` (undefined = label absent). */
export function tableReq(cx: CycleContext, key: string, pred: (value: string | undefined) => boolean): Req {
  const t = cx.table;
  const keyId = t.knownKeyId(key);
  if (keyId < 0) return [pred(undefined) ? RK_TRUE : RK_FALSE, -1, 0];
  const span = t.valueSpan(keyId);
  const off = cx.prog.allocI(span);
  const pi = cx.prog.pi;
  pi[off] = pred(undefined) ? 1 : 0;
  for (let v = 1; v < span; v++) pi[off + v] = pred(t.valueName(keyId, v)) ? 1 : 0;
  return [RK_TABLE, keyId, off];
}

function fieldReq(cx: CycleContext, e: NodeSelectorRequirement): Req | undefined {
  if (e.operator !== "In" && e.operator !== "NotIn") return undefined;
  const values = e.values ?? [];
  if (values.length !== 1) return undefined;
  // Only metadata.name has a value; any other field reads as "".
  const slot = e.key === "metadata.name" ? (cx.cache.nodes.get(values[0] as string)?.slot ?? -2) : -2;
  if (e.key !== "metadata.name")
    return [
      e.operator === "In" ? (values[0] === "" ? RK_TRUE : RK_FALSE) : values[0] === "" ? RK_FALSE : RK_TRUE,
      -1,
      0,
    ];
  return [e.operator === "In" ? RK_NAME_EQ : RK_NAME_NE, -1, slot];
}

/** Compiles a term's requirements; undefined when the term is empty or has an invalid one. */
export function compileTerm(cx: CycleContext, term: NodeSelectorTerm): Req[] | undefined {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return undefined;
  const out: Req[] = [];
  for (const e of exprs) {
    const r = labelReq(cx, e);
    if (r === undefined) return undefined;
    out.push(r);
  }
  for (const e of fields) {
    const r = fieldReq(cx, e);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

function writeReqs(prog: Program, reqs: readonly Req[]): void {
  for (const r of reqs) {
    const at = prog.allocI(3);
    prog.pi[at] = r[0];
    prog.pi[at + 1] = r[1];
    prog.pi[at + 2] = r[2];
  }
}

/**
 * Writes a node-selector section: `nodeSelector` map requirements ANDed with the terms of
 * `required` (ORed); returns its offset. Tables are written first so the section is contiguous.
 */
export function compileSelectorSection(
  cx: CycleContext,
  nodeSelector: Readonly<Record<string, string>> | undefined,
  required: readonly NodeSelectorTerm[] | undefined,
): number {
  const sel: Req[] = [];
  for (const [k, v] of Object.entries(nodeSelector ?? {})) sel.push(tableReq(cx, k, (x) => x === v));
  const terms: Req[][] = [];
  for (const term of required ?? []) {
    const r = compileTerm(cx, term);
    if (r !== undefined) terms.push(r);
  }
  const prog = cx.prog;
  const off = prog.allocI(1);
  prog.pi[off] = sel.length;
  writeReqs(prog, sel);
  const h = prog.allocI(2);
  prog.pi[h] = required === undefined ? 0 : 1;
  prog.pi[h + 1] = terms.length;
  for (const t of terms) {
    const c = prog.allocI(1);
    prog.pi[c] = t.length;
    writeReqs(prog, t);
  }
  return off;
}

/** Writes preferred terms as [weight, nReqs, reqs...]; returns how many were written. */
export function compilePreferred(cx: CycleContext, terms: readonly PreferredSchedulingTerm[]): Req[][] {
  const out: Req[][] = [];
  for (const t of terms) {
    if (t.weight === 0) continue;
    const r = compileTerm(cx, t.preference);
    if (r === undefined) continue;
    out.push([[t.weight, r.length, 0], ...r]);
  }
  return out;
}

export function writePreferred(prog: Program, compiled: readonly Req[][]): number {
  const base = prog.allocI(1);
  prog.pi[base] = compiled.length;
  for (const c of compiled) {
    const [head, ...reqs] = c as [Req, ...Req[]];
    const h = prog.allocI(2);
    prog.pi[h] = head[0];
    prog.pi[h + 1] = head[1];
    writeReqs(prog, reqs);
  }
  return base;
}

/** helper.DefaultNormalizeScore(MaxNodeScore, reverse) over scores[off .. off+n). */
export function defaultNormalize(scores: Float64Array, off: number, n: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < n; i++) if ((scores[off + i] as number) > max) max = scores[off + i] as number;
  if (max === 0) {
    if (reverse) for (let i = 0; i < n; i++) scores[off + i] = 100;
    return;
  }
  for (let i = 0; i < n; i++) {
    let s = goDiv(100 * (scores[off + i] as number), max);
    if (reverse) s = 100 - s;
    scores[off + i] = s;
  }
}

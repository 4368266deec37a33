/**
 * Label selectors: compiled once, matched many times.
 *
 * Semantics follow k8s.io/apimachinery/pkg/labels/selector.go (Requirement.Matches, the string
 * parser and NewRequirement's checks) and LabelSelectorAsSelector in
 * k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go:
 * - a null `metav1.LabelSelector` matches nothing; an empty one (no matchLabels, no
 *   matchExpressions) matches everything;
 * - `metav1.LabelSelector` accepts only In, NotIn, Exists, DoesNotExist; the string syntax
 *   also has =, ==, !=, and the numeric > and <;
 * - NotIn and != are true when the label is absent; In, =, ==, >, < are false then;
 * - > and < parse the label value and the single requirement value as int64 and are false
 *   when the label is not an integer.
 */
import { InputError } from "../engine/errors.js";
import type { LabelSelector } from "./types/meta.js";
import { type FieldError, invalid, isQualifiedName, isValidLabelValue, keyPath, notSupported } from "./validation.js";

/** `selection.Operator` values as the string syntax writes them. */
export type LabelOperator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

/** One requirement of a selector (ANDed with the others). */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** A label set as stored in metadata.labels. */
export type Labels = Readonly<Record<string, string>>;

const OP_IN = 0;
const OP_NOT_IN = 1;
const OP_EXISTS = 2;
const OP_NOT_EXISTS = 3;
const OP_GT = 4;
const OP_LT = 5;

function opcode(op: LabelOperator): number {
  switch (op) {
    case "in":
    case "=":
    case "==":
      return OP_IN;
    case "notin":
    case "!=":
      return OP_NOT_IN;
    case "exists":
      return OP_EXISTS;
    case "!":
      return OP_NOT_EXISTS;
    case "gt":
      return OP_GT;
    case "lt":
      return OP_LT;
  }
}

const INT64_RE = /^[+-]?\d+$/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Go's strconv.ParseInt(s, 10, 64): the value, or undefined if not an int64. */
export function parseInt64(s: string): bigint | undefined {
  if (!INT64_RE.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** Looks a label up without being fooled by Object.prototype members. */
function lookup(labels: Labels, key: string): string | undefined {
  const v = labels[key];
  return typeof v === "string" ? v : undefined;
}

/** A compiled selector: `matches` is the hot path (no allocation unless Gt/Lt is used). */
export class LabelMatcher {
  /** The requirements, sorted by key as upstream's selector keeps them. */
  readonly requirements: readonly LabelRequirement[];
  /** True for the selector compiled from a null LabelSelector: it matches no labels at all. */
  readonly matchesNothing: boolean;
  private readonly keys: string[];
  private readonly ops: Uint8Array;
  private readonly single: (string | undefined)[];
  private readonly sets: (ReadonlySet<string> | readonly string[] | undefined)[];
  private readonly ints: (bigint | undefined)[];

  /** Builds a matcher from already-validated requirements. */
  constructor(requirements: readonly LabelRequirement[], matchesNothing = false) {
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.matchesNothing = matchesNothing;
    const n = this.requirements.length;
    this.keys = new Array<string>(n);
    this.ops = new Uint8Array(n);
    this.single = new Array<string | undefined>(n);
    this.sets = new Array<ReadonlySet<string> | readonly string[] | undefined>(n);
    this.ints = new Array<bigint | undefined>(n);
    this.requirements.forEach((r, i) => {
      this.keys[i] = r.key;
      this.ops[i] = opcode(r.operator);
      if (r.values.length === 1) this.single[i] = r.values[0];
      else this.sets[i] = r.values.length > 8 ? new Set(r.values) : r.values;
      if (r.operator === "gt" || r.operator === "lt")
        this.ints[i] = r.values.length === 1 ? parseInt64(r.values[0] as string) : undefined;
    });
  }

  /** True when the selector does not restrict anything (matches every label set). */
  get empty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  /** Whether the labels satisfy every requirement. Undefined labels count as an empty set. */
  matches(labels: Labels | undefined): boolean {
    if (this.matchesNothing) return false;
    const ls: Labels = labels ?? EMPTY_LABELS;
    const n = this.keys.length;
    for (let i = 0; i < n; i++) {
      const v = lookup(ls, this.keys[i] as string);
      switch (this.ops[i]) {
        case OP_IN:
          if (v === undefined || !this.hasValue(i, v)) return false;
          break;
        case OP_NOT_IN:
          if (v !== undefined && this.hasValue(i, v)) return false;
          break;
        case OP_EXISTS:
          if (v === undefined) return false;
          break;
        case OP_NOT_EXISTS:
          if (v !== undefined) return false;
          break;
        default: {
          const want = this.ints[i];
          if (v === undefined || want === undefined) return false;
          const have = parseInt64(v);
          if (have === undefined) return false;
          if (this.ops[i] === OP_GT ? !(have > want) : !(have < want)) return false;
        }
      }
    }
    return true;
  }

  private hasValue(i: number, v: string): boolean {
    const one = this.single[i];
    if (one !== undefined) return one === v;
    const set = this.sets[i];
    if (set === undefined) return false;
    return set instanceof Set ? set.has(v) : (set as readonly string[]).includes(v);
  }

  /** `RequiresExactMatch`: the single value an =, == or one-value In requirement on `key` demands. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1)
        return r.values[0];
      return undefined;
    }
    return undefined;
  }

  /** The selector in the string syntax, as upstream's `String()` prints it. */
  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }
}

const EMPTY_LABELS: Labels = Object.freeze({});

function requirementString(r: LabelRequirement): string {
  const vals = r.values.length === 1 ? (r.values[0] as string) : [...r.values].sort().join(",");
  switch (r.operator) {
    case "!":
      return `!${r.key}`;
    case "exists":
      return r.key;
    case "in":
      return `${r.key} in (${vals})`;
    case "notin":
      return `${r.key} notin (${vals})`;
    case "gt":
      return `${r.key}>${vals}`;
    case "lt":
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.operator}${vals}`;
  }
}

/** Matches every label set. */
export const EVERYTHING: LabelMatcher = new LabelMatcher([]);
/** Matches no label set (what a null metav1.LabelSelector means). */
export const NOTHING: LabelMatcher = new LabelMatcher([], true);

/**
 * `NewRequirement`'s checks: the key is a qualified name; In/NotIn need values; =, ==, !=
 * exactly one; Exists/DoesNotExist none; Gt/Lt exactly one integer; values are label values.
 */
export function validateRequirement(r: LabelRequirement, path = ""): FieldError[] {
  const errs: FieldError[] = [];
  const keyField = path === "" ? "key" : `${path}.key`;
  const valuesField = path === "" ? "values" : `${path}.values`;
  for (const m of isQualifiedName(r.key)) errs.push(invalid(keyField, r.key, m));
  const n = r.values.length;
  switch (r.operator) {
    case "in":
    case "notin":
      if (n === 0) errs.push(invalid(valuesField, r.values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=":
    case "==":
    case "!=":
      if (n !== 1) errs.push(invalid(valuesField, r.values, "exact-match compatibility requires one single value"));
      break;
    case "exists":
    case "!":
      if (n !== 0) errs.push(invalid(valuesField, r.values, "values set must be empty for exists and does not exist"));
      break;
    case "gt":
    case "lt":
      if (n !== 1) errs.push(invalid(valuesField, r.values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      r.values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalid(keyPath(valuesField, i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
  }
  r.values.forEach((v, i) => {
    for (const m of isValidLabelValue(v)) errs.push(invalid(keyPath(keyPath(valuesField, i), r.key), v, m));
  });
  return errs;
}

function selectorError(path: string, text: unknown, why: string): InputError {
  return new InputError(path, `a label selector (${why})`, text);
}

function checked(r: LabelRequirement, path: string, text: unknown): LabelRequirement {
  const errs = validateRequirement(r);
  if (errs.length > 0) throw selectorError(path, text, errs.map(String).join("; "));
  return r;
}

const METAV1_OPS: Record<string, LabelOperator> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * Compiles a `metav1.LabelSelector` (LabelSelectorAsSelector): null/undefined → NOTHING,
 * empty → EVERYTHING. Throws InputError for an operator other than In/NotIn/Exists/
 * DoesNotExist (so Gt/Lt are refused) or an invalid key/value.
 */
export function compileLabelSelector(selector: LabelSelector | null | undefined, path = ""): LabelMatcher {
  if (selector === null || selector === undefined) return NOTHING;
  const matchLabels = selector.matchLabels ?? {};
  const exprs = selector.matchExpressions ?? [];
  const labelKeys = Object.keys(matchLabels);
  if (labelKeys.length + exprs.length === 0) return EVERYTHING;
  const reqs: LabelRequirement[] = [];
  for (const k of labelKeys)
    reqs.push(checked({ key: k, operator: "=", values: [matchLabels[k] as string] }, path, selector));
  for (const e of exprs) {
    const op = METAV1_OPS[e.operator];
    if (op === undefined) {
      throw selectorError(path, selector, `${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
    reqs.push(checked({ key: e.key, operator: op, values: [...(e.values ?? [])] }, path, selector));
  }
  return new LabelMatcher(reqs);
}

const compiled = new WeakMap<LabelSelector, LabelMatcher>();

/**
 * Like compileLabelSelector but remembers the result per selector object, for callers that
 * see the same (immutable) object many times, e.g. a pod's spread constraints.
 */
export function cachedLabelSelector(selector: LabelSelector | null | undefined): LabelMatcher {
  if (selector === null || selector === undefined) return NOTHING;
  let m = compiled.get(selector);
  if (m === undefined) {
    m = compileLabelSelector(selector);
    compiled.set(selector, m);
  }
  return m;
}

/** Whether labels match a metav1.LabelSelector (compiled once per selector object). */
export function labelSelectorMatches(selector: LabelSelector | null | undefined, labels: Labels | undefined): boolean {
  return cachedLabelSelector(selector).matches(labels);
}

/** `SelectorFromSet`: every key must equal its value; empty or undefined matches everything. No validation. */
export function selectorFromSet(set: Labels | undefined): LabelMatcher {
  if (set === undefined) return EVERYTHING;
  const keys = Object.keys(set);
  if (keys.length === 0) return EVERYTHING;
  return new LabelMatcher(keys.map((k) => ({ key: k, operator: "=" as const, values: [set[k] as string] })));
}

// ---------------------------------------------------------------------------------------------
// String syntax: "environment in (production, qa), tier notin (frontend), partition, !canary,
// env=prod, tier!=web, a==b, replicas>3". A port of the lexer and parser in selector.go.

enum Tok {
  Error,
  End,
  ClosePar,
  Comma,
  Not,
  DoubleEquals,
  Equals,
  Greater,
  Identifier,
  In,
  Less,
  NotEquals,
  NotIn,
  OpenPar,
}

const SYMBOL_TOKENS = new Map<string, Tok>([
  [")", Tok.ClosePar],
  [",", Tok.Comma],
  ["!", Tok.Not],
  ["==", Tok.DoubleEquals],
  ["=", Tok.Equals],
  [">", Tok.Greater],
  ["<", Tok.Less],
  ["!=", Tok.NotEquals],
  ["(", Tok.OpenPar],
]);

function isWhitespace(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isSpecial(c: string): boolean {
  return c === "=" || c === "!" || c === "(" || c === ")" || c === "," || c === ">" || c === "<";
}

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s.charAt(pos))) pos++;
    if (pos >= s.length) {
      items.push({ tok: Tok.End, lit: "" });
      return items;
    }
    const c = s.charAt(pos);
    if (isSpecial(c)) {
      // Longest run of symbol characters that still forms a token ("!=" over "!", "==" over "=").
      let buf = "";
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s.charAt(pos))) {
        const next = buf + s.charAt(pos);
        const tok = SYMBOL_TOKENS.get(next);
        if (tok !== undefined) {
          last = { tok, lit: next };
          buf = next;
          pos++;
        } else if (last !== undefined) {
          break;
        } else {
          buf = next;
          pos++;
        }
      }
      items.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` });
    } else {
      const start = pos;
      while (pos < s.length && !isSpecial(s.charAt(pos)) && !isWhitespace(s.charAt(pos))) pos++;
      const word = s.slice(start, pos);
      items.push({ tok: word === "in" ? Tok.In : word === "notin" ? Tok.NotIn : Tok.Identifier, lit: word });
    }
  }
}

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  /** In value context, "in" and "notin" are ordinary identifiers. */
  private look(values: boolean): Item {
    const it = this.items[this.position] as Item;
    return values && (it.tok === Tok.In || it.tok === Tok.NotIn) ? { tok: Tok.Identifier, lit: it.lit } : it;
  }

  private next(values: boolean): Item {
    const it = this.look(values);
    this.position++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const it = this.look(true);
      if (it.tok === Tok.End) return reqs;
      if (it.tok !== Tok.Identifier && it.tok !== Tok.Not) {
        throw new Error(`found '${it.lit}', expected: !, identifier, or 'end of string'`);
      }
      reqs.push(this.requirement());
      const after = this.next(true);
      if (after.tok === Tok.End) return reqs;
      if (after.tok !== Tok.Comma) throw new Error(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t2 = this.look(true);
      if (t2.tok !== Tok.Identifier && t2.tok !== Tok.Not) {
        throw new Error(`found '${t2.lit}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): LabelRequirement {
    let it = this.next(true);
    let unary: LabelOperator | undefined;
    if (it.tok === Tok.Not) {
      unary = "!";
      it = this.next(true);
    }
    if (it.tok !== Tok.Identifier)
      throw new Error(`unable to parse requirement: found '${it.lit}', expected: identifier`);
    const key = it.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) throw new Error(`invalid label key ${JSON.stringify(key)}: ${keyErrs.join("; ")}`);
    const la = this.look(true).tok;
    if (unary === undefined && (la === Tok.End || la === Tok.Comma)) unary = "exists";
    if (unary !== undefined) return this.validated({ key, operator: unary, values: [] });
    const opItem = this.next(false);
    let op: LabelOperator;
    switch (opItem.tok) {
      case Tok.In:
        op = "in";
        break;
      case Tok.NotIn:
        op = "notin";
        break;
      case Tok.Equals:
        op = "=";
        break;
      case Tok.DoubleEquals:
        op = "==";
        break;
      case Tok.NotEquals:
        op = "!=";
        break;
      case Tok.Greater:
        op = "gt";
        break;
      case Tok.Less:
        op = "lt";
        break;
      default:
        throw new Error(`unable to parse requirement: found '${opItem.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const values = op === "in" || op === "notin" ? this.valueSet() : this.exactValue();
    return this.validated({ key, operator: op, values: [...new Set(values)].sort() });
  }

  private validated(r: LabelRequirement): LabelRequirement {
    const errs = validateRequirement(r);
    if (errs.length > 0) throw new Error(`unable to parse requirement: ${errs.map(String).join("; ")}`);
    return r;
  }

  private valueSet(): string[] {
    const open = this.next(true);
    if (open.tok !== Tok.OpenPar) throw new Error(`unable to parse requirement: found '${open.lit}' expected: '('`);
    const la = this.look(true);
    if (la.tok === Tok.ClosePar) {
      this.next(true);
      return [""];
    }
    if (la.tok !== Tok.Identifier && la.tok !== Tok.Comma) {
      throw new Error(`unable to parse requirement: found '${la.lit}', expected: ',', ')' or identifier`);
    }
    const values = this.identifierList();
    const close = this.next(true);
    if (close.tok !== Tok.ClosePar) throw new Error(`unable to parse requirement: found '${la.lit}', expected: ')'`);
    return values;
  }

  /** A comma-separated list where empty entries ("(,a)", "(a,)", "(a,,b)") mean the empty value. */
  private identifierList(): string[] {
    const out: string[] = [];
    for (;;) {
      const it = this.next(true);
      if (it.tok === Tok.Identifier) {
        out.push(it.lit);
        const la = this.look(true);
        if (la.tok === Tok.Comma) continue;
        if (la.tok === Tok.ClosePar) return out;
        throw new Error(`unable to parse requirement: found '${la.lit}', expected: ',' or ')'`);
      }
      if (it.tok === Tok.Comma) {
        if (out.length === 0) out.push("");
        const la = this.look(true);
        if (la.tok === Tok.ClosePar) {
          out.push("");
          return out;
        }
        if (la.tok === Tok.Comma) out.push("");
        continue;
      }
      throw new Error(`unable to parse requirement: found '${it.lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string[] {
    const la = this.look(true);
    if (la.tok === Tok.End || la.tok === Tok.Comma) return [""];
    const it = this.next(true);
    if (it.tok === Tok.Identifier) return [it.lit];
    throw new Error(`unable to parse requirement: found '${it.lit}', expected: identifier`);
  }
}

/** Parses the string syntax into requirements (`labels.ParseToRequirements`); throws InputError. */
export function parseLabelRequirements(text: string, path = ""): LabelRequirement[] {
  try {
    return new Parser(lex(text)).parse();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw selectorError(path, text, (e as Error).message);
  }
}

/** Parses and compiles a selector in the string syntax (`labels.Parse`); "" matches everything. */
export function parseLabelSelector(text: string, path = ""): LabelMatcher {
  const reqs = parseLabelRequirements(text, path);
  return reqs.length === 0 ? EVERYTHING : new LabelMatcher(reqs);
}

/** Whether a label key is valid (a qualified name); see validation.ts for the messages. */
export function isValidLabelKey(key: string): boolean {
  return isQualifiedName(key).length === 0;
}

/** Whether a label value is valid (empty, or ≤ 63 alphanumerics with -_. inside). */
export function isValidLabelValueString(value: string): boolean {
  return isValidLabelValue(value).length === 0;
}

/** Field errors for a metav1.LabelSelector (`ValidateLabelSelector`), without compiling it. */
export function validateLabelSelector(selector: LabelSelector | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (selector === null || selector === undefined) return errs;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(`${path}.matchLabels`, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(keyPath(`${path}.matchLabels`, k), v, m));
  }
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const p = keyPath(`${path}.matchExpressions`, i);
    const op = METAV1_OPS[e.operator];
    if (op === undefined) {
      errs.push(notSupported(`${p}.operator`, e.operator, Object.keys(METAV1_OPS)));
      return;
    }
    errs.push(...validateRequirement({ key: e.key, operator: op, values: e.values ?? [] }, p));
  });
  return errs;
}

import { type Distribution, parseDistribution, type ValueKind } from "../engine/distributions.js";
import { Described, InputError } from "../engine/errors.js";
import { StrictMap } from "../engine/strict-map.js";
import { parseDuration } from "../engine/time.js";

/**
 * Reads one map from a parsed document, field by field, with the path of every field so that
 * errors say exactly where (`spec.stations[1].workers`). `done()` rejects fields nobody read,
 * which turns typos into errors instead of silently ignored settings.
 */
export class Fields extends StrictMap {
  has(key: string): boolean {
    return this.map[key] !== undefined;
  }

  /** The raw value (marks it read). */
  raw(key: string): unknown {
    this.seen.add(key);
    return this.map[key];
  }

  required(key: string, expected: string): unknown {
    const v = this.raw(key);
    if (v === undefined || v === null) this.fail(key, expected, v);
    return v;
  }

  /**
   * Throws the error for a bad or missing field. A missing field with a near-miss spelling
   * in the map is reported as that typo, which is what the user needs to fix.
   */
  fail(key: string, expected: string, found: unknown): never {
    if (found === undefined) {
      const typo = Object.keys(this.map).find((k) => k !== key && !this.seen.has(k) && editDistance(k, key) <= 2);
      if (typo !== undefined) {
        throw new InputError(
          this.at(typo),
          `a known field (did you mean "${key}"?)`,
          new Described(`unknown field "${typo}"`),
        );
      }
    }
    throw new InputError(this.at(key), expected, found);
  }

  string(key: string, fallback?: string, pattern?: RegExp, patternText?: string): string {
    const v = this.raw(key);
    if (v === undefined && fallback !== undefined) return fallback;
    const expected = patternText ?? "a string";
    if (typeof v !== "string" || v === "") this.fail(key, expected, v);
    if (pattern !== undefined && !pattern.test(v)) this.fail(key, expected, v);
    return v;
  }

  oneOf<T extends string>(key: string, options: readonly T[], fallback?: T): T {
    const v = this.raw(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
      this.fail(key, `one of ${options.join(", ")}`, v);
    }
    return v as T;
  }

  int(key: string, opts: { min?: number; max?: number; fallback?: number } = {}): number {
    const v = this.raw(key);
    if (v === undefined && opts.fallback !== undefined) return opts.fallback;
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
      this.fail(key, describeRange("an integer", min, max), v);
    }
    return v;
  }

  number(key: string, opts: { min?: number; max?: number; fallback?: number } = {}): number {
    const v = this.raw(key);
    if (v === undefined && opts.fallback !== undefined) return opts.fallback;
    const min = opts.min ?? Number.NEGATIVE_INFINITY;
    const max = opts.max ?? Number.POSITIVE_INFINITY;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
      this.fail(key, describeRange("a number", min, max), v);
    }
    return v;
  }

  boolean(key: string, fallback?: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "boolean") this.fail(key, "true or false", v);
    return v;
  }

  /** A Go-style duration in µs. */
  duration(key: string, fallback?: number): number {
    const v = this.raw(key);
    if (v === undefined && fallback !== undefined) return fallback;
    const us = parseDuration(v, this.at(key));
    if (us < 0) this.fail(key, "a non-negative duration", v);
    return us;
  }

  distribution(key: string, kind: ValueKind = "duration", fallback?: Distribution): Distribution {
    const v = this.raw(key);
    if (v === undefined && fallback !== undefined) return fallback;
    return parseDistribution(v, this.at(key), kind);
  }

  /** A nested map. */
  fields(key: string): Fields {
    return new Fields(this.raw(key), this.at(key));
  }

  optionalFields(key: string): Fields | undefined {
    if (this.has(key)) return this.fields(key);
    this.raw(key);
    return undefined;
  }

  /** A list; each item comes with its path. */
  list(key: string, opts: { minLength?: number } = {}): { value: unknown; path: string }[] {
    const v = this.raw(key);
    const min = opts.minLength ?? 0;
    if (!Array.isArray(v) || v.length < min) {
      this.fail(key, min > 0 ? `a list of at least ${min}` : "a list", v);
    }
    return v.map((value, i) => ({ value, path: `${this.at(key)}[${i}]` }));
  }
}

function describeRange(what: string, min: number, max: number): string {
  const lo = min > Number.MIN_SAFE_INTEGER && Number.isFinite(min);
  const hi = max < Number.MAX_SAFE_INTEGER && Number.isFinite(max);
  if (lo && hi) return `${what} from ${min} to ${max}`;
  if (lo) return `${what} >= ${min}`;
  if (hi) return `${what} <= ${max}`;
  return what;
}

// Levenshtein distance, for "did you mean" suggestions on short field names.
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

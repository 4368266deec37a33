/** A strict reader for one map of a parsed document: every field has a path; unknown fields are errors. */
import { InputError } from "../../engine/errors.js";
import { StrictMap } from "../../engine/strict-map.js";

/** StrictMap with KubeSchedulerConfiguration's rules: null is an absent field, as in Go's decoder. */
export class MapReader extends StrictMap {
  has(key: string): boolean {
    return this.map[key] !== undefined && this.map[key] !== null;
  }

  raw(key: string): unknown {
    this.seen.add(key);
    const v = this.map[key];
    return v === null ? undefined : v;
  }

  fail(key: string, expected: string, found: unknown): never {
    throw new InputError(this.at(key), expected, found);
  }

  string(key: string, fallback?: string): string {
    const v = this.raw(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "string") this.fail(key, "a string", v);
    return v;
  }

  optionalString(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== "string") this.fail(key, "a string", v);
    return v;
  }

  int(key: string, fallback?: number): number {
    const v = this.raw(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isSafeInteger(v)) this.fail(key, "an integer", v);
    return v;
  }

  optionalInt(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isSafeInteger(v)) this.fail(key, "an integer", v);
    return v;
  }

  number(key: string, fallback: number): number {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(key, "a number", v);
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") this.fail(key, "true or false", v);
    return v;
  }

  /** A nested map, or undefined when absent. */
  optionalMap(key: string): MapReader | undefined {
    const v = this.raw(key);
    return v === undefined ? undefined : new MapReader(v, this.at(key));
  }

  /** A list (absent → empty); each item with its path. */
  list(key: string): { value: unknown; path: string }[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(key, "a list", v);
    return v.map((value, i) => ({ value, path: `${this.at(key)}[${i}]` }));
  }

  /** A list of strings. */
  stringList(key: string): string[] {
    return this.list(key).map(({ value, path }) => {
      if (typeof value !== "string") throw new InputError(path, "a string", value);
      return value;
    });
  }
}

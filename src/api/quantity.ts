/**
 * Kubernetes resource quantities, parsed the way `resource.Quantity` does
 * (k8s.io/apimachinery/pkg/api/resource/quantity.go, suffix.go, amount.go, scale_int.go).
 *
 * Grammar (from quantity.go):
 *   <quantity> ::= <sign>? <number> <suffix>
 *   <number>   ::= <digits> | <digits> "." <digits>? | "." <digits>
 *   <suffix>   ::= "" | n | u | m | k | M | G | T | P | E          (decimal SI)
 *                | Ki | Mi | Gi | Ti | Pi | Ei                    (binary SI)
 *                | ("e" | "E") <sign>? <digits>                   (decimal exponent)
 *
 * Rules carried over from upstream:
 * - Values are exact; a non-zero value finer than 1n is rounded away from zero to the next
 *   nano at parse time ("0.1n" → 1n, "0.000000000001Ki" → 2n).
 * - BinarySI magnitudes above 2^63−1 are capped at 2^63−1.
 * - A BinarySI value strictly between −1 and 1 is reformatted as DecimalSI.
 * - `MilliValue()` / `Value()` round up: ceil(q × 1000) and ceil(q). On the int64 path that
 *   almost every parsed value takes, "up" means away from zero for negative numbers
 *   (negativeScaleInt64 in math.go); we do the same.
 * - Leading/trailing whitespace is an error (quantity_test.go lists "1 " and " 1" as invalid).
 *
 * One deliberate difference: upstream's scanner accepts a number with no digits at all ("Mi",
 * ".", "+", "-" all parse as zero). The documented grammar requires a digit, and such input
 * is almost certainly a typo in a scenario, so we reject it.
 *
 * Values are kept as BigInt nanos so 0.1, 1.5, 2Gi, 1e3 and 128974848000m are all exact; the
 * accessors return plain numbers and throw when a result would exceed 2^53.
 */
import { InputError } from "../engine/errors.js";

/** How a quantity is written: 12e6 (DecimalExponent), 12Mi (BinarySI), 12M (DecimalSI). */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** A parsed quantity. Immutable; shared through the parse cache. */
export interface Quantity {
  /** The exact value in units of 10⁻⁹. */
  readonly nanos: bigint;
  /** The suffix family the text used, which canonical formatting keeps. */
  readonly format: QuantityFormat;
  /** ceil(value × 1000) (away from zero), or NaN when its magnitude exceeds 2^53. */
  readonly milli: number;
  /** True when value × 1000 is a whole number (no rounding happened). */
  readonly milliExact: boolean;
  /** ceil(value) (away from zero), or NaN when its magnitude exceeds 2^53. */
  readonly units: number;
  /** True when the value is a whole number. */
  readonly unitsExact: boolean;
}

const EXPECTED = 'a quantity such as "500m", "1.5", "128Mi" or "1e3"';
const NANO = 1_000_000_000n;
const MILLI_PER_NANO = 1_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Exponents beyond this are refused rather than expanded into enormous BigInts. */
const MAX_EXPONENT = 1000;

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map<number, string>(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
// Characters upstream's scanner takes as part of a suffix before an optional signed exponent.
const SUFFIX_CHARS = "eEinumkKMGTP";

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function fail(text: string, why: string, path: string): never {
  throw new InputError(path, `${EXPECTED} (${why})`, text);
}

/** Divides rounding away from zero; returns [quotient, exact]. */
function divAway(n: bigint, d: bigint): [bigint, boolean] {
  const q = n / d;
  if (q * d === n) return [q, true];
  return [n < 0n ? q - 1n : q + 1n, false];
}

function toSafeNumber(n: bigint): number {
  return n > MAX_SAFE || n < -MAX_SAFE ? Number.NaN : Number(n);
}

function pow10(e: number): bigint {
  return 10n ** BigInt(e);
}

/** Builds a Quantity from exact nanos (used by the parser and the constructors below). */
function fromNanos(nanos: bigint, format: QuantityFormat): Quantity {
  const [milli, milliExact] = divAway(nanos, MILLI_PER_NANO);
  const [units, unitsExact] = divAway(nanos, NANO);
  return { nanos, format, milli: toSafeNumber(milli), milliExact, units: toSafeNumber(units), unitsExact };
}

/** Parses without the cache; see parseQuantity. */
function parseUncached(text: string, path: string): Quantity {
  const end = text.length;
  if (end === 0) fail(text, "empty", path);
  let pos = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    pos = 1;
  }
  const intStart = pos;
  while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
  const intDigits = text.slice(intStart, pos);
  let fracDigits = "";
  if (pos < end && text.charCodeAt(pos) === 46 /* . */) {
    pos++;
    const fracStart = pos;
    while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
    fracDigits = text.slice(fracStart, pos);
  }
  if (intDigits.length === 0 && fracDigits.length === 0) fail(text, "no digits", path);

  // Suffix: letters from SUFFIX_CHARS, then an optional sign and digits, then the end.
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(text.charAt(pos))) pos++;
  if (pos < end && (text.charCodeAt(pos) === 45 || text.charCodeAt(pos) === 43)) pos++;
  while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
  if (pos < end) fail(text, `unexpected ${JSON.stringify(text.charAt(pos))}`, path);
  const suffix = text.slice(suffixStart);

  let format: QuantityFormat;
  let exponent: number; // power of 10, or power of 2 for BinarySI
  const dec = DECIMAL_SUFFIXES[suffix];
  const bin = BINARY_SUFFIXES[suffix];
  if (dec !== undefined) {
    format = "DecimalSI";
    exponent = dec;
  } else if (bin !== undefined) {
    format = "BinarySI";
    exponent = bin;
  } else if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?\d+$/.test(suffix.slice(1))) {
    format = "DecimalExponent";
    const e = Number(suffix.slice(1));
    exponent = Math.abs(e) > MAX_EXPONENT ? Math.sign(e) * (MAX_EXPONENT + 1) : e;
  } else {
    fail(text, `unknown suffix ${JSON.stringify(suffix)}`, path);
  }

  const mantissa = BigInt(`${intDigits}${fracDigits}` || "0");
  let nanos: bigint;
  if (mantissa === 0n) {
    nanos = 0n;
  } else if (format === "BinarySI") {
    // value = mantissa × 2^exponent / 10^len(frac)
    nanos = divAway(mantissa * (1n << BigInt(exponent)) * NANO, pow10(fracDigits.length))[0];
    if (nanos > MAX_INT64 * NANO) nanos = MAX_INT64 * NANO;
    // upstream: a BinarySI value in (0, 1) is shown as DecimalSI.
    if (nanos < NANO) format = "DecimalSI";
  } else {
    if (exponent > MAX_EXPONENT) fail(text, `exponent beyond ${MAX_EXPONENT}`, path);
    const shift = exponent - fracDigits.length + 9; // power of ten from mantissa to nanos
    if (shift >= 0) nanos = mantissa * pow10(shift);
    // Far below a nano (10^-shift exceeds the mantissa): rounds up to one nano.
    else if (-shift > intDigits.length + fracDigits.length + 1) nanos = 1n;
    else nanos = divAway(mantissa, pow10(-shift))[0];
  }
  return fromNanos(negative ? -nanos : nanos, format);
}

const cache = new Map<string, Quantity>();
/** The scheduler parses the same few strings per pod; a small bounded cache is enough. */
const CACHE_LIMIT = 4096;

/**
 * Parses a quantity string (cached). Throws InputError naming the text, with `path` as the
 * field path when given, for malformed input such as "1.5.5", "Mi", "1Kb", "", "+-1", "1e", "1 ".
 */
export function parseQuantity(text: string, path = ""): Quantity {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  if (typeof text !== "string") throw new InputError(path, EXPECTED, text);
  const q = parseUncached(text, path);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, q);
  return q;
}

/** Returns true when the text parses as a quantity. */
export function isQuantity(text: string): boolean {
  try {
    parseQuantity(text);
    return true;
  } catch {
    return false;
  }
}

function asQuantity(q: Quantity | string): Quantity {
  return typeof q === "string" ? parseQuantity(q) : q;
}

/** `MilliValue()`: ceil(q × 1000) as a number; throws when beyond 2^53. */
export function milliValue(q: Quantity | string): number {
  const p = asQuantity(q);
  if (Number.isNaN(p.milli)) throw new RangeError(`quantity ${formatQuantity(p)} in millis exceeds 2^53`);
  return p.milli;
}

/** `Value()`: ceil(q) as a number; throws when beyond 2^53. */
export function value(q: Quantity | string): number {
  const p = asQuantity(q);
  if (Number.isNaN(p.units)) throw new RangeError(`quantity ${formatQuantity(p)} exceeds 2^53`);
  return p.units;
}

/** Compares two quantities by value: −1, 0 or 1. */
export function compareQuantities(a: Quantity | string, b: Quantity | string): -1 | 0 | 1 {
  const x = asQuantity(a).nanos;
  const y = asQuantity(b).nanos;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A quantity of `milli` thousandths (e.g. millicores), formatted canonically ("1500m", "2"). */
export function quantityFromMilli(milli: number, format: QuantityFormat = "DecimalSI"): string {
  if (!Number.isSafeInteger(milli)) throw new RangeError(`milli value must be a safe integer, got ${milli}`);
  return formatQuantity(fromNanos(BigInt(milli) * MILLI_PER_NANO, format));
}

/** A quantity of `units` (bytes, pods, ...), formatted canonically ("1Gi" for BinarySI 2^30). */
export function quantityFromValue(units: number, format: QuantityFormat = "DecimalSI"): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`value must be a safe integer, got ${units}`);
  let f = format;
  if (f === "BinarySI" && units === 0) f = "DecimalSI";
  return formatQuantity(fromNanos(BigInt(units) * NANO, f));
}

/**
 * The canonical string of a quantity, as `Quantity.String()` prints it (CanonicalizeBytes):
 * the largest exponent (multiple of 3, or of 1024 for BinarySI) that loses no precision, no
 * fractional digits, sign only when negative. "1.5" → "1500m", "1536Mi" → "1536Mi" but
 * 1.5Gi → "1536Mi", 0.5Ki → "512", 1e3 → "1e3", "1000M" → "1G".
 * Where upstream has no suffix for the exponent (DecimalSI above 10^18) we print the value
 * with the "E" suffix ("1000E") instead of dropping the suffix as upstream does.
 */
export function formatQuantity(q: Quantity | string): string {
  const p = asQuantity(q);
  const nanos = p.nanos;
  if (nanos === 0n) return "0";
  let format = p.format;
  if (format === "BinarySI") {
    const abs = nanos < 0n ? -nanos : nanos;
    if (abs < 1024n * NANO || nanos % NANO !== 0n) {
      format = "DecimalSI";
    } else {
      let amount = nanos / NANO;
      let power = 0;
      while (power < BINARY_BY_POWER.length - 1 && amount % 1024n === 0n) {
        amount /= 1024n;
        power++;
      }
      return `${amount}${BINARY_BY_POWER[power]}`;
    }
  }
  let mantissa = nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (format === "DecimalExponent") return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  if (exponent > 18) {
    mantissa *= pow10(exponent - 18);
    exponent = 18;
  }
  return `${mantissa}${DECIMAL_BY_EXPONENT.get(exponent) ?? ""}`;
}

/**
 * The quantity rounded up (away from zero) to milli precision, canonical text; the input text
 * unchanged when it already is milli-exact. This is `SetDefaults_ResourceList`'s
 * `RoundUp(-3)` (pkg/apis/core/v1/defaults.go).
 */
export function roundUpToMilli(text: string): string {
  const q = parseQuantity(text);
  if (q.milliExact) return text;
  const [milli] = divAway(q.nanos, MILLI_PER_NANO);
  return formatQuantity(fromNanos(milli * MILLI_PER_NANO, q.format));
}

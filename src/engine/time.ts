import { InputError } from "./errors.js";

/** Virtual time is an integer number of microseconds. */
export type Micros = number;

export const MICROSECOND: Micros = 1;
export const MILLISECOND: Micros = 1_000;
export const SECOND: Micros = 1_000_000;
export const MINUTE: Micros = 60 * SECOND;
export const HOUR: Micros = 60 * MINUTE;

// Units accepted by Go's time.ParseDuration, which Kubernetes configuration uses, plus "d"
// for long runs. Values are in nanoseconds so that "1500ns" can be checked for whole µs.
const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1_000,
  µs: 1_000,
  μs: 1_000,
  ms: 1_000_000,
  s: 1_000_000_000,
  m: 60_000_000_000,
  h: 3_600_000_000_000,
  d: 86_400_000_000_000,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;

/**
 * Parses a Go-style duration ("250ms", "5s", "2m", "1h30m", "1.5s") into whole microseconds.
 * Throws InputError with `path` when the text is not a duration or not a whole number of µs.
 */
export function parseDuration(value: unknown, path = ""): Micros {
  const expected = 'a duration such as "250ms", "5s", "2m" or "1h30m"';
  if (value === 0 || value === "0") return 0;
  if (typeof value !== "string") throw new InputError(path, expected, value);
  const text = value.trim();
  let i = 0;
  let negative = false;
  if (text.startsWith("-") || text.startsWith("+")) {
    negative = text[0] === "-";
    i = 1;
  }
  if (i >= text.length) throw new InputError(path, expected, value);
  let totalNs = 0;
  while (i < text.length) {
    TERM.lastIndex = i;
    const m = TERM.exec(text);
    if (m === null) throw new InputError(path, expected, value);
    totalNs += Number(m[1]) * (UNIT_NS[m[2] as string] as number);
    i = TERM.lastIndex;
  }
  const us = totalNs / 1_000;
  const rounded = Math.round(us);
  // Tolerate float noise from decimal fractions ("0.1s"), reject genuinely sub-µs values.
  if (Math.abs(us - rounded) > 1e-6 * Math.max(1, Math.abs(us))) {
    throw new InputError(path, "a duration that is a whole number of microseconds", value);
  }
  if (!Number.isSafeInteger(rounded)) throw new InputError(path, "a duration below 285 years", value);
  return negative ? -rounded : rounded;
}

/** Formats microseconds the way Go's time.Duration.String does ("1h2m3.5s", "250ms", "1.5µs"). */
export function formatDuration(us: Micros): string {
  if (us === 0) return "0s";
  const sign = us < 0 ? "-" : "";
  let rest = Math.abs(us);
  if (rest < MILLISECOND) return `${sign}${rest}µs`;
  if (rest < SECOND) return `${sign}${trimFraction(rest / MILLISECOND)}ms`;
  let out = "";
  const h = Math.floor(rest / HOUR);
  if (h > 0) {
    out += `${h}h`;
    rest -= h * HOUR;
  }
  const m = Math.floor(rest / MINUTE);
  if (h > 0 || m > 0) {
    out += `${m}m`;
    rest -= m * MINUTE;
  }
  out += `${trimFraction(rest / SECOND)}s`;
  return sign + out;
}

function trimFraction(x: number): string {
  // Exact for whole microseconds: at most 6 decimals are ever needed.
  return x.toFixed(6).replace(/\.?0+$/, "");
}

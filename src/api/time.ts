/**
 * Virtual time ↔ API timestamps.
 *
 * The API carries times as RFC 3339 strings: `metav1.Time` marshals with whole seconds
 * ("2025-01-01T00:00:05Z") and `metav1.MicroTime` with exactly six fractional digits
 * ("2025-01-01T00:00:05.123456Z"); see k8s.io/apimachinery/pkg/apis/meta/v1/time.go and
 * micro_time.go. The simulator runs on integer virtual microseconds, so:
 *
 * - Virtual time 0 is SIMULATION_EPOCH, 2025-01-01T00:00:00Z (a fixed instant, so outputs
 *   never depend on the wall clock). Objects imported from a real cluster keep their real
 *   timestamps, which simply map to other (possibly negative) virtual times.
 * - `formatTimestamp` keeps microseconds instead of truncating to seconds as metav1.Time
 *   would: whole seconds print as "...:05Z", anything else as "...:05.123456Z" (always six
 *   digits, the MicroTime layout). Both forms parse back with any RFC 3339 reader, and
 *   `parseTimestamp(formatTimestamp(t)) === t` for every integer t.
 * - `formatMicroTime` always prints six digits, for MicroTime fields (Lease renewTime, ...).
 */
import { InputError } from "../engine/errors.js";

/** Virtual time 0 as milliseconds since the Unix epoch: 2025-01-01T00:00:00Z. */
export const SIMULATION_EPOCH_MS = Date.UTC(2025, 0, 1, 0, 0, 0, 0);

/** Virtual time 0 as an RFC 3339 string. */
export const SIMULATION_EPOCH = "2025-01-01T00:00:00Z";

const US_PER_SECOND = 1_000_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function formatWith(us: number, alwaysFraction: boolean): string {
  if (!Number.isSafeInteger(us)) throw new RangeError(`virtual time must be an integer of µs, got ${us}`);
  const seconds = Math.floor(us / US_PER_SECOND);
  const micros = us - seconds * US_PER_SECOND;
  const d = new Date(SIMULATION_EPOCH_MS + seconds * 1000);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`virtual time ${us} µs is outside years 0000-9999`);
  const base =
    `${pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return micros === 0 && !alwaysFraction ? `${base}Z` : `${base}.${pad(micros, 6)}Z`;
}

/** Formats virtual µs as RFC 3339 UTC: "…:05Z" on whole seconds, "…:05.123456Z" otherwise. */
export function formatTimestamp(us: number): string {
  return formatWith(us, false);
}

/** Formats virtual µs as a MicroTime ("2006-01-02T15:04:05.000000Z07:00" layout, UTC). */
export function formatMicroTime(us: number): string {
  return formatWith(us, true);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 timestamp into virtual µs (relative to SIMULATION_EPOCH). Digits finer
 * than a microsecond are dropped (rounded toward the past). Throws InputError naming the text.
 */
export function parseTimestamp(text: string, path = ""): number {
  const m = RFC3339.exec(text);
  if (m === null) throw new InputError(path, 'an RFC 3339 timestamp such as "2025-01-01T00:00:00Z"', text);
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new InputError(path, "a valid RFC 3339 date and time", text);
  }
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, 0);
  // Date.UTC maps years 0-99 to 1900-1999; put them back.
  if (year < 100) ms = new Date(ms).setUTCFullYear(year);
  if (new Date(ms).getUTCDate() !== day) throw new InputError(path, "a valid RFC 3339 date and time", text);
  if (m[8] === undefined) {
    const sign = m[9] === "-" ? -1 : 1;
    ms -= sign * (Number(m[10]) * 60 + Number(m[11])) * 60_000;
  }
  const fraction = m[7] === undefined ? 0 : Number(`${m[7]}000000`.slice(0, 6));
  return (ms - SIMULATION_EPOCH_MS) * 1000 + fraction;
}

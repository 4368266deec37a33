import { toByteKey } from "./bytes.js";

/**
 * How the store treats values: its empty value (keys-only reads, DELETE events), a size for
 * the request-size limit, and the bytewise order used by VALUE compares and sorts. Strings are
 * the default; the simulator stores Kubernetes objects by reference with a size estimate.
 */
export interface ValueCodec<V> {
  readonly empty: V;
  size(v: V): number;
  compare(a: V, b: V): number;
}

/** UTF-8 strings, compared by their bytes as etcd compares values. */
export const STRING_CODEC: ValueCodec<string> = {
  empty: "",
  size: (v) => utf8Length(v),
  compare: (a, b) => compareBytes(toByteKey(a), toByteKey(b)),
};

/** Compares two byte strings (chars 0–255) in bytewise order. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** UTF-8 length of a JS string without encoding it. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 2; // surrogate pair: 4 bytes for 2 code units
      i++;
    } else n += 2;
  }
  return n;
}

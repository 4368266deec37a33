// Byte-string keys for the store.
//
// etcd orders keys by their raw bytes (`bytes.Compare`, etcd.md §11 treeIndex). The store keeps
// every key as a JavaScript string with one char per UTF-8 byte (char codes 0–255, a "byte
// string"). JavaScript compares strings by UTF-16 code units, which for such strings is exactly
// bytewise order, so the B-tree can use native `<` / `===` with no comparator call. Kubernetes
// keys are pure ASCII, where a byte string is the ordinary string itself; the conversions below
// return their argument unchanged in that case and allocate nothing.

/** True when every char code of `s` is below 0x80 (such a string is its own UTF-8 encoding). */
export function isAscii(s: string): boolean {
  // A plain loop: V8 compiles it to a tight scan over the one-byte backing store, and it
  // allocates nothing (a regex test would also avoid allocation but costs a call into the
  // irregexp engine for every key).
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}

/**
 * Encodes `s` as UTF-8 into a byte string (one char per byte). Returns `s` itself, with no
 * allocation, when it is pure ASCII. Lone surrogates become U+FFFD, as in any UTF-8 encoder.
 */
export function toByteKey(s: string): string {
  if (isAscii(s)) return s;
  return Buffer.from(s, "utf8").toString("latin1");
}

/**
 * Decodes a byte string produced by {@link toByteKey} back to an ordinary string. Returns `b`
 * itself when it is pure ASCII. Invalid UTF-8 sequences decode to U+FFFD.
 * @throws RangeError if `b` holds a char above 0xff (it is then not a byte string)
 */
export function fromByteKey(b: string): string {
  if (isAscii(b)) return b;
  for (let i = 0; i < b.length; i++) {
    if (b.charCodeAt(i) > 0xff) throw new RangeError(`not a byte string: char ${i} is above 0xff`);
  }
  return Buffer.from(b, "latin1").toString("utf8");
}

/** Number of bytes in a byte string (one char per byte, so its length). */
export function byteLength(b: string): number {
  return b.length;
}

/** The range end etcd uses for "no upper bound" (`WithFromKey`, and `WithPrefix` of "\xff…"). */
export const NO_END = "\u0000";

/**
 * etcd's prefix range end (`clientv3.GetPrefixRangeEnd`): drop trailing 0xff bytes, then
 * increment the last remaining byte, so [key, prefixEnd(key)) holds exactly the keys starting
 * with `key`. When `key` is empty or all 0xff there is no such bound and the result is "\u0000",
 * which etcd reads as "every key >= key".
 */
export function prefixEnd(key: string): string {
  let end = key.length;
  while (end > 0 && key.charCodeAt(end - 1) === 0xff) end--;
  if (end === 0) return NO_END;
  const last = key.charCodeAt(end - 1);
  if (last > 0xff) throw new RangeError(`not a byte string: char ${end - 1} is above 0xff`);
  return key.slice(0, end - 1) + String.fromCharCode(last + 1);
}

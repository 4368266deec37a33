// B+ tree over byte-string keys: the ordered index of the MVCC store (etcd's treeIndex,
// etcd.md §11). Keys are byte strings (see bytes.ts), so native `<` is etcd's bytewise order
// and no comparator function is called on any path.
//
// Why it is shaped like this (numbers: js-perf.md §2 and bench/btree.ts):
// - At 1e5–1e6 keys every random access is a chain of cache misses (~200 ns each past a few
//   MiB on this machine, js-perf.md "Machine and method"), and in a plain B-tree most of them
//   are the key strings a binary search compares against: each is its own heap object.
// - So each node also keeps a "slice" per key: the 6 bytes that follow a prefix every key in the
//   node's range shares, packed into one double (a Masstree-style key slice). The binary search
//   runs over that contiguous double array and reads a key string only when two slices tie.
//   For Kubernetes keys the shared prefix of a leaf's range is ~25 bytes, the rest of the key
//   fits in the slice, and a lookup reads no key string in the leaf at all.
// - Internal nodes place their windows after the separators' common prefix (see BNode.q).
// - A delete marks its slot and leaves compact in batches (see TOMB).
// - Leaves are linked, so a range scan walks leaf arrays without climbing the tree, and the
//   end bound is compared once per leaf rather than once per key.

/** Bytes packed into one slice: 257^6 < 2^53, so a slice is an exact integer in a double. */
const W = 6;
/** Digit base: 0 = the key ended, 1–256 = byte + 1 (so a shorter key sorts first). */
const BASE = 257;
/** POW[k] = 257^k. */
const POW = [1, 257, 66049, 16974593, 4362470401, 1121154893057, 288136807515649];

// Set to false by keySlice when the key has a char above 0xff inside the window. Such chars
// (impossible in byte strings) are clamped, which keeps slices ordered but not exact, so a tie
// must then be settled by a string compare. A module variable, not a second return value, so
// the hot path allocates nothing.
let sliceExact = true;

/**
 * The slice of `s` at offset p: bytes p..p+5 as base-257 digits. Monotone in `s` among keys
 * sharing their first p chars: a < b implies slice(a) <= slice(b).
 */
function keySlice(s: string, p: number): number {
  return keyDigits(s, p, W);
}

/**
 * `len` (<= 6) chars of `s` from offset `from` as base-257 digits (keySlice is the 6-char
 * case; a shorter run checks a search key against an internal node's separator prefix).
 */
function keyDigits(s: string, from: number, len: number): number {
  const n = s.length;
  const e = from + len;
  let v = 0;
  for (let j = from; j < e; j++) {
    if (j >= n) return v * POW[e - j];
    const c = s.charCodeAt(j);
    if (c > 0xff) {
      // Clamp to the top digit and fill the rest with top digits: still ordered, but a tie no
      // longer means equal chars, so the caller must settle it with a string compare.
      sliceExact = false;
      const k = POW[e - j - 1];
      return (v * BASE + 256) * k + (k - 1);
    }
    v = v * BASE + c + 1;
  }
  return v;
}

/** Length of the longest common prefix of a and b. */
function lcp(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** An empty array whose elements are unboxed doubles (V8 never turns it back into a Smi array). */
function doubles(): number[] {
  const a = [0.5];
  a.length = 0;
  return a;
}

/**
 * The value of a deleted key still in its leaf. A delete only marks the slot; the leaf drops its
 * marked slots in one pass when its live keys fall below half a node (or when it is full and
 * needs room). Shifting three arrays on every delete touched ~6–8 more cache lines than a
 * lookup and made a delete cost twice a lookup at 1e6 keys; a revived key (delete, then create
 * again) reuses its slot.
 */
const TOMB: unique symbol = Symbol("deleted");
type Slot<V> = V | typeof TOMB;

/** Shared empty array for the fields leaves do not use (never written). */
const NO_DOUBLES = doubles();

/** One tree node. Leaves and internal nodes share one class so every access site stays monomorphic. */
class BNode<V> {
  /** Leaf: the keys, ascending. Internal: separators; kids[i] holds keys in [keys[i-1], keys[i]). */
  keys: string[];
  /** Leaf: keySlice(keys[i], p). Internal: keySlice(keys[i], q). */
  sl: number[];
  /**
   * Every key in this node's range (bounded by the nearest separators above it) shares its
   * first p chars. Bounded on both sides, p = LCP(bounds); on the tree's outer edges, 0.
   */
  p: number;
  /**
   * Internal only: where the slice windows start, q >= p. The separators all share chars
   * [p, q) (digits in `pre`), so a search key is checked against `pre` once and then compared
   * by slices at q. The root's range has p = 0, and namespaces make windows at p tie often
   * (".../ns-1" then "2/pod-"), so internal nodes start at the separators' own common prefix
   * and keep a second window (sl2) as well. Measured: string compares per lookup in internal
   * nodes went from ~10 to ~0.01; that made lookups and writes 4–7% faster at 1e6 keys (where
   * the lowest internal level's separators are cache misses) and changed nothing at 1e5.
   */
  q: number;
  /** Internal only: digits of chars [p, q), 6 per entry (the last may hold fewer). */
  pre: number[];
  /** Internal only: keySlice(keys[i], q + 6). */
  sl2: number[];
  /** Internal only: no separator has a char above 0xff in its first window, so a tie there is equality. */
  two: boolean;
  /** Leaf only: the values, parallel to keys; TOMB marks a deleted key. */
  vals: Slot<V>[];
  /** Leaf only: how many values are TOMB. */
  dead: number;
  /** Internal only: the children (one more than keys). */
  kids: BNode<V>[];
  /** Leaf only: the next leaf in key order. */
  next: BNode<V> | null;
  readonly leaf: boolean;

  constructor(leaf: boolean, keys: string[], sl: number[], p: number, vals: Slot<V>[], kids: BNode<V>[]) {
    this.leaf = leaf;
    this.keys = keys;
    this.sl = sl;
    this.p = p;
    this.q = p;
    this.pre = NO_DOUBLES;
    this.sl2 = NO_DOUBLES;
    this.two = false;
    this.vals = vals;
    this.dead = 0;
    this.kids = kids;
    this.next = null;
  }
}

/** Index of the child of internal `node` whose range holds `key` (first separator > key). */
function childIndex<V>(node: BNode<V>, key: string): number {
  const q = node.q;
  const pre = node.pre;
  sliceExact = true;
  if (pre.length > 0) {
    // Does the key share the separators' prefix [p, q)? If not, it is below or above them all.
    let off = node.p;
    for (let c = 0; c < pre.length; c++) {
      const d = keyDigits(key, off, q - off < W ? q - off : W);
      const e = pre[c];
      if (d !== e) return d < e ? 0 : node.keys.length;
      // Equal digits after a clamped char prove nothing: compare strings.
      if (!sliceExact) return upperBound(node.keys, key);
      off += W;
    }
  }
  const ss = keySlice(key, q);
  const clean = sliceExact;
  // The key ends inside the window: equal slices then mean equal keys, no string compare.
  const exact = clean && key.length < q + W;
  const second = clean && node.two;
  let ss2 = -1;
  let exact2 = false;
  const sl = node.sl;
  let lo = 0;
  let hi = sl.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = sl[mid];
    // right: key >= keys[mid]
    let right: boolean;
    if (ss !== m) right = ss > m;
    else if (exact) right = true;
    else if (second) {
      if (ss2 < 0) {
        ss2 = keySlice(key, q + W);
        exact2 = sliceExact && key.length < q + 2 * W;
      }
      const m2 = node.sl2[mid];
      if (ss2 !== m2) right = ss2 > m2;
      else right = exact2 || !(key < node.keys[mid]);
    } else right = !(key < node.keys[mid]);
    if (right) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Recomputes an internal node's window start q, prefix digits and slices from its separators.
 * Called when its separators or its p change wholesale (splits, merges); single separator
 * changes go through fitSeparator.
 */
function refreshInternal<V>(node: BNode<V>): void {
  const keys = node.keys;
  const n = keys.length;
  const p = node.p;
  let q = p;
  if (n > 0) {
    const first = keys[0];
    q = lcp(first, keys[n - 1]);
    if (q < p) q = p;
    // Bound the prefix check to 8 digit groups; a later start would only add checks.
    if (q > p + 8 * W) q = p + 8 * W;
    for (let j = p; j < q; j++) {
      if (first.charCodeAt(j) > 0xff) {
        q = j;
        break;
      }
    }
  }
  node.q = q;
  const pre = doubles();
  for (let off = p; off < q; off += W) pre.push(keyDigits(keys[0], off, q - off < W ? q - off : W));
  node.pre = pre;
  const sl = doubles();
  const sl2 = doubles();
  let two = true;
  for (let i = 0; i < n; i++) {
    sliceExact = true;
    sl.push(keySlice(keys[i], q));
    if (!sliceExact) two = false;
    sl2.push(keySlice(keys[i], q + W));
  }
  node.sl = sl;
  node.sl2 = sl2;
  node.two = two;
}

/**
 * After keys[i] of internal `node` was inserted or replaced: computes its slices, or refreshes
 * the whole node when the new separator does not share the node's prefix (q must move left).
 * `inserted` says whether slots must be inserted rather than overwritten.
 */
function fitSeparator<V>(node: BNode<V>, i: number, inserted: boolean): void {
  const key = node.keys[i];
  const q = node.q;
  const pre = node.pre;
  sliceExact = true;
  let off = node.p;
  for (let c = 0; c < pre.length; c++) {
    if (keyDigits(key, off, q - off < W ? q - off : W) !== pre[c]) {
      refreshInternal(node);
      return;
    }
    off += W;
  }
  if (!sliceExact) {
    refreshInternal(node);
    return;
  }
  const s1 = keySlice(key, q);
  if (!sliceExact) node.two = false;
  const s2 = keySlice(key, q + W);
  if (inserted) {
    insertNum(node.sl, i, s1);
    insertNum(node.sl2, i, s2);
  } else {
    node.sl[i] = s1;
    node.sl2[i] = s2;
  }
}

/** Removes separator i of internal `node` with its slices (q stays valid: the rest still share it). */
function removeSeparator<V>(node: BNode<V>, i: number): void {
  removeAt(node.keys, i);
  removeNum(node.sl, i);
  removeNum(node.sl2, i);
}

/** First index i with keys[i] > key, by string compares only (keys with chars above 0xff). */
function upperBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key < keys[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** In leaf `node`: the index of `key` if present, else ~(its insertion point). */
function leafFind<V>(node: BNode<V>, key: string): number {
  const p = node.p;
  sliceExact = true;
  const ss = keySlice(key, p);
  const exact = sliceExact && key.length < p + W;
  const sl = node.sl;
  const n = sl.length;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = sl[mid];
    if (m < ss || (m === ss && !exact && node.keys[mid] < key)) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && sl[lo] === ss && (exact || node.keys[lo] === key) ? lo : ~lo;
}

/** Drops a leaf's deleted slots in one pass. */
function compact<V>(leaf: BNode<V>): void {
  const keys = leaf.keys;
  const sl = leaf.sl;
  const vals = leaf.vals;
  const n = keys.length;
  let w = 0;
  for (let r = 0; r < n; r++) {
    const v = vals[r];
    if (v === TOMB) continue;
    keys[w] = keys[r];
    sl[w] = sl[r];
    vals[w] = v;
    w++;
  }
  keys.length = w;
  sl.length = w;
  vals.length = w;
  leaf.dead = 0;
}

/** Inserts x at index i, shifting the tail right (no result array, unlike splice). */
function insertAt<T>(a: T[], i: number, x: T): void {
  let j = a.length;
  while (j > i) {
    a[j] = a[j - 1];
    j--;
  }
  a[i] = x;
}

/**
 * insertAt for slice arrays. A separate function on purpose: when the generic one also served
 * the string and value arrays, its polymorphic store turned slice arrays from unboxed doubles
 * into arrays of boxed numbers (checked with %HasDoubleElements), costing 16 bytes and a
 * pointer chase per slice.
 */
function insertNum(a: number[], i: number, x: number): void {
  let j = a.length;
  while (j > i) {
    a[j] = a[j - 1];
    j--;
  }
  a[i] = x;
}

/** removeAt for slice arrays (see insertNum). */
function removeNum(a: number[], i: number): void {
  const n = a.length - 1;
  for (let j = i; j < n; j++) a[j] = a[j + 1];
  a.pop();
}

/** Removes the element at index i, shifting the tail left. */
function removeAt<T>(a: T[], i: number): void {
  const n = a.length - 1;
  for (let j = i; j < n; j++) a[j] = a[j + 1];
  // pop() is inlined by the JIT; assigning `length` goes through a slower generic setter.
  a.pop();
}

/**
 * Converts sl[a..b), the slices of keys[a..b) at prefix length `from`, to prefix length `to`,
 * reading key strings only when it cannot be avoided (each read is a likely cache miss):
 * - shorter prefix (a range widened by a merge): the new leading digits are chars the keys all
 *   share, read once from keys[a]; the rest is the old slice without its low digits.
 * - longer prefix (a range narrowed by a split): the old slice's low digits move up; a key that
 *   ended inside the old window (last digit 0) gets zeros after them, any other key is re-read.
 * Requires keys[a..b) to share their first `from` chars. Slices are integers below 2^49, so the
 * floor divisions below are exact.
 */
function convertSlices(keys: string[], sl: number[], a: number, b: number, from: number, to: number): void {
  if (from === to || a >= b) return;
  if (to < from) {
    const d = from - to;
    const ref = keys[a];
    if (d >= W) {
      // The whole new window lies in the shared prefix: every slice is the same.
      const v = keySlice(ref, to);
      for (let j = a; j < b; j++) sl[j] = v;
      return;
    }
    let pre = 0;
    for (let c = to; c < from; c++) {
      const ch = ref.charCodeAt(c);
      if (ch > 0xff) {
        for (let j = a; j < b; j++) sl[j] = keySlice(keys[j], to);
        return;
      }
      pre = pre * BASE + ch + 1;
    }
    const mul = POW[W - d];
    const div = POW[d];
    for (let j = a; j < b; j++) sl[j] = pre * mul + Math.floor(sl[j] / div);
    return;
  }
  const d = to - from;
  if (d >= W) {
    for (let j = a; j < b; j++) sl[j] = keySlice(keys[j], to);
    return;
  }
  const keep = POW[W - d];
  const mul = POW[d];
  for (let j = a; j < b; j++) {
    const v = sl[j];
    if (v - Math.floor(v / BASE) * BASE === 0) sl[j] = (v - Math.floor(v / keep) * keep) * mul;
    else sl[j] = keySlice(keys[j], to);
  }
}

/** Moves a node to a new shared-prefix length, converting its slices. */
function reslice<V>(node: BNode<V>, p: number): void {
  convertSlices(node.keys, node.sl, 0, node.keys.length, node.p, p);
  node.p = p;
}

/** The prefix every key in [lo, hi) shares; 0 when a side is unbounded. */
function rangePrefix(lo: string | undefined, hi: string | undefined): number {
  return lo === undefined || hi === undefined ? 0 : lcp(lo, hi);
}

/** True when `end` means "no upper bound" (etcd's "\0" range end; "" and undefined too). */
function unbounded(end: string | undefined): boolean {
  return end === undefined || end === "" || end === "\u0000";
}

/** Options for {@link BTree}. */
export interface BTreeOptions {
  /** Maximum keys per leaf and children per internal node (>= 4); default 64. */
  nodeSize?: number;
}

/**
 * An ordered map from byte-string keys to values, as a B+ tree with leaf sibling links.
 * Keys compare by UTF-16 code units (native `<`), which is bytewise for byte strings; other
 * strings still work, only slower. Not safe to modify from inside a {@link BTree.forRange} visitor.
 */
export class BTree<V> {
  private root: BNode<V>;
  private count = 0;
  private readonly maxLeaf: number;
  private readonly maxKids: number;
  private readonly minLeaf: number;
  private readonly minKids: number;
  // The path of the last descent (node and child index per level), reused by set/delete so a
  // write allocates nothing unless a node splits or merges.
  private readonly pathNode: BNode<V>[] = [];
  private readonly pathIdx: number[] = [];
  // Range bounds found by findBounds (fields, so finding them allocates nothing).
  private lo: string | undefined = undefined;
  private hi: string | undefined = undefined;

  /** Creates an empty tree. */
  constructor(options: BTreeOptions = {}) {
    const size = options.nodeSize ?? 64;
    if (!Number.isInteger(size) || size < 4) throw new RangeError(`nodeSize must be an integer >= 4, got ${size}`);
    // 64: js-perf.md §2 found it sorted-btree's best size for this workload; for this tree 32,
    // 48, 96 and 128 measured within noise of 64 at 1e5 (larger helps scans only), and separate
    // leaf sizes (32 or 48 under internal nodes of 64 or 128) were no faster at 1e6.
    this.maxLeaf = size;
    this.maxKids = size;
    this.minLeaf = size >> 1;
    this.minKids = size >> 1;
    this.root = new BNode<V>(true, [], doubles(), 0, [], []);
  }

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Removes every key. */
  clear(): void {
    this.root = new BNode<V>(true, [], doubles(), 0, [], []);
    this.count = 0;
    this.pathNode.length = 0;
  }

  /** The value stored under `key`, or undefined. */
  get(key: string): V | undefined {
    let node = this.root;
    while (!node.leaf) node = node.kids[childIndex(node, key)];
    const i = leafFind(node, key);
    if (i < 0) return undefined;
    const v = node.vals[i];
    return v === TOMB ? undefined : v;
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    let node = this.root;
    while (!node.leaf) node = node.kids[childIndex(node, key)];
    const i = leafFind(node, key);
    return i >= 0 && node.vals[i] !== TOMB;
  }

  /** Stores `value` under `key`; returns true if the key was new, false if it replaced a value. */
  set(key: string, value: V): boolean {
    let node = this.root;
    let depth = 0;
    while (!node.leaf) {
      const i = childIndex(node, key);
      this.pathNode[depth] = node;
      this.pathIdx[depth] = i;
      depth++;
      node = node.kids[i];
    }
    let i = leafFind(node, key);
    if (i >= 0) {
      const old = node.vals[i];
      node.vals[i] = value;
      if (old !== TOMB) return false;
      node.dead--;
      this.count++;
      return true;
    }
    i = ~i;
    if (node.dead > 0 && node.keys.length >= this.maxLeaf) {
      // Full but holding deleted slots: make room instead of splitting.
      compact(node);
      i = ~leafFind(node, key);
    }
    insertAt(node.keys, i, key);
    insertNum(node.sl, i, keySlice(key, node.p));
    insertAt(node.vals, i, value);
    this.count++;
    if (node.keys.length > this.maxLeaf) this.split(node, depth);
    return true;
  }

  /** Removes `key`; returns true if it was present. */
  delete(key: string): boolean {
    let node = this.root;
    let depth = 0;
    while (!node.leaf) {
      const i = childIndex(node, key);
      this.pathNode[depth] = node;
      this.pathIdx[depth] = i;
      depth++;
      node = node.kids[i];
    }
    const i = leafFind(node, key);
    if (i < 0 || node.vals[i] === TOMB) return false;
    node.vals[i] = TOMB;
    node.dead++;
    this.count--;
    if (node.keys.length - node.dead < this.minLeaf) {
      compact(node);
      // Separators stay valid bounds when keys go, so only an underflow touches the parents.
      if (depth > 0) this.rebalance(node, depth);
    }
    return true;
  }

  /**
   * Visits keys k with start <= k < end in ascending order, calling `visit(k, value)`, until
   * `limit` keys were visited (0 = no limit) or `visit` returns false. `end` of "", "\u0000"
   * (etcd's "no end") or undefined means no upper bound. Returns the number of keys visited,
   * counting the one whose visit returned false. Allocates nothing per key.
   */
  forRange(start: string, end: string | undefined, limit: number, visit: (key: string, value: V) => unknown): number {
    const noEnd = unbounded(end);
    const stop = end as string;
    if (!noEnd && !(start < stop)) return 0;
    let leaf: BNode<V> | null = this.root;
    while (!leaf.leaf) leaf = leaf.kids[childIndex(leaf, start)];
    let i = leafFind(leaf, start);
    if (i < 0) i = ~i;
    let n = 0;
    const max = limit > 0 ? limit : Number.POSITIVE_INFINITY;
    while (leaf !== null) {
      const keys: string[] = leaf.keys;
      const vals: Slot<V>[] = leaf.vals;
      let len = keys.length;
      // One compare per leaf: a leaf whose last key is below `end` needs no per-key check; the
      // boundary leaf is cut with a binary search. With long shared key prefixes every string
      // compare costs tens of char steps, so this saves most of a scan's compares.
      let last = false;
      if (!noEnd && len > 0 && !(keys[len - 1] < stop)) {
        len = lowerBound(keys, stop);
        last = true;
      }
      for (; i < len; i++) {
        const v = vals[i];
        if (v === TOMB) continue;
        n++;
        if (visit(keys[i], v) === false || n >= max) return n;
      }
      if (last) return n;
      leaf = leaf.next;
      i = 0;
    }
    return n;
  }

  /** Number of keys k with start <= k < end (`end` as in {@link BTree.forRange}); walks the range's leaves. */
  countRange(start: string, end: string | undefined): number {
    const noEnd = unbounded(end);
    const stop = end as string;
    if (!noEnd && !(start < stop)) return 0;
    let leaf: BNode<V> | null = this.root;
    while (!leaf.leaf) leaf = leaf.kids[childIndex(leaf, start)];
    let i = leafFind(leaf, start);
    if (i < 0) i = ~i;
    let n = 0;
    while (leaf !== null) {
      const keys = leaf.keys;
      const len = keys.length;
      const last = !noEnd && len > 0 && !(keys[len - 1] < stop);
      const to = last ? lowerBound(keys, stop) : len;
      n += to - i;
      if (leaf.dead > 0) for (let j = i; j < to; j++) if (leaf.vals[j] === TOMB) n--;
      if (last) return n;
      leaf = leaf.next;
      i = 0;
    }
    return n;
  }

  /** The smallest key, or undefined when empty. */
  first(): string | undefined {
    let node = this.root;
    while (!node.leaf) node = node.kids[0];
    // Every non-empty leaf holds a live key (a leaf is compacted before its live keys run out).
    for (let i = 0; i < node.keys.length; i++) if (node.vals[i] !== TOMB) return node.keys[i];
    return undefined;
  }

  /** The largest key, or undefined when empty. */
  last(): string | undefined {
    let node = this.root;
    while (!node.leaf) node = node.kids[node.kids.length - 1];
    for (let i = node.keys.length - 1; i >= 0; i--) if (node.vals[i] !== TOMB) return node.keys[i];
    return undefined;
  }

  /** The smallest key >= `key`, or undefined. */
  ceilingKey(key: string): string | undefined {
    let leaf: BNode<V> | null = this.root;
    while (!leaf.leaf) leaf = leaf.kids[childIndex(leaf, key)];
    let i = leafFind(leaf, key);
    if (i < 0) i = ~i;
    for (; leaf !== null; leaf = leaf.next, i = 0) {
      for (; i < leaf.keys.length; i++) if (leaf.vals[i] !== TOMB) return leaf.keys[i];
    }
    return undefined;
  }

  /**
   * Sets this.lo to the lower bound of child `loKid` and this.hi to the upper bound of child
   * `hiKid` of pathNode[level], looking up the recorded path where a child is on its parent's edge.
   */
  private findBounds(level: number, loKid: number, hiKid: number): void {
    let lo: string | undefined;
    let hi: string | undefined;
    let lok = loKid;
    let hik = hiKid;
    for (let k = level; k >= 0; k--) {
      const keys = this.pathNode[k].keys;
      if (lo === undefined && lok > 0) lo = keys[lok - 1];
      if (hi === undefined && hik < keys.length) hi = keys[hik];
      if (lo !== undefined && hi !== undefined) break;
      if (k > 0) lok = hik = this.pathIdx[k - 1];
    }
    this.lo = lo;
    this.hi = hi;
  }

  /** Splits an overfull leaf, then every overfull ancestor, using the path of the last descent. */
  private split(node: BNode<V>, depth: number): void {
    const half = node.keys.length >> 1;
    const sep0 = node.keys[half];
    if (depth > 0) this.findBounds(depth - 1, this.pathIdx[depth - 1], this.pathIdx[depth - 1]);
    else this.lo = this.hi = undefined;
    let right = new BNode<V>(true, node.keys.slice(half), node.sl.slice(half), node.p, node.vals.slice(half), []);
    node.keys.length = half;
    node.sl.length = half;
    node.vals.length = half;
    right.next = node.next;
    node.next = right;
    // Each half's range is narrower than the whole, so its shared prefix may have grown.
    reslice(node, rangePrefix(this.lo, sep0));
    reslice(right, rangePrefix(sep0, this.hi));
    let sep = sep0;
    for (;;) {
      if (depth === 0) {
        const root = new BNode<V>(false, [sep], NO_DOUBLES, 0, [], [node, right]);
        refreshInternal(root);
        this.root = root;
        return;
      }
      depth--;
      const parent = this.pathNode[depth];
      const idx = this.pathIdx[depth];
      insertAt(parent.keys, idx, sep);
      insertAt(parent.kids, idx + 1, right);
      if (parent.kids.length <= this.maxKids) {
        fitSeparator(parent, idx, true);
        return;
      }
      // Internal split: the middle separator moves up instead of being copied.
      const h = parent.kids.length >> 1;
      sep = parent.keys[h - 1];
      if (depth > 0) this.findBounds(depth - 1, this.pathIdx[depth - 1], this.pathIdx[depth - 1]);
      else this.lo = this.hi = undefined;
      right = new BNode<V>(
        false,
        parent.keys.slice(h),
        NO_DOUBLES,
        rangePrefix(sep, this.hi),
        [],
        parent.kids.slice(h),
      );
      parent.keys.length = h - 1;
      parent.kids.length = h;
      parent.p = rangePrefix(this.lo, sep);
      refreshInternal(parent);
      refreshInternal(right);
      node = parent;
    }
  }

  /** Restores minimum occupancy above an underfull node by redistributing or merging, using the recorded path. */
  private rebalance(node: BNode<V>, depth: number): void {
    let leaf = node.leaf;
    for (;;) {
      const level = depth - 1;
      const parent = this.pathNode[level];
      const idx = this.pathIdx[level];
      // Pair with the left sibling; the leftmost child pairs with its right sibling.
      const li = idx > 0 ? idx - 1 : idx;
      this.findBounds(level, li, li + 1);
      if (leaf) this.fixLeaves(parent, li);
      else this.fixInternals(parent, li);
      depth = level;
      if (depth === 0) {
        // The root may have lost its last separator: its only child becomes the root.
        if (parent.kids.length === 1) this.root = parent.kids[0];
        return;
      }
      if (parent.kids.length >= this.minKids) return;
      leaf = false;
    }
  }

  /** Merges leaves li and li+1 of parent, or evens out their keys (bounds of the pair in this.lo/hi). */
  private fixLeaves(parent: BNode<V>, li: number): void {
    const left = parent.kids[li];
    const right = parent.kids[li + 1];
    if (left.dead > 0) compact(left);
    if (right.dead > 0) compact(right);
    const nl = left.keys.length;
    const nr = right.keys.length;
    if (nl + nr <= this.maxLeaf) {
      const p = rangePrefix(this.lo, this.hi);
      reslice(left, p);
      reslice(right, p);
      for (let j = 0; j < nr; j++) {
        left.keys.push(right.keys[j]);
        left.sl.push(right.sl[j]);
        left.vals.push(right.vals[j]);
      }
      left.next = right.next;
      removeSeparator(parent, li);
      removeAt(parent.kids, li + 1);
      return;
    }
    const target = (nl + nr) >> 1;
    let sep: string;
    if (nl > target) {
      // Move left's tail to the front of right.
      sep = left.keys[target];
      const pr = rangePrefix(sep, this.hi);
      convertSlices(left.keys, left.sl, target, nl, left.p, pr);
      reslice(right, pr);
      right.keys = left.keys.splice(target).concat(right.keys);
      right.sl = left.sl.splice(target).concat(right.sl);
      right.vals = left.vals.splice(target).concat(right.vals);
      reslice(left, rangePrefix(this.lo, sep));
    } else {
      // Move right's head to the end of left.
      const n = target - nl;
      sep = right.keys[n];
      const pl = rangePrefix(this.lo, sep);
      convertSlices(right.keys, right.sl, 0, n, right.p, pl);
      reslice(left, pl);
      for (let j = 0; j < n; j++) {
        left.keys.push(right.keys[j]);
        left.sl.push(right.sl[j]);
        left.vals.push(right.vals[j]);
      }
      right.keys.splice(0, n);
      right.sl.splice(0, n);
      right.vals.splice(0, n);
      reslice(right, rangePrefix(sep, this.hi));
    }
    parent.keys[li] = sep;
    fitSeparator(parent, li, false);
  }

  /** Merges internal nodes li and li+1 of parent through their separator, or evens them out. */
  private fixInternals(parent: BNode<V>, li: number): void {
    const left = parent.kids[li];
    const right = parent.kids[li + 1];
    // Rare (once per ~nodeSize/2 leaf merges), so join both around the parent separator,
    // split again if needed, and recompute slices from scratch.
    const keys = left.keys.concat([parent.keys[li]], right.keys);
    const kids = left.kids.concat(right.kids);
    if (kids.length <= this.maxKids) {
      left.keys = keys;
      left.kids = kids;
      left.p = rangePrefix(this.lo, this.hi);
      refreshInternal(left);
      removeSeparator(parent, li);
      removeAt(parent.kids, li + 1);
      return;
    }
    const h = kids.length >> 1;
    const sep = keys[h - 1];
    left.keys = keys.slice(0, h - 1);
    left.kids = kids.slice(0, h);
    left.p = rangePrefix(this.lo, sep);
    right.keys = keys.slice(h);
    right.kids = kids.slice(h);
    right.p = rangePrefix(sep, this.hi);
    refreshInternal(left);
    refreshInternal(right);
    parent.keys[li] = sep;
    fitSeparator(parent, li, false);
  }

  /**
   * Verifies the structure (order, separators, slices, occupancy, equal leaf depth, leaf links,
   * size) and throws on the first violation. O(n); for tests.
   */
  checkInvariants(): void {
    const leaves: BNode<V>[] = [];
    let leafDepth = -1;
    let counted = 0;
    const walk = (node: BNode<V>, lo: string | undefined, hi: string | undefined, depth: number): void => {
      const isRoot = node === this.root;
      if (node.p > rangePrefix(lo, hi)) throw new Error(`prefix ${node.p} longer than the range's at depth ${depth}`);
      if (node.sl.length !== node.keys.length) throw new Error("keys and slices differ in length");
      if (!node.leaf && node.sl2.length !== node.keys.length)
        throw new Error("keys and second slices differ in length");
      for (let i = 0; i < node.keys.length; i++) {
        const k = node.keys[i];
        if (i > 0 && !(node.keys[i - 1] < k)) throw new Error(`keys out of order at depth ${depth}`);
        if (lo !== undefined && k < lo) throw new Error(`key below its lower separator at depth ${depth}`);
        if (hi !== undefined && !(k < hi)) throw new Error(`key not below its upper separator at depth ${depth}`);
        if (node.leaf && node.sl[i] !== keySlice(k, node.p)) throw new Error(`stale slice at depth ${depth}`);
        if (!node.leaf) {
          sliceExact = true;
          if (node.sl[i] !== keySlice(k, node.q)) throw new Error(`stale slice at depth ${depth}`);
          if (node.two && !sliceExact) throw new Error(`non-byte window in a two-window node at depth ${depth}`);
          if (node.sl2[i] !== keySlice(k, node.q + W)) throw new Error(`stale second slice at depth ${depth}`);
          for (let c = 0, off = node.p; off < node.q; c++, off += W) {
            const len = node.q - off < W ? node.q - off : W;
            if (keyDigits(k, off, len) !== node.pre[c])
              throw new Error(`separator off the node prefix at depth ${depth}`);
          }
        }
      }
      if (node.leaf) {
        if (node.vals.length !== node.keys.length) throw new Error("leaf keys and values differ in length");
        if (node.keys.length > this.maxLeaf) throw new Error("leaf overfull");
        let dead = 0;
        for (const v of node.vals) if (v === TOMB) dead++;
        if (dead !== node.dead) throw new Error(`leaf counts ${node.dead} deleted slots, holds ${dead}`);
        if (!isRoot && node.keys.length - dead < this.minLeaf) throw new Error("leaf underfull");
        if (leafDepth < 0) leafDepth = depth;
        else if (leafDepth !== depth) throw new Error("leaves at different depths");
        counted += node.keys.length - dead;
        leaves.push(node);
        return;
      }
      if (node.kids.length !== node.keys.length + 1) throw new Error("internal node has wrong child count");
      if (node.kids.length > this.maxKids) throw new Error("internal node overfull");
      if (!isRoot && node.kids.length < this.minKids) throw new Error("internal node underfull");
      if (isRoot && node.kids.length < 2) throw new Error("internal root with one child");
      for (let i = 0; i < node.kids.length; i++) {
        walk(node.kids[i], i > 0 ? node.keys[i - 1] : lo, i < node.keys.length ? node.keys[i] : hi, depth + 1);
      }
    };
    walk(this.root, undefined, undefined, 0);
    if (counted !== this.count) throw new Error(`size ${this.count} but ${counted} keys in leaves`);
    for (let i = 0; i < leaves.length; i++) {
      if (leaves[i].next !== (i + 1 < leaves.length ? leaves[i + 1] : null)) throw new Error("broken leaf link");
    }
  }
}

/** First index i with keys[i] >= key (keys.length if none), by string compares only. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

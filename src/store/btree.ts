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
  const n = s.length;
  const e = p + W;
  let v = 0;
  for (let j = p; j < e; j++) {
    if (j >= n) return v * POW[e - j];
    const c = s.charCodeAt(j);
    if (c > 0xff) {
      // Clamp to the top digit and fill the rest with top digits, so every key with this
      // prefix ties and falls back to a string compare.
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

/** One tree node. Leaves and internal nodes share one class so every access site stays monomorphic. */
class BNode<V> {
  /** Leaf: the keys, ascending. Internal: separators; kids[i] holds keys in [keys[i-1], keys[i]). */
  keys: string[];
  /** keySlice(keys[i], p) for every i. */
  sl: number[];
  /**
   * Every key in this node's range (bounded by the nearest separators above it) shares its
   * first p chars. Bounded on both sides, p = LCP(bounds); on the tree's outer edges, 0.
   */
  p: number;
  /** Leaf only: the values, parallel to keys. */
  vals: V[];
  /** Internal only: the children (one more than keys). */
  kids: BNode<V>[];
  /** Leaf only: the next leaf in key order. */
  next: BNode<V> | null;
  readonly leaf: boolean;

  constructor(leaf: boolean, keys: string[], sl: number[], p: number, vals: V[], kids: BNode<V>[]) {
    this.leaf = leaf;
    this.keys = keys;
    this.sl = sl;
    this.p = p;
    this.vals = vals;
    this.kids = kids;
    this.next = null;
  }
}

/** Index of the child of internal `node` whose range holds `key` (first separator > key). */
function childIndex<V>(node: BNode<V>, key: string): number {
  const p = node.p;
  sliceExact = true;
  const ss = keySlice(key, p);
  // The key ends inside the window: equal slices then mean equal keys, no string compare.
  const exact = sliceExact && key.length < p + W;
  const sl = node.sl;
  let lo = 0;
  let hi = sl.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = sl[mid];
    if (ss < m || (ss === m && !exact && key < node.keys[mid])) hi = mid;
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
  /** Maximum keys per leaf (>= 4); default nodeSize. */
  leafSize?: number;
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
    const leafSize = options.leafSize ?? size;
    this.maxLeaf = leafSize;
    this.maxKids = size;
    this.minLeaf = leafSize >> 1;
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
    return i >= 0 ? node.vals[i] : undefined;
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    let node = this.root;
    while (!node.leaf) node = node.kids[childIndex(node, key)];
    return leafFind(node, key) >= 0;
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
      node.vals[i] = value;
      return false;
    }
    i = ~i;
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
    if (i < 0) return false;
    removeAt(node.keys, i);
    removeNum(node.sl, i);
    removeAt(node.vals, i);
    this.count--;
    // Separators stay valid bounds when a leaf's first key goes, so only an underflow touches
    // the parents.
    if (node.keys.length < this.minLeaf && depth > 0) this.rebalance(node, depth);
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
      const vals: V[] = leaf.vals;
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
        n++;
        if (visit(keys[i], vals[i]) === false || n >= max) return n;
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
    const i = leafFind(leaf, start);
    let n = -(i < 0 ? ~i : i);
    while (leaf !== null) {
      const keys = leaf.keys;
      const len = keys.length;
      if (!noEnd && len > 0 && !(keys[len - 1] < stop)) return n + lowerBound(keys, stop);
      n += len;
      leaf = leaf.next;
    }
    return n;
  }

  /** The smallest key, or undefined when empty. */
  first(): string | undefined {
    let node = this.root;
    while (!node.leaf) node = node.kids[0];
    return node.keys.length > 0 ? node.keys[0] : undefined;
  }

  /** The largest key, or undefined when empty. */
  last(): string | undefined {
    let node = this.root;
    while (!node.leaf) node = node.kids[node.kids.length - 1];
    return node.keys.length > 0 ? node.keys[node.keys.length - 1] : undefined;
  }

  /** The smallest key >= `key`, or undefined. */
  ceilingKey(key: string): string | undefined {
    let leaf: BNode<V> | null = this.root;
    while (!leaf.leaf) leaf = leaf.kids[childIndex(leaf, key)];
    let i = leafFind(leaf, key);
    if (i < 0) i = ~i;
    if (i < leaf.keys.length) return leaf.keys[i];
    // Past the end of this leaf: the answer is the next non-empty leaf's first key.
    for (leaf = leaf.next; leaf !== null; leaf = leaf.next) if (leaf.keys.length > 0) return leaf.keys[0];
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
        const sl = doubles();
        sl.push(keySlice(sep, 0));
        this.root = new BNode<V>(false, [sep], sl, 0, [], [node, right]);
        return;
      }
      depth--;
      const parent = this.pathNode[depth];
      const idx = this.pathIdx[depth];
      insertAt(parent.keys, idx, sep);
      insertNum(parent.sl, idx, keySlice(sep, parent.p));
      insertAt(parent.kids, idx + 1, right);
      if (parent.kids.length <= this.maxKids) return;
      // Internal split: the middle separator moves up instead of being copied.
      const h = parent.kids.length >> 1;
      sep = parent.keys[h - 1];
      if (depth > 0) this.findBounds(depth - 1, this.pathIdx[depth - 1], this.pathIdx[depth - 1]);
      else this.lo = this.hi = undefined;
      right = new BNode<V>(false, parent.keys.slice(h), parent.sl.slice(h), parent.p, [], parent.kids.slice(h));
      parent.keys.length = h - 1;
      parent.sl.length = h - 1;
      parent.kids.length = h;
      reslice(parent, rangePrefix(this.lo, sep));
      reslice(right, rangePrefix(sep, this.hi));
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
      removeAt(parent.keys, li);
      removeNum(parent.sl, li);
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
    parent.sl[li] = keySlice(sep, parent.p);
  }

  /** Merges internal nodes li and li+1 of parent through their separator, or evens them out. */
  private fixInternals(parent: BNode<V>, li: number): void {
    const left = parent.kids[li];
    const right = parent.kids[li + 1];
    // Rare (once per ~nodeSize/2 leaf merges), so simply bring both to the pair's common prefix,
    // join them around the parent separator, and split again if needed.
    const p = rangePrefix(this.lo, this.hi);
    reslice(left, p);
    reslice(right, p);
    const mid = parent.keys[li];
    const keys = left.keys.concat([mid], right.keys);
    const sl = left.sl.concat([keySlice(mid, p)], right.sl);
    const kids = left.kids.concat(right.kids);
    if (kids.length <= this.maxKids) {
      left.keys = keys;
      left.sl = sl;
      left.kids = kids;
      removeAt(parent.keys, li);
      removeNum(parent.sl, li);
      removeAt(parent.kids, li + 1);
      return;
    }
    const h = kids.length >> 1;
    const sep = keys[h - 1];
    left.keys = keys.slice(0, h - 1);
    left.sl = sl.slice(0, h - 1);
    left.kids = kids.slice(0, h);
    right.keys = keys.slice(h);
    right.sl = sl.slice(h);
    right.kids = kids.slice(h);
    reslice(left, rangePrefix(this.lo, sep));
    reslice(right, rangePrefix(sep, this.hi));
    parent.keys[li] = sep;
    parent.sl[li] = keySlice(sep, parent.p);
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
      for (let i = 0; i < node.keys.length; i++) {
        const k = node.keys[i];
        if (i > 0 && !(node.keys[i - 1] < k)) throw new Error(`keys out of order at depth ${depth}`);
        if (lo !== undefined && k < lo) throw new Error(`key below its lower separator at depth ${depth}`);
        if (hi !== undefined && !(k < hi)) throw new Error(`key not below its upper separator at depth ${depth}`);
        if (node.sl[i] !== keySlice(k, node.p)) throw new Error(`stale slice at depth ${depth}`);
      }
      if (node.leaf) {
        if (node.vals.length !== node.keys.length) throw new Error("leaf keys and values differ in length");
        if (node.keys.length > this.maxLeaf) throw new Error("leaf overfull");
        if (!isRoot && node.keys.length < this.minLeaf) throw new Error("leaf underfull");
        if (leafDepth < 0) leafDepth = depth;
        else if (leafDepth !== depth) throw new Error("leaves at different depths");
        counted += node.keys.length;
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

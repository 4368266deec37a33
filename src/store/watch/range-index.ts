/** Watchers that share one key range; a range index stores one entry per distinct range. */
export interface RangeGroup<T> {
  readonly start: string;
  /** Exclusive end; undefined = unbounded. */
  readonly end: string | undefined;
  /** Members in insertion order (an array: iterating it is the fan-out's inner loop). */
  readonly list: T[];
  readonly at: Map<T, number>;
}

/**
 * Which ranges contain a key, for watch fan-out whose cost must follow the number of matching
 * watchers, not all watchers (etcd keeps an interval tree for the same purpose). Watchers with
 * identical ranges share a group (every apiserver watches the same resource prefixes); the
 * distinct ranges are cut into elementary intervals between their endpoints, each listing the
 * groups that cover it, so a lookup is one binary search. The table is rebuilt lazily after a
 * distinct range appears or disappears, which is rare next to event traffic.
 */
export class RangeIndex<T> {
  private readonly groups = new Map<string, RangeGroup<T>>();
  private dirty = false;
  private bounds: string[] = [];
  private cover: RangeGroup<T>[][] = [];

  /** Adds `item` to the range [start, end). */
  add(start: string, end: string | undefined, item: T): void {
    const id = groupId(start, end);
    let g = this.groups.get(id);
    if (g === undefined) {
      g = { start, end, list: [], at: new Map() };
      this.groups.set(id, g);
      this.dirty = true;
    }
    if (g.at.has(item)) return;
    g.at.set(item, g.list.length);
    g.list.push(item);
  }

  /** Removes `item` from the range [start, end). */
  remove(start: string, end: string | undefined, item: T): void {
    const id = groupId(start, end);
    const g = this.groups.get(id);
    if (g === undefined) return;
    const i = g.at.get(item);
    if (i === undefined) return;
    // Remove keeping order: watchers must receive a revision in the order they were added.
    g.list.splice(i, 1);
    g.at.delete(item);
    for (let j = i; j < g.list.length; j++) g.at.set(g.list[j] as T, j);
    if (g.list.length === 0) {
      this.groups.delete(id);
      this.dirty = true;
    }
  }

  /** The groups whose range contains `key` (empty array if none). Do not mutate the result. */
  lookup(key: string): readonly RangeGroup<T>[] {
    if (this.dirty) this.rebuild();
    const b = this.bounds;
    // Last bound <= key.
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b[mid] as string) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? EMPTY : (this.cover[lo - 1] as RangeGroup<T>[]);
  }

  /** Number of distinct ranges. */
  get size(): number {
    return this.groups.size;
  }

  private rebuild(): void {
    const set = new Set<string>();
    for (const g of this.groups.values()) {
      set.add(g.start);
      if (g.end !== undefined) set.add(g.end);
    }
    const bounds = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const index = new Map<string, number>();
    for (let i = 0; i < bounds.length; i++) index.set(bounds[i] as string, i);
    const cover: RangeGroup<T>[][] = bounds.map(() => []);
    // Groups in a fixed order (by bounds) so fan-out order never depends on insertion history.
    const groups = [...this.groups.values()].sort(
      (x, y) => cmp(x.start, y.start) || cmp(x.end ?? "\uffff", y.end ?? "\uffff"),
    );
    for (const g of groups) {
      const from = index.get(g.start) as number;
      const to = g.end === undefined ? bounds.length : (index.get(g.end) as number);
      for (let i = from; i < to; i++) (cover[i] as RangeGroup<T>[]).push(g);
    }
    this.bounds = bounds;
    this.cover = cover;
    this.dirty = false;
  }
}

const EMPTY: readonly never[] = [];

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Byte strings only hold chars 0-255, so U+0100 cannot occur in a key and separates safely.
function groupId(start: string, end: string | undefined): string {
  return end === undefined ? `${start}\u0100*` : `${start}\u0100${end}`;
}

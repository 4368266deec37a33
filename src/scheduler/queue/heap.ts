/** A binary heap with positions stored on the items, so arbitrary items can be removed or fixed. */
export interface HeapItem {
  heapIndex: number;
}

export class IndexedHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(x: T): void {
    x.heapIndex = this.items.length;
    this.items.push(x);
    this.up(x.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top === undefined) return undefined;
    this.removeAt(0);
    return top;
  }

  remove(x: T): boolean {
    const i = x.heapIndex;
    if (i < 0 || this.items[i] !== x) return false;
    this.removeAt(i);
    return true;
  }

  /** Restores order after x's key changed. */
  fix(x: T): void {
    const i = x.heapIndex;
    if (i < 0 || this.items[i] !== x) return;
    this.up(i);
    this.down(x.heapIndex);
  }

  has(x: T): boolean {
    return x.heapIndex >= 0 && this.items[x.heapIndex] === x;
  }

  /** Items in heap order (not sorted). */
  values(): readonly T[] {
    return this.items;
  }

  private removeAt(i: number): void {
    const last = this.items.pop() as T;
    const removed = this.items[i];
    if (removed !== undefined) removed.heapIndex = -1;
    if (i < this.items.length) {
      this.items[i] = last;
      last.heapIndex = i;
      this.up(i);
      this.down(last.heapIndex);
    } else {
      last.heapIndex = -1;
    }
  }

  private up(i: number): void {
    const items = this.items;
    const x = items[i] as T;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const px = items[p] as T;
      if (!this.less(x, px)) break;
      items[i] = px;
      px.heapIndex = i;
      i = p;
    }
    items[i] = x;
    x.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const x = items[i] as T;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(items[r] as T, items[l] as T)) c = r;
      const cx = items[c] as T;
      if (!this.less(cx, x)) break;
      items[i] = cx;
      cx.heapIndex = i;
      i = c;
    }
    items[i] = x;
    x.heapIndex = i;
  }
}

/**
 * The kernel arena: one shared WebAssembly.Memory carved into the typed arrays the fused
 * WebAssembly pass (wasm-kernel.ts) reads and writes: the node table's rows and scan order and
 * the scan buffers, so the pass works on them in place and worker threads see the same bytes.
 * Regions are bump-allocated from a top kept in the memory itself (any thread can allocate its
 * own scratch) and never freed: tables and buffers grow by doubling, so at most as much again
 * is left behind.
 */

/** 64 KiB WebAssembly pages. */
const PAGE = 65536;
/** Shared memories need a maximum: 1 GiB (a 100,000-node table and its buffers take ~40 MB). */
const MAX_PAGES = 16384;
/** Bytes 0..63 hold the allocation top (an Int32 at 0). */
const HEAD = 64;

export class KernelArena {
  readonly memory: WebAssembly.Memory;
  private readonly head: Int32Array;
  /** The buffers this thread's views were made on (a view is in the arena iff its buffer is). */
  private readonly mine = new WeakSet<object>();

  private constructor(memory: WebAssembly.Memory, fresh: boolean) {
    this.memory = memory;
    this.head = new Int32Array(memory.buffer, 0, 1);
    if (fresh) Atomics.store(this.head, 0, HEAD);
  }

  /** A new arena of at least `initialBytes`. */
  static create(initialBytes = 1 << 20): KernelArena {
    const memory = new WebAssembly.Memory({
      initial: Math.min(MAX_PAGES, Math.max(1, Math.ceil(initialBytes / PAGE))),
      maximum: MAX_PAGES,
      shared: true,
    });
    return new KernelArena(memory, true);
  }

  /** The same arena seen from another thread (its memory arrived in a message). */
  static attach(memory: WebAssembly.Memory): KernelArena {
    return new KernelArena(memory, false);
  }

  /** A zeroed, 64-byte aligned region of `bytes`; returns its byte offset. */
  alloc(bytes: number): number {
    const size = Math.ceil(Math.max(bytes, 8) / 64) * 64;
    const at = Atomics.add(this.head, 0, size);
    const end = at + size;
    for (;;) {
      const have = this.memory.buffer.byteLength;
      if (end <= have) return at;
      const cur = have / PAGE;
      const need = Math.ceil((end - have) / PAGE);
      if (cur + need > MAX_PAGES) {
        throw new Error(`kernel arena: ${end} bytes needed, above its ${MAX_PAGES * PAGE}-byte maximum`);
      }
      // Double (amortised growth), at least by what is needed. Another thread may grow the
      // memory at the same moment: then this grow can fail and the loop looks again.
      try {
        this.memory.grow(Math.min(Math.max(need, cur), MAX_PAGES - cur));
      } catch (e) {
        if (this.memory.buffer.byteLength === have) throw e;
      }
    }
  }

  /** A view of `length` doubles at byte offset `at`. */
  f64At(at: number, length: number): Float64Array {
    const buffer = this.memory.buffer;
    this.mine.add(buffer);
    return new Float64Array(buffer, at, length);
  }

  /** A view of `length` ints at byte offset `at`. */
  i32At(at: number, length: number): Int32Array {
    const buffer = this.memory.buffer;
    this.mine.add(buffer);
    return new Int32Array(buffer, at, length);
  }

  /** A new zeroed Float64Array region. */
  f64(length: number): Float64Array {
    return this.f64At(this.alloc(length * 8), length);
  }

  /** A new zeroed Int32Array region. */
  i32(length: number): Int32Array {
    return this.i32At(this.alloc(length * 4), length);
  }

  /** Whether a typed array is a view into this arena made on this thread. */
  owns(a: Float64Array | Int32Array): boolean {
    return this.mine.has(a.buffer);
  }
}

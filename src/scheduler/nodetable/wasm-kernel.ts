/**
 * The WebAssembly build of the fused filter/score pass (fused.wat): one instance per arena and
 * thread, with its own scratch (parameter block, taint tables) in the arena.
 */
import type { KernelArena } from "./arena.js";
import { FUSED_WASM_BASE64 } from "./fused-wasm.js";

type ScanFn = (...args: number[]) => number;

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled module (once per thread), or null where this engine cannot compile it (no
 * WebAssembly SIMD or shared memory): then the JavaScript pass runs, with the same results.
 */
function fusedModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(new Uint8Array(Buffer.from(FUSED_WASM_BASE64, "base64")));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** One arena's instance of the fused pass and its scratch. */
export class FusedWasm {
  readonly scan: ScanFn;
  /** kernel.ts FUSED_PARAMS, copied per call. */
  readonly params: Float64Array;
  taintF: Int32Array;
  taintS: Int32Array;

  constructor(
    private readonly arena: KernelArena,
    mod: WebAssembly.Module,
  ) {
    const inst = new WebAssembly.Instance(mod, { env: { memory: arena.memory } });
    this.scan = inst.exports.scan as ScanFn;
    this.params = arena.f64(32);
    this.taintF = arena.i32(64);
    this.taintS = arena.i32(64);
  }

  /** Copies the program's two per-taint-set tables into the instance's scratch. */
  setTaint(pi: Int32Array, fAt: number, fLen: number, sAt: number, sLen: number): void {
    if (fLen > this.taintF.length) this.taintF = this.arena.i32(Math.max(fLen, this.taintF.length * 2));
    if (sLen > this.taintS.length) this.taintS = this.arena.i32(Math.max(sLen, this.taintS.length * 2));
    // Element by element: subarray views would allocate on every scan.
    const f = this.taintF;
    const s = this.taintS;
    for (let i = 0; i < fLen; i++) f[i] = pi[fAt + i] as number;
    for (let i = 0; i < sLen; i++) s[i] = pi[sAt + i] as number;
  }
}

const instances = new WeakMap<KernelArena, FusedWasm>();

/** This thread's instance for an arena, or undefined when the module cannot run here. */
export function fusedFor(arena: KernelArena): FusedWasm | undefined {
  let k = instances.get(arena);
  if (k === undefined) {
    const mod = fusedModule();
    if (mod === null) return undefined;
    k = new FusedWasm(arena, mod);
    instances.set(arena, k);
  }
  return k;
}

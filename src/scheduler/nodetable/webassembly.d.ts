// The part of the WebAssembly JavaScript API the kernel uses. TypeScript declares it only in
// its DOM library, which this Node-only project does not load.
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Global {
    value: number;
  }
  type ExportValue = ((...args: number[]) => number) | Global | Memory;
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, Memory>>);
    readonly exports: Record<string, ExportValue>;
  }
}

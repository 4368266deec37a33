/** The Kubernetes object layer: types, quantities, selectors, scheduling helpers, defaults, sizes. */
export * from "./defaults.js";
export * from "./field-selector.js";
export * from "./labels.js";
export * from "./node-affinity.js";
export * from "./pod-resources.js";
export * from "./quantity.js";
export * from "./registry-key.js";
export * from "./resources.js";
export * from "./size.js";
export * from "./taints.js";
export * from "./time.js";
export type * from "./types/index.js";
export * from "./validation.js";

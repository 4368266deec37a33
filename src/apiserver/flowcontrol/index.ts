// Flow control of the simulated kube-apiserver: API Priority and Fairness and max-in-flight.
export { ApfFlowControl, type ApfOptions, BORROWING_PERIOD_US } from "./apf.js";
export {
  CATCH_ALL,
  defaultApfConfig,
  EXEMPT,
  mandatoryFlowSchemas,
  mandatoryPriorityLevels,
  suggestedFlowSchemas,
  suggestedPriorityLevels,
} from "./bootstrap.js";
export { type AllocItem, computeConcurrencyAllocation } from "./conc-alloc.js";
export { type ResolvedApfConfig, resolveApfConfig } from "./config.js";
export { MAX_IN_FLIGHT_RETRY_AFTER_S, MaxInFlight, type MaxInFlightOptions } from "./max-in-flight.js";
export { Dealer, hashFlowId, MAX_HASH_BITS, requiredEntropyBits } from "./shuffle-sharding.js";
export type * from "./types.js";
export { type WorkEstimate, WorkEstimator, type WorkEstimatorOptions } from "./work-estimator.js";

// The allocation problem behind APF's borrowing between priority levels, as upstream
// staging/src/k8s.io/apiserver/pkg/util/flowcontrol/conc_alloc.go (computeConcurrencyAllocation)
// states it: split `requiredSum` seats among classes so that each gets
// clamp(fairProp x target, lowerBound, upperBound) for one common fairProp.

export interface AllocItem {
  target: number;
  lowerBound: number;
  upperBound: number;
}

/** Targets below this are raised to it, to avoid dividing by zero (upstream MinTarget). */
export const MIN_TARGET = 0.001;
const EPSILON = 0.0000001;

/**
 * Returns allocations summing to `requiredSum` where every class gets its target scaled by one
 * common factor `fairProp`, clamped to its bounds; throws if the bounds make that impossible.
 * Requires target >= lowerBound >= 0 and upperBound >= lowerBound for every class.
 */
export function computeConcurrencyAllocation(
  requiredSum: number,
  classes: readonly AllocItem[],
): { allocs: number[]; fairProp: number } {
  if (requiredSum < 0) throw new RangeError("negative sums are not supported");
  let lowSum = 0;
  let highSum = 0;
  let targetSum = 0;
  let ubMin = Number.POSITIVE_INFINITY;
  let lbMin = Number.POSITIVE_INFINITY;
  let lbMax = Number.NEGATIVE_INFINITY;
  const n = classes.length;
  const targets = new Float64Array(n);
  const relLower = new Float64Array(n);
  const relUpper = new Float64Array(n);
  classes.forEach((item, idx) => {
    if (item.lowerBound < 0) throw new RangeError(`lower bound ${idx} is ${item.lowerBound}, negative`);
    if (item.target < item.lowerBound) {
      throw new RangeError(`target ${idx} is ${item.target}, below its lower bound ${item.lowerBound}`);
    }
    if (item.upperBound < item.lowerBound) {
      throw new RangeError(`upper bound ${idx} is ${item.upperBound}, below the lower bound ${item.lowerBound}`);
    }
    const target = item.target < MIN_TARGET ? MIN_TARGET : item.target;
    lowSum += item.lowerBound;
    highSum += item.upperBound;
    targetSum += target;
    targets[idx] = target;
    relLower[idx] = item.lowerBound / target;
    relUpper[idx] = item.upperBound / target;
    ubMin = Math.min(ubMin, relUpper[idx] as number);
    lbMin = Math.min(lbMin, relLower[idx] as number);
    lbMax = Math.max(lbMax, relLower[idx] as number);
  });
  if (lbMax > 1) throw new RangeError(`a relative lower bound is ${lbMax} > 1, impossible`);
  if (lowSum - requiredSum > EPSILON) throw new RangeError(`lower bounds sum to ${lowSum} > ${requiredSum}`);
  if (requiredSum - highSum > EPSILON) throw new RangeError(`upper bounds sum to ${highSum} < ${requiredSum}`);
  const allocs = new Array<number>(n).fill(0);
  if (requiredSum === 0) return { allocs, fairProp: 0 };
  if (lowSum - requiredSum > -EPSILON) {
    // No wiggle room: everyone gets the lower bound.
    classes.forEach((c, i) => {
      allocs[i] = c.lowerBound;
    });
    return { allocs, fairProp: lbMin };
  }
  if (requiredSum - highSum > -EPSILON) {
    let ubMax = Number.NEGATIVE_INFINITY;
    classes.forEach((c, i) => {
      allocs[i] = c.upperBound;
      ubMax = Math.max(ubMax, relUpper[i] as number);
    });
    return { allocs, fairProp: ubMax };
  }
  let fairProp = requiredSum / targetSum;
  if (lbMax <= fairProp && fairProp <= ubMin) {
    // No bound matters.
    for (let i = 0; i < n; i++) allocs[i] = (targets[i] as number) * fairProp;
    return { allocs, fairProp };
  }
  // Some bounds matter: walk the sorted relative bounds upwards from the lowest lower bound,
  // tracking which classes are still proportional ("sensitive") to fairProp.
  // Packed index 2k is class k's lower bound, 2k+1 its upper bound. Sorted by value, ties by
  // packed index, so the walk is deterministic (upstream uses an unstable sort; ties do not
  // change the result).
  const order = Array.from({ length: 2 * n }, (_, i) => i);
  const bound = (p: number) => ((p & 1) === 0 ? relLower[p >> 1] : relUpper[p >> 1]) as number;
  order.sort((a, b) => bound(a) - bound(b) || a - b);
  let sumSoFar = lowSum;
  fairProp = lbMin;
  let sensitiveTargetSum = 0;
  let deltaSensitiveTargetSum = 0;
  let numSensitive = 0;
  let deltaSensitive = 0;
  let nextIdx = 0;
  while (sumSoFar < requiredSum) {
    let nextBound = 0;
    for (;;) {
      sensitiveTargetSum += deltaSensitiveTargetSum;
      numSensitive += deltaSensitive;
      if (nextIdx >= order.length) throw new RangeError("ran out of bounds in a bound-constrained allocation");
      const p = order[nextIdx] as number;
      nextBound = bound(p);
      const t = targets[p >> 1] as number;
      if ((p & 1) === 0) {
        deltaSensitive = 1;
        deltaSensitiveTargetSum = t;
      } else {
        deltaSensitive = -1;
        deltaSensitiveTargetSum = -t;
      }
      nextIdx++;
      if (nextBound > fairProp) break;
    }
    if (numSensitive === 0) {
      fairProp = nextBound;
      continue;
    }
    const nextProp = fairProp + (requiredSum - sumSoFar) / sensitiveTargetSum;
    if (nextProp <= nextBound) {
      fairProp = nextProp;
      break;
    }
    sumSoFar += (nextBound - fairProp) * sensitiveTargetSum;
    fairProp = nextBound;
  }
  classes.forEach((c, i) => {
    allocs[i] = Math.max(c.lowerBound, Math.min(c.upperBound, fairProp * (targets[i] as number)));
  });
  return { allocs, fairProp };
}

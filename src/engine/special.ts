// Numerical helpers for distributions: the standard normal CDF and its inverse.

/** Standard normal quantile (inverse CDF), accurate to ~1e-15 after one Halley refinement. */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  // Acklam's rational approximation (relative error 1.15e-9) ...
  const a1 = -39.69683028665376;
  const a2 = 220.9460984245205;
  const a3 = -275.9285104469687;
  const a4 = 138.357751867269;
  const a5 = -30.66479806614716;
  const a6 = 2.506628277459239;
  const b1 = -54.47609879822406;
  const b2 = 161.5858368580409;
  const b3 = -155.6989798598866;
  const b4 = 66.80131188771972;
  const b5 = -13.28068155288572;
  const c1 = -0.007784894002430293;
  const c2 = -0.3223964580411365;
  const c3 = -2.400758277161838;
  const c4 = -2.549732539343734;
  const c5 = 4.374664141464968;
  const c6 = 2.938163982698783;
  const d1 = 0.007784695709041462;
  const d2 = 0.3224671290700398;
  const d3 = 2.445134137142996;
  const d4 = 3.754408661907416;
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q) /
      (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1);
  }
  // ... refined with one step of Halley's method against the exact CDF.
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Complementary error function (W. J. Cody's rational approximations, ~1e-16 relative). */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 0.5) {
    return 1 - erfSmall(x);
  }
  if (ax < 4) {
    const p = [
      300.4592610201616, 451.9189537118729, 339.3208167343437, 152.9892850469404, 43.16222722205674, 7.21175825088309,
      0.5641955174789739, -1.368648573827167e-7,
    ];
    const q = [
      300.4592609569833, 790.9509253278981, 931.3540948506096, 638.9802644656312, 277.5854447439876, 77.00015293522947,
      12.78272731962942, 1,
    ];
    let num = p[7] as number;
    let den = q[7] as number;
    for (let i = 6; i >= 0; i--) {
      num = num * ax + (p[i] as number);
      den = den * ax + (q[i] as number);
    }
    r = (num / den) * expSquared(ax);
  } else {
    const p = [
      -0.002996107077035422, -0.04947309106232507, -0.22695659353968692, -0.2786613086096478, -0.02231924597341847,
    ];
    const q = [0.010620923052846792, 0.19130892610782985, 1.051675107067932, 1.9873320181713525, 1];
    const z = 1 / (ax * ax);
    let num = p[4] as number;
    let den = q[4] as number;
    for (let i = 3; i >= 0; i--) {
      num = num * z + (p[i] as number);
      den = den * z + (q[i] as number);
    }
    r = ((1 / Math.sqrt(Math.PI) + (z * num) / den) / ax) * expSquared(ax);
  }
  return x < 0 ? 2 - r : r;
}

function erfSmall(x: number): number {
  const p = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
  const q = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
  const z = x * x;
  let num = (p[4] as number) * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + (p[i] as number)) * z;
    den = (den + (q[i] as number)) * z;
  }
  return (x * (num + (p[3] as number))) / (den + (q[3] as number));
}

// exp(-x^2) computed without losing precision for large x (Cody's splitting).
function expSquared(x: number): number {
  const xs = Math.trunc(x * 16) / 16;
  const del = (x - xs) * (x + xs);
  return Math.exp(-xs * xs) * Math.exp(-del);
}

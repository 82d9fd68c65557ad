/**
 * The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n
 * (scipy's `kstwo`), and the one-sided Smirnov tail it uses.
 */

const E128 = 2 ** 128
const EM128 = 2 ** -128
const LOG_2PI = Math.log(2 * Math.PI)
const SQRT2PI = Math.sqrt(2 * Math.PI)
const MIN_LOG = -708
const CEPHES_MINLOG = -708.3964185322641
const SQRT3 = Math.sqrt(3)
const PI2 = Math.PI ** 2
const PI4 = Math.PI ** 4
const PI6 = Math.PI ** 6
const SMIRNOV_MAX_COMPUTE_N = 1_000_000
// scipy `_STIRLING_COEFFS`, written as the doubles they round to.
const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
] as const

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p)

/** log(n! / n^n) by Stirling, as scipy `_log_nfactorial_div_n_pow_n`. */
function logFactorialDivPow(n: number): number {
  const rn = 1 / n
  let poly = 0
  for (const c of STIRLING) poly = poly * (rn / n) + c
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly
}

/** Square matrix product c = a b (m × m, row-major). */
function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const c = new Float64Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!
      if (aik === 0) continue
      for (let j = 0; j < m; j++) c[i * m + j]! += aik * b[k * m + j]!
    }
  }
  return c
}

/** P(D_n ≤ d) by the Durbin matrix, Marsaglia–Tsang–Wang variant (scipy `_kolmogn_DMTW`). */
function cdfDurbinMatrix(n: number, d: number): number {
  if (d >= 1) return 1
  const nd = n * d
  if (nd <= 0.5) return 0
  const k = Math.ceil(nd)
  const h = k - nd
  const m = 2 * k - 1
  let H: Float64Array = new Float64Array(m * m)
  const v = new Float64Array(m)
  const w = new Float64Array(m)
  let fac = 1
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac
    fac /= j
    v[j - 1] = (1 - h ** j) * fac
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m
  v[m - 1] = (1 + tt) * fac
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)]!
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r]!
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!

  let Hpwr: Float64Array = new Float64Array(m * m)
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1
  let nn = n
  let expnt = 0
  let Hexpnt = 0
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m)
      expnt += Hexpnt
    }
    H = matmul(H, H, m)
    Hexpnt *= 2
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < H.length; i++) H[i]! /= E128
      Hexpnt += 128
    }
    nn = Math.floor(nn / 2)
  }
  let p = Hpwr[(k - 1) * m + (k - 1)]!
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n
    if (Math.abs(p) < EM128) {
      p *= E128
      expnt -= 128
    }
  }
  if (expnt !== 0) p = p * 2 ** expnt
  return clip01(p)
}

function pomeranzJ1J2(
  i: number,
  n: number,
  ll: number,
  ceilf: number,
  roundf: number,
): [number, number] {
  let j1: number
  let j2: number
  if (i === 0) {
    j1 = -ll - ceilf - 1
    j2 = ll + ceilf - 1
  } else {
    const ip1div2 = Math.floor((i + 1) / 2)
    const ip1mod2 = (i + 1) % 2
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1
        j2 = n + ll + ceilf - 1
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1
        j2 = ip1div2 + ll - 1 + ceilf - 1
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1
      j2 = ip1div2 + ll + roundf - 1
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)]
}

/** P(D_n ≤ x) by the Pomeranz recursion (scipy `_kolmogn_Pomeranz`). */
function cdfPomeranz(n: number, x: number): number {
  const t = n * x
  const ll = Math.floor(t)
  const f = t - ll
  const g = Math.min(f, 1 - f)
  const ceilf = f > 0 ? 1 : 0
  const roundf = f > 0.5 ? 1 : 0
  const npwrs = 2 * (ll + 1)
  const gpower = new Float64Array(npwrs)
  const twogpower = new Float64Array(npwrs)
  const onem2gpower = new Float64Array(npwrs)
  gpower[0] = 1
  twogpower[0] = 1
  onem2gpower[0] = 1
  let expnt = 0
  const gOverN = g / n
  const twoGOverN = (2 * g) / n
  const oneMinusTwoGOverN = (1 - 2 * g) / n
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1]! * gOverN) / m
    twogpower[m] = (twogpower[m - 1]! * twoGOverN) / m
    onem2gpower[m] = (onem2gpower[m - 1]! * oneMinusTwoGOverN) / m
  }
  let V0 = new Float64Array(npwrs)
  let V1 = new Float64Array(npwrs)
  V1[0] = 1
  let V0s = 0
  let V1s = 0
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf)
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1
    ;[V0, V1] = [V1, V0]
    ;[V0s, V1s] = [V1s, V0s]
    V1.fill(0)
    ;[j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf)
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower
    const ln2 = j2 - k1 + 1
    if (ln2 > 0) {
      // Full convolution of a = V0[k1-V0s : k1-V0s+ln2] with b = pwrs[:ln2]; only the entries
      // [j1-k1, j2-k1] are kept (numpy.convolve followed by a slice in scipy).
      const aStart = k1 - V0s
      const aLen = Math.min(ln2, npwrs - aStart)
      const bLen = Math.min(ln2, npwrs)
      const convStart = j1 - k1
      const convLen = j2 - j1 + 1
      let vmax = 0
      for (let q = 0; q < convLen; q++) {
        const kk = convStart + q
        let s = 0
        const lo = Math.max(0, kk - bLen + 1)
        const hi = Math.min(kk, aLen - 1)
        for (let a = lo; a <= hi; a++) s += V0[aStart + a]! * pwrs[kk - a]!
        V1[q] = s
        if (s > vmax) vmax = s
      }
      if (vmax > 0 && vmax < EM128) {
        for (let q = 0; q < npwrs; q++) V1[q]! *= E128
        expnt -= 128
      }
      V1s = V0s + j1 - k1
    }
  }
  let ans = V1[n - V1s]!
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128
      expnt += 128
    }
    ans *= m
  }
  if (expnt !== 0) ans = ans * 2 ** expnt
  return clip01(ans)
}

/** Pelz–Good asymptotic approximation of P(D_n ≤ x) (scipy `_kolmogn_PelzGood`). */
function cdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const z = Math.sqrt(n) * x
  const z2 = z ** 2
  const z3 = z ** 3
  const z4 = z ** 4
  const z6 = z ** 6
  const qlog = -PI2 / 8 / z2
  if (qlog < MIN_LOG) return 0
  let q = Math.exp(qlog)
  const k1a = -z2
  const k1b = PI2 / 4
  const k2a = 6 * z6 + 2 * z4
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4
  const k2c = (PI4 * (1 - 2 * z2)) / 16
  const k3d = (PI6 * (5 - 30 * z2)) / 64
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4
  const k3a = -30 * z6 - 90 * z ** 8
  const K = [0, 0, 0, 0]
  const maxk = Math.ceil((16 * z) / Math.PI)
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1
    const m2 = m ** 2
    const m4 = m ** 4
    const m6 = m ** 6
    const qpower = q ** (8 * k)
    const coeffs = [
      1,
      k1a + k1b * m2,
      k2a + k2b * m2 + k2c * m4,
      k3a + k3b * m2 + k3c * m4 + k3d * m6,
    ]
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coeffs[i]!
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10]
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT2PI) / div[i]!
  q = Math.exp(-PI2 / 2 / z2)
  const sqrt3z = SQRT3 * z
  let k2extra = 0
  let k3extra = 0
  for (let k = maxk; k > 0; k--) {
    const k2 = k ** 2
    const qp = q ** k2
    const kspi = Math.PI * k
    k2extra += k2 * qp
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * k2 * qp
  }
  K[2] = K[2]! + (k2extra * (PI2 * SQRT2PI)) / (-36 * z3)
  K[3] = K[3]! + (k3extra * (PI2 * SQRT2PI)) / (216 * z6)
  let total = 0
  for (let i = 0; i < 4; i++) total += K[i]! / n ** (i / 2)
  return total
}

/** Exact n·x as floor and fractional part, using an error-free product (Dekker). */
function modNX(n: number, x: number): { nxfl: number; alpha: number } {
  const p = n * x
  // Dekker's two-product: p + e == n * x exactly.
  const split = (v: number): [number, number] => {
    const c = 134217729 * v
    const hi = c - (c - v)
    return [hi, v - hi]
  }
  const [nh, nl] = split(n)
  const [xh, xl] = split(x)
  const e = nh * xh - p + nh * xl + nl * xh + nl * xl
  let fl = Math.floor(p)
  let alpha = p - fl + e
  if (alpha < 0) {
    fl -= 1
    alpha += 1
  }
  if (alpha >= 1) {
    fl += 1
    alpha = 0
  }
  return { nxfl: fl, alpha }
}

/**
 * One-sided Smirnov survival function `P(D_n^+ ≥ x)` (scipy.special `smirnov(n, x)`).
 *
 * Evaluated in double precision (scipy uses double-double), so the relative error grows like
 * `n · eps`: about 1e-12 at n = 10^4.
 *
 * ## Method
 * Birnbaum–Tingey / Smirnov sum `x Σ_{v=0}^{⌊n(1-x)⌋} C(n,v) (1-x-v/n)^{n-v} (x+v/n)^{v-1}`,
 * every term evaluated in log space, with scipy's special cases (x ≤ 1/n, x ≥ 1 - 1/n,
 * underflow, and the approximation `exp(-(6nx+1)^2 / 18n)` for n > 10^6).
 *
 * ## References
 * - Birnbaum, Z. W. & Tingey, F. H. (1951). Ann. Math. Statist. 22(4), 592–596.
 * - van Mulbregt, P. (2018). "Computing the CDF and quantiles of the one-sided
 *   Kolmogorov–Smirnov statistic." arXiv:1802.06966 (scipy `cephes/kolmogorov.c`).
 *
 * @internal
 * @example
 * ```ts
 * smirnovSf(1, 0.3) // => 0.3
 * ```
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN
  if (n === 1) return x
  if (x === 0) return 1
  if (x === 1) return 0
  const { nxfl, alpha } = modNX(n, x)
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1)
  if (alpha === 0) n1mxfl -= 1
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return clip01(1 - x * (1 + x) ** (n - 1))
  if (-2 * n * x * x < CEPHES_MINLOG) return 0
  if (nxfl >= n - 1) return clip01((1 - x) ** n)
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp)
  }
  const nTerms = n1mxfl + 1
  const nx = n * x
  // log C(n, v), accumulated with Neumaier compensation so it stays accurate for large n.
  let logC = 0
  let logCc = 0
  let s = 0
  let sc = 0
  for (let v = 0; v < nTerms; v++) {
    // 1 - x - v/n and x + v/n, each formed from integers and n·x to limit rounding.
    const t2 = (n - v - nx) / n
    const t1 = (v + nx) / n
    const logA = logC + logCc + (n - v) * Math.log(t2) + (v - 1) * Math.log(t1)
    const a = Math.exp(logA)
    const t = s + a
    sc += s >= a ? s - t + a : a - t + s
    s = t
    if (a !== 0 && 4 * (nTerms - v) * a < 2.220446049250313e-16 * (s + sc) && v !== nTerms - 1) {
      break
    }
    if (a === 0 && v > n / 2) break
    const inc = Math.log(n - v) - Math.log(v + 1)
    const lt = logC + inc
    logCc += Math.abs(logC) >= Math.abs(inc) ? logC - lt + inc : inc - lt + logC
    logC = lt
  }
  return clip01(x * (s + sc))
}

/**
 * Survival function of the two-sided Kolmogorov–Smirnov statistic, `P(D_n > d)`, for a sample of
 * size `n` — `scipy.stats.kstwo.sf(d, n)`.
 *
 * Returns NaN unless `n` is a positive integer; 1 for `d ≤ 1/(2n)`, 0 for `d ≥ 1`.
 *
 * ## Method
 * The algorithm selection of Simard & L'Ecuyer (2011), as in scipy `_kolmogn(n, x, cdf=False)`:
 * Ruben–Gambino closed forms near the ends of the support; `2 · smirnov(n, d)` where the one-sided
 * tails cannot overlap (`d ≥ 1/2`) or the tail is small (`n d² ≥ 2.2`, or `n d² > 4` for
 * `n ≤ 140`); otherwise the exact Durbin matrix (Marsaglia–Tsang–Wang), the Pomeranz recursion
 * (`n ≤ 140`, `n d² ≤ 4`), or the Pelz–Good asymptotic series (large n).
 *
 * ## References
 * - Marsaglia, G., Tsang, W. W. & Wang, J. (2003). "Evaluating Kolmogorov's distribution."
 *   J. Stat. Softw. 8(18). doi:10.18637/jss.v008.i18
 * - Simard, R. & L'Ecuyer, P. (2011). "Computing the two-sided Kolmogorov–Smirnov distribution."
 *   J. Stat. Softw. 39(11). doi:10.18637/jss.v039.i11
 * - Pomeranz, J. (1974). "Exact cumulative distribution of the Kolmogorov–Smirnov statistic for
 *   small samples." CACM 17(12), 703–704.
 * - Pelz, W. & Good, I. J. (1976). J. R. Stat. Soc. B 38(2), 152–156.
 * - scipy `scipy/stats/_ksstats.py` (`kolmogn`).
 *
 * @example
 * ```ts
 * kolmogorovSf(10, 0.5) // => 0.00777741 (scipy.stats.kstwo.sf(0.5, 10))
 * ```
 */
export function kolmogorovSf(n: number, d: number): number {
  if (Number.isNaN(n) || Number.isNaN(d)) return Number.NaN
  if (!Number.isInteger(n) || n <= 0) return Number.NaN
  if (d >= 1) return 0
  if (d <= 0) return 1
  const t = n * d
  if (t <= 1) {
    if (t <= 0.5) return 1
    const prob =
      n <= 140
        ? productRange(n, 2 * t - 1)
        : Math.exp(logFactorialDivPow(n) + n * Math.log(2 * t - 1))
    return clip01(1 - prob)
  }
  if (t >= n - 1) return clip01(2 * (1 - d) ** n)
  if (d >= 0.5) return clip01(2 * smirnovSf(n, d))
  const nxsquared = t * d
  if (n <= 140) {
    if (nxsquared <= 0.754693) return clip01(1 - cdfDurbinMatrix(n, d))
    if (nxsquared <= 4) return clip01(1 - cdfPomeranz(n, d))
    return clip01(2 * smirnovSf(n, d))
  }
  if (nxsquared >= 370) return 0
  if (nxsquared >= 2.2) return clip01(2 * smirnovSf(n, d))
  let cdf: number
  if (nxsquared >= 18) cdf = 1
  else if (n <= 100_000 && n * d ** 1.5 <= 1.4) cdf = cdfDurbinMatrix(n, d)
  else cdf = cdfPelzGood(n, d)
  return clip01(1 - cdf)
}

/** ∏_{i=1..n} (i / n) · c, in scipy's order (`np.prod(np.arange(1, n+1) * (1/n) * c)`). */
function productRange(n: number, c: number): number {
  let p = 1
  const rn = 1 / n
  for (let i = 1; i <= n; i++) p *= i * rn * c
  return p
}

/**
 * The Moré–Thuente line search: a port of MINPACK-2's `dcsrch`/`dcstep`, the search L-BFGS-B
 * (and so scipy's `minimize(method='L-BFGS-B')`) uses.
 *
 * ## Method
 * Finds a step satisfying the strong Wolfe conditions
 * `φ(stp) ≤ φ(0) + ftol·stp·φ'(0)` and `|φ'(stp)| ≤ gtol·|φ'(0)|` by safeguarded cubic and
 * quadratic interpolation on an interval of uncertainty that first grows (extrapolation by
 * factors 1.1 to 4) and then shrinks around a minimiser. The caller drives it as a state
 * machine: call {@link MoreThuenteSearch.start}, evaluate φ and φ' at `stp`, call
 * {@link MoreThuenteSearch.next} until it says the search is over.
 *
 * ## References
 * - J. J. Moré, D. J. Thuente. "Line search algorithms with guaranteed sufficient decrease".
 *   ACM TOMS 20(3), 1994, 286–307.
 * - MINPACK-2 `dcsrch.f`, `dcstep.f` (public domain), as shipped in L-BFGS-B 3.0.
 */

/** What the search asks for next. */
export type LineSearchTask = 'evaluate' | 'converged' | 'warning' | 'error'

const XTRAPL = 1.1
const XTRAPU = 4.0
const P5 = 0.5
const P66 = 0.66

/**
 * One line search, driven by the caller (reverse communication).
 *
 * @internal Used by {@link minimizeLbfgs}; exported for tests.
 */
export class MoreThuenteSearch {
  /** The step to evaluate next (or the final step once the task is not `'evaluate'`). */
  stp = 0
  /** Why the search stopped, when it stopped with a warning or an error. */
  message = ''
  private brackt = false
  private stage = 1
  private ginit = 0
  private gtest = 0
  private gx = 0
  private gy = 0
  private finit = 0
  private fx = 0
  private fy = 0
  private stx = 0
  private sty = 0
  private stmin = 0
  private stmax = 0
  private width = 0
  private width1 = 0

  constructor(
    private readonly ftol: number,
    private readonly gtol: number,
    private readonly xtol: number,
    private readonly stpmin: number,
    private readonly stpmax: number,
  ) {}

  /**
   * Starts a search at `stp` from `φ(0) = f`, `φ'(0) = g` (must be negative).
   * Returns `'evaluate'` (evaluate at {@link stp}) or `'error'`.
   */
  start(stp: number, f: number, g: number): LineSearchTask {
    this.stp = stp
    if (stp < this.stpmin) return this.fail('stp < stpmin')
    if (stp > this.stpmax) return this.fail('stp > stpmax')
    if (g >= 0) return this.fail('the initial derivative is not negative')
    this.brackt = false
    this.stage = 1
    this.finit = f
    this.ginit = g
    this.gtest = this.ftol * g
    this.width = this.stpmax - this.stpmin
    this.width1 = this.width / P5
    this.stx = 0
    this.fx = f
    this.gx = g
    this.sty = 0
    this.fy = f
    this.gy = g
    this.stmin = 0
    this.stmax = stp + XTRAPU * stp
    return 'evaluate'
  }

  private fail(message: string): LineSearchTask {
    this.message = message
    return 'error'
  }

  /** Takes `φ(stp) = f`, `φ'(stp) = g` and returns what to do next. */
  next(f: number, g: number): LineSearchTask {
    let stp = this.stp
    const ftest = this.finit + stp * this.gtest
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2

    let task: LineSearchTask = 'evaluate'
    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) {
      task = 'warning'
      this.message = 'rounding errors prevent progress'
    }
    if (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax) {
      task = 'warning'
      this.message = 'xtol test satisfied'
    }
    if (stp === this.stpmax && f <= ftest && g <= this.gtest) {
      task = 'warning'
      this.message = 'stp = stpmax'
    }
    if (stp === this.stpmin && (f > ftest || g >= this.gtest)) {
      task = 'warning'
      this.message = 'stp = stpmin'
    }
    if (f <= ftest && Math.abs(g) <= this.gtol * -this.ginit) task = 'converged'
    if (task !== 'evaluate') return task

    // During the first stage, when a lower value was found but the decrease is not sufficient,
    // interpolate the modified function ψ(stp) = φ(stp) − φ(0) − ftol·stp·φ'(0).
    if (this.stage === 1 && f <= this.fx && f > ftest) {
      const gt = this.gtest
      const s = {
        stx: this.stx,
        fx: this.fx - this.stx * gt,
        dx: this.gx - gt,
        sty: this.sty,
        fy: this.fy - this.sty * gt,
        dy: this.gy - gt,
        stp,
        brackt: this.brackt,
      }
      dcstep(s, f - stp * gt, g - gt, this.stmin, this.stmax)
      this.stx = s.stx
      this.sty = s.sty
      this.fx = s.fx + s.stx * gt
      this.fy = s.fy + s.sty * gt
      this.gx = s.dx + gt
      this.gy = s.dy + gt
      this.brackt = s.brackt
      stp = s.stp
    } else {
      const s = {
        stx: this.stx,
        fx: this.fx,
        dx: this.gx,
        sty: this.sty,
        fy: this.fy,
        dy: this.gy,
        stp,
        brackt: this.brackt,
      }
      dcstep(s, f, g, this.stmin, this.stmax)
      this.stx = s.stx
      this.sty = s.sty
      this.fx = s.fx
      this.fy = s.fy
      this.gx = s.dx
      this.gy = s.dy
      this.brackt = s.brackt
      stp = s.stp
    }

    // Bisect when the interval did not shrink enough in the last two steps.
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= P66 * this.width1)
        stp = this.stx + P5 * (this.sty - this.stx)
      this.width1 = this.width
      this.width = Math.abs(this.sty - this.stx)
    }
    if (this.brackt) {
      this.stmin = Math.min(this.stx, this.sty)
      this.stmax = Math.max(this.stx, this.sty)
    } else {
      this.stmin = stp + XTRAPL * (stp - this.stx)
      this.stmax = stp + XTRAPU * (stp - this.stx)
    }
    stp = Math.max(stp, this.stpmin)
    stp = Math.min(stp, this.stpmax)
    // If no further progress is possible, end with the best step found.
    if (
      (this.brackt && (stp <= this.stmin || stp >= this.stmax)) ||
      (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax)
    )
      stp = this.stx
    this.stp = stp
    return 'evaluate'
  }

  /**
   * Replaces the pending trial step by one halfway to the best step so far (for a trial point
   * where the objective was not finite, which the interpolation cannot use).
   */
  shrink(): void {
    this.stp = this.stx + P5 * (this.stp - this.stx)
    this.brackt = true
    this.sty = this.stp
    this.fy = this.fx
    this.gy = this.gx
    this.stmin = Math.min(this.stx, this.sty)
    this.stmax = Math.max(this.stx, this.sty)
  }
}

interface StepState {
  stx: number
  fx: number
  dx: number
  sty: number
  fy: number
  dy: number
  stp: number
  brackt: boolean
}

/** MINPACK-2 `dcstep`: one safeguarded step and the update of the interval of uncertainty. */
function dcstep(s: StepState, fp: number, dp: number, stpmin: number, stpmax: number): void {
  const { stx, fx, dx, sty, fy, dy, stp } = s
  const sgnd = dp * (dx / Math.abs(dx))
  let stpf: number
  if (fp > fx) {
    // Case 1: a higher value. The minimum is bracketed.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp))
    let gamma = sc * Math.sqrt((theta / sc) ** 2 - (dx / sc) * (dp / sc))
    if (stp < stx) gamma = -gamma
    const p = gamma - dx + theta
    const q = gamma - dx + gamma + dp
    const r = p / q
    const stpc = stx + r * (stp - stx)
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx)
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2
    s.brackt = true
  } else if (sgnd < 0) {
    // Case 2: a lower value and derivatives of opposite sign. The minimum is bracketed.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp))
    let gamma = sc * Math.sqrt((theta / sc) ** 2 - (dx / sc) * (dp / sc))
    if (stp > stx) gamma = -gamma
    const p = gamma - dp + theta
    const q = gamma - dp + gamma + dx
    const r = p / q
    const stpc = stp + r * (stx - stp)
    const stpq = stp + (dp / (dp - dx)) * (stx - stp)
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq
    s.brackt = true
  } else if (Math.abs(dp) < Math.abs(dx)) {
    // Case 3: a lower value, derivatives of the same sign, and |derivative| decreases.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp))
    let gamma = sc * Math.sqrt(Math.max(0, (theta / sc) ** 2 - (dx / sc) * (dp / sc)))
    if (stp > stx) gamma = -gamma
    const p = gamma - dp + theta
    const q = gamma + (dx - dp) + gamma
    const r = p / q
    let stpc: number
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp)
    else if (stp > stx) stpc = stpmax
    else stpc = stpmin
    const stpq = stp + (dp / (dp - dx)) * (stx - stp)
    if (s.brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq
      stpf =
        stp > stx
          ? Math.min(stp + P66 * (sty - stp), stpf)
          : Math.max(stp + P66 * (sty - stp), stpf)
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq
      stpf = Math.min(stpmax, stpf)
      stpf = Math.max(stpmin, stpf)
    }
  } else {
    // Case 4: a lower value, derivatives of the same sign, |derivative| does not decrease.
    if (s.brackt) {
      const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp
      const sc = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp))
      let gamma = sc * Math.sqrt((theta / sc) ** 2 - (dy / sc) * (dp / sc))
      if (stp > sty) gamma = -gamma
      const p = gamma - dp + theta
      const q = gamma - dp + gamma + dy
      const r = p / q
      stpf = stp + r * (sty - stp)
    } else if (stp > stx) {
      stpf = stpmax
    } else {
      stpf = stpmin
    }
  }
  // Update the interval that contains a minimiser.
  if (fp > fx) {
    s.sty = stp
    s.fy = fp
    s.dy = dp
  } else {
    if (sgnd < 0) {
      s.sty = stx
      s.fy = fx
      s.dy = dx
    }
    s.stx = stp
    s.fx = fp
    s.dx = dp
  }
  s.stp = stpf
}

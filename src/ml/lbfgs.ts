/**
 * L-BFGS-B (Byrd, Lu, Nocedal, Zhu 1995; version 3.0 with the Morales–Nocedal 2011 subspace step), the optimiser
 * behind scipy.optimize.minimize(method="L-BFGS-B") that scikit-learn 1.2 fits LogisticRegression(lbfgs) and
 * HuberRegressor with. It follows the reference algorithm step by step (generalised Cauchy point, direct
 * subspace minimisation, Moré–Thuente line search dcsrch with ftol=1e-3, gtol=0.9, xtol=0.1, at most 20 trials)
 * and scipy's driver loop, because where scikit-learn *stops* (ftol on the summed loss, maxiter) decides the
 * coefficients it reports, not only the optimum: a different optimiser would land elsewhere on flat optima.
 *
 * Internally vectors are 1-based (index 0 unused) and matrices column-major 1-based (`a[(i-1) + (j-1)*ld]`) so
 * that the code reads like the published algorithm; `fun` sees ordinary 0-based views.
 */
import { CancelledError } from '../core/errors.ts';

export interface LbfgsOptions {
  /** Lower bounds (−Infinity or NaN = none). */
  lower?: Float64Array;
  /** Upper bounds (+Infinity or NaN = none). */
  upper?: Float64Array;
  /** Number of corrections kept (scipy's maxcor). */
  m?: number;
  maxIter?: number;
  maxFun?: number;
  /** Stop when the max-norm of the projected gradient is ≤ gtol (scipy's pgtol). */
  gtol?: number;
  /** Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol. */
  ftol?: number;
  /** Maximum number of line-search steps per iteration. */
  maxls?: number;
  /** Checked before every function evaluation; a set `aborted` throws `CancelledError`. */
  signal?: { readonly aborted: boolean };
  /** Called after each accepted iterate with the iteration count and the objective. */
  onIteration?: (iteration: number, f: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  grad: Float64Array;
  /** scipy's `nit`. */
  iterations: number;
  /** Function and gradient evaluations (scipy's `nfev`). */
  funEvals: number;
  /** scipy's `status`: 0 converged, 1 maxiter/maxfun reached, 2 abnormal (line search failed). */
  status: 0 | 1 | 2;
  converged: boolean;
  message: string;
}

/** Machine epsilon of float64 (numpy's finfo(float).eps). */
export const EPS = 2.220446049250313e-16;
/** scipy's default ftol (factr = 1e7). */
export const SCIPY_FTOL = 2.220446049250313e-9;

const BIG = 1e10;
// dcsrch constants used by lnsrlb
const LS_FTOL = 1e-3;
const LS_GTOL = 0.9;
const LS_XTOL = 0.1;

/**
 * Minimise `fun` (returns f and writes the gradient into `grad`) from `x0` subject to simple bounds.
 * Defaults are scipy 1.10's: m = 10, maxIter = 15000, maxFun = 15000, gtol = 1e-5, ftol = 2.22e-9, maxls = 20.
 */
export function minimizeLbfgsb(
  fun: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  options: LbfgsOptions = {},
): LbfgsResult {
  const n = x0.length;
  const m = options.m ?? 10;
  const maxIter = options.maxIter ?? 15000;
  const maxFun = options.maxFun ?? 15000;
  const pgtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? SCIPY_FTOL;
  const maxls = options.maxls ?? 20;
  const signal = options.signal;
  if (n <= 0) throw new Error('minimizeLbfgsb: empty x0');
  if (!(m > 0)) throw new Error('minimizeLbfgsb: m must be positive');
  if (!(maxls > 0)) throw new Error('minimizeLbfgsb: maxls must be positive');

  // ---- bounds (nbd: 0 none, 1 lower, 2 both, 3 upper) ----
  const l = new Float64Array(n + 1);
  const u = new Float64Array(n + 1);
  const nbd = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    const lo = options.lower ? options.lower[i - 1] : -Infinity;
    const hi = options.upper ? options.upper[i - 1] : Infinity;
    const hasLo = Number.isFinite(lo);
    const hasHi = Number.isFinite(hi);
    if (hasLo) l[i] = lo;
    if (hasHi) u[i] = hi;
    nbd[i] = hasLo ? (hasHi ? 2 : 1) : hasHi ? 3 : 0;
    if (hasLo && hasHi && lo > hi) throw new Error(`minimizeLbfgsb: lower bound ${lo} > upper bound ${hi} at ${i - 1}`);
  }

  // ---- state ----
  const x = new Float64Array(n + 1);
  const g = new Float64Array(n + 1);
  const xv = x.subarray(1);
  const gv = g.subarray(1);
  for (let i = 1; i <= n; i++) {
    let v = Number(x0[i - 1]);
    // scipy clips x0 into the bounds before anything else
    if (nbd[i] === 1 || nbd[i] === 2) v = Math.max(v, l[i]);
    if (nbd[i] === 2 || nbd[i] === 3) v = Math.min(v, u[i]);
    x[i] = v;
  }
  const ws = new Float64Array(n * m);
  const wy = new Float64Array(n * m);
  const sy = new Float64Array(m * m);
  const ss = new Float64Array(m * m);
  const wt = new Float64Array(m * m);
  const m2 = 2 * m;
  const wn = new Float64Array(m2 * m2);
  const snd = new Float64Array(m2 * m2);
  const z = new Float64Array(n + 1);
  const r = new Float64Array(n + 1);
  const d = new Float64Array(n + 1);
  const t = new Float64Array(n + 1);
  const xp = new Float64Array(n + 1);
  const wa = new Float64Array(8 * m + 1); // 1-based: p = wa(1..2m), c = wa(2m+1..4m), wbp = wa(4m+1..6m), v = wa(6m+1..8m)
  const index = new Int32Array(n + 1);
  const iwhere = new Int32Array(n + 1);
  const indx2 = new Int32Array(n + 1);

  let col = 0;
  let head = 1;
  let theta = 1;
  let iupdat = 0;
  let updatd = false;
  let iback = 0;
  let itail = 0;
  let ifun = 0;
  let nfree = n;
  let nenter = 0;
  let ileave = 0;
  let fold = 0;
  let gd = 0;
  let gdold = 0;
  let stp = 0;
  let dtd = 0;
  let dnorm = 0;
  let stpmx = 0;
  let sbgnrm = 0;
  let iter = 0;
  let nfgv = 0;
  let info = 0;
  let wrk = false;
  const epsmch = EPS;
  const tol = (ftol / EPS) * epsmch; // scipy: factr = ftol / eps; lbfgsb: tol = factr * epsmch

  let nit = 0; // scipy's n_iterations
  let nfev = 0;
  let f = 0;

  const evaluate = (): number => {
    if (signal?.aborted) throw new CancelledError();
    nfev++;
    const value = fun(xv, gv);
    return value;
  };

  // ---- active: project x0, classify variables ----
  let cnstnd = false;
  let boxed = true;
  for (let i = 1; i <= n; i++) {
    if (nbd[i] !== 2) boxed = false;
    if (nbd[i] === 0) iwhere[i] = -1;
    else {
      cnstnd = true;
      iwhere[i] = nbd[i] === 2 && u[i] - l[i] <= 0 ? 3 : 0;
    }
  }

  const resetMemory = () => {
    info = 0;
    col = 0;
    head = 1;
    theta = 1;
    iupdat = 0;
    updatd = false;
  };

  const finish = (status: 0 | 1 | 2, message: string): LbfgsResult => ({
    x: Float64Array.from(xv),
    f,
    grad: Float64Array.from(gv),
    iterations: nit,
    funEvals: nfev,
    status,
    converged: status === 0,
    message,
  });

  f = evaluate();
  if (!Number.isFinite(f)) {
    // NaN/±Inf in the data: the search would wander on NaN comparisons
    throw new Error(`minimizeLbfgsb: the objective is ${f} at the starting point (NaN or infinite values in the data?)`);
  }
  nfgv = 1;
  sbgnrm = projgr(n, l, u, nbd, x, g);
  if (sbgnrm <= pgtol) return finish(0, 'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL');

  // ---------------------------- main loop ----------------------------
  for (;;) {
    if (!cnstnd && col > 0) {
      // unconstrained: the GCP search is skipped, z = x
      z.set(x);
      wrk = updatd;
    } else {
      const cinfo = cauchy(n, x, l, u, nbd, g, indx2, iwhere, t, d, z, m, wy, ws, sy, wt, theta, col, head, wa, sbgnrm, epsmch);
      if (cinfo !== 0) {
        resetMemory();
        continue;
      }
      // freev: entering / leaving variables and the free set at the GCP
      nenter = 0;
      ileave = n + 1;
      if (iter > 0 && cnstnd) {
        for (let i = 1; i <= nfree; i++) {
          const k = index[i];
          if (iwhere[k] > 0) {
            ileave--;
            indx2[ileave] = k;
          }
        }
        for (let i = 1 + nfree; i <= n; i++) {
          const k = index[i];
          if (iwhere[k] <= 0) {
            nenter++;
            indx2[nenter] = k;
          }
        }
      }
      wrk = ileave < n + 1 || nenter > 0 || updatd;
      nfree = 0;
      let iact = n + 1;
      for (let i = 1; i <= n; i++) {
        if (iwhere[i] <= 0) {
          nfree++;
          index[nfree] = i;
        } else {
          iact--;
          index[iact] = i;
        }
      }
    }

    if (nfree !== 0 && col !== 0) {
      if (wrk) {
        info = formk(n, nfree, index, nenter, ileave, indx2, iupdat, updatd, wn, snd, m, ws, wy, sy, theta, col, head);
        if (info !== 0) {
          resetMemory();
          continue;
        }
      }
      // r = -Z'B(xcp - xk) - Z'g
      info = cmprlb(n, m, x, g, ws, wy, sy, wt, z, r, wa, index, theta, col, head, nfree, cnstnd);
      if (info === 0) info = subsm(n, m, nfree, index, l, u, nbd, z, r, xp, ws, wy, theta, x, g, col, head, wa, wn);
      if (info !== 0) {
        resetMemory();
        continue;
      }
    }

    // ---------------- line search (lnsrlb) ----------------
    for (let i = 1; i <= n; i++) d[i] = z[i] - x[i];
    dtd = 0;
    for (let i = 1; i <= n; i++) dtd += d[i] * d[i];
    dnorm = Math.sqrt(dtd);
    stpmx = BIG;
    if (cnstnd) {
      if (iter === 0) stpmx = 1;
      else {
        for (let i = 1; i <= n; i++) {
          const a1 = d[i];
          if (nbd[i] !== 0) {
            if (a1 < 0 && nbd[i] <= 2) {
              const a2 = l[i] - x[i];
              if (a2 >= 0) stpmx = 0;
              else if (a1 * stpmx < a2) stpmx = a2 / a1;
            } else if (a1 > 0 && nbd[i] >= 2) {
              const a2 = u[i] - x[i];
              if (a2 <= 0) stpmx = 0;
              else if (a1 * stpmx > a2) stpmx = a2 / a1;
            }
          }
        }
      }
    }
    stp = iter === 0 && !boxed ? Math.min(1 / dnorm, stpmx) : 1;
    t.set(x);
    r.set(g);
    fold = f;
    ifun = 0;
    iback = 0;
    const search = new Dcsrch();
    let lineSearchFailed = false;
    for (;;) {
      gd = 0;
      for (let i = 1; i <= n; i++) gd += g[i] * d[i];
      if (ifun === 0) {
        gdold = gd;
        if (gd >= 0) {
          // not a descent direction: line search impossible
          info = -4;
          lineSearchFailed = true;
          break;
        }
      }
      const task = search.step(f, gd, stp, LS_FTOL, LS_GTOL, LS_XTOL, 0, stpmx);
      stp = search.stp;
      if (task === 'ERROR') {
        info = -4;
        lineSearchFailed = true;
        break;
      }
      if (task === 'FG') {
        ifun++;
        nfgv++;
        iback = ifun - 1;
        if (stp === 1) x.set(z);
        else for (let i = 1; i <= n; i++) x[i] = stp * d[i] + t[i];
        if (iback >= maxls) {
          lineSearchFailed = true;
          break;
        }
        f = evaluate();
        continue;
      }
      break; // CONV or WARN: new iterate
    }

    if (lineSearchFailed) {
      // restore the previous iterate
      x.set(t);
      g.set(r);
      f = fold;
      if (col === 0) {
        if (info === 0) {
          info = -9;
          nfgv--;
          ifun--;
          iback--;
        }
        iter++;
        return finish(2, 'ABNORMAL_TERMINATION_IN_LNSRCH');
      }
      if (info === 0) nfgv--;
      resetMemory();
      continue;
    }

    // new x
    iter++;
    sbgnrm = projgr(n, l, u, nbd, x, g);
    nit++;
    options.onIteration?.(nit, f);
    if (nit >= maxIter) return finish(1, 'STOP: TOTAL NO. of ITERATIONS REACHED LIMIT');
    if (nfev > maxFun) return finish(1, 'STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT');
    if (signal?.aborted) throw new CancelledError();

    // termination tests
    if (sbgnrm <= pgtol) return finish(0, 'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL');
    const ddumF = Math.max(Math.abs(fold), Math.abs(f), 1);
    if (fold - f <= tol * ddumF) return finish(0, 'CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH');

    // s = new x - old x (d scaled by stp), y = new g - old g (in r)
    for (let i = 1; i <= n; i++) r[i] = g[i] - r[i];
    let rr = 0;
    for (let i = 1; i <= n; i++) rr += r[i] * r[i];
    let dr: number;
    let ddum: number;
    if (stp === 1) {
      dr = gd - gdold;
      ddum = -gdold;
    } else {
      dr = (gd - gdold) * stp;
      for (let i = 1; i <= n; i++) d[i] *= stp;
      ddum = -gdold * stp;
    }
    if (dr <= epsmch * ddum) {
      // curvature too small: skip the update
      updatd = false;
      continue;
    }
    updatd = true;
    iupdat++;
    // matupd
    if (iupdat <= m) {
      col = iupdat;
      itail = ((head + iupdat - 2) % m) + 1;
    } else {
      itail = (itail % m) + 1;
      head = (head % m) + 1;
    }
    const tailOff = (itail - 1) * n;
    for (let i = 1; i <= n; i++) {
      ws[tailOff + i - 1] = d[i];
      wy[tailOff + i - 1] = r[i];
    }
    theta = rr / dr;
    if (iupdat > m) {
      // move old information: ss upper triangle left-up, sy lower triangle up-left
      for (let j = 1; j <= col - 1; j++) {
        for (let k = 0; k < j; k++) ss[k + (j - 1) * m] = ss[1 + k + j * m];
        for (let k = 0; k < col - j; k++) sy[j - 1 + k + (j - 1) * m] = sy[j + k + j * m];
      }
    }
    let pointr = head;
    for (let j = 1; j <= col - 1; j++) {
      const off = (pointr - 1) * n;
      let s1 = 0;
      let s2 = 0;
      for (let i = 1; i <= n; i++) {
        s1 += d[i] * wy[off + i - 1];
        s2 += ws[off + i - 1] * d[i];
      }
      sy[col - 1 + (j - 1) * m] = s1;
      ss[j - 1 + (col - 1) * m] = s2;
      pointr = (pointr % m) + 1;
    }
    ss[col - 1 + (col - 1) * m] = stp === 1 ? dtd : stp * stp * dtd;
    sy[col - 1 + (col - 1) * m] = dr;
    // formt: T = theta*SS + L*D^(-1)*L', Cholesky into wt
    info = formt(m, wt, sy, ss, col, theta);
    if (info !== 0) {
      resetMemory();
      continue;
    }
  }
}

// ------------------------------------------------------------------------------------------------------------------

/** Infinity norm of the projected gradient. */
function projgr(n: number, l: Float64Array, u: Float64Array, nbd: Int32Array, x: Float64Array, g: Float64Array): number {
  let norm = 0;
  for (let i = 1; i <= n; i++) {
    let gi = g[i];
    if (nbd[i] !== 0) {
      if (gi < 0) {
        if (nbd[i] >= 2) gi = Math.max(x[i] - u[i], gi);
      } else if (nbd[i] <= 2) gi = Math.min(x[i] - l[i], gi);
    }
    norm = Math.max(norm, Math.abs(gi));
  }
  return norm;
}

/** LINPACK dpofa on the col×col block at `off` (leading dimension lda): upper Cholesky factor in place. */
function dpofa(a: Float64Array, off: number, lda: number, nn: number): number {
  for (let j = 1; j <= nn; j++) {
    let s = 0;
    for (let k = 1; k <= j - 1; k++) {
      let tt = a[off + (k - 1) + (j - 1) * lda];
      for (let i = 1; i <= k - 1; i++) tt -= a[off + (i - 1) + (k - 1) * lda] * a[off + (i - 1) + (j - 1) * lda];
      tt /= a[off + (k - 1) + (k - 1) * lda];
      a[off + (k - 1) + (j - 1) * lda] = tt;
      s += tt * tt;
    }
    s = a[off + (j - 1) + (j - 1) * lda] - s;
    if (s <= 0) return j;
    a[off + (j - 1) + (j - 1) * lda] = Math.sqrt(s);
  }
  return 0;
}

/**
 * LINPACK dtrsl for an upper triangular T (block at `off`, leading dimension ldt): job 11 solves T'x = b,
 * job 01 solves Tx = b; b is 1-based at `boff` (b(i) = b[boff + i]).
 */
function dtrsl(tm: Float64Array, off: number, ldt: number, nn: number, b: Float64Array, boff: number, job: 1 | 11): number {
  const T = (i: number, j: number) => tm[off + (i - 1) + (j - 1) * ldt];
  for (let k = 1; k <= nn; k++) if (T(k, k) === 0) return k;
  if (job === 11) {
    b[boff + 1] /= T(1, 1);
    for (let j = 2; j <= nn; j++) {
      let s = 0;
      for (let i = 1; i <= j - 1; i++) s += T(i, j) * b[boff + i];
      b[boff + j] = (b[boff + j] - s) / T(j, j);
    }
  } else {
    b[boff + nn] /= T(nn, nn);
    for (let jj = 2; jj <= nn; jj++) {
      const j = nn - jj + 1;
      const temp = -b[boff + j + 1];
      for (let i = 1; i <= j; i++) b[boff + i] += temp * T(i, j + 1);
      b[boff + j] /= T(j, j);
    }
  }
  return 0;
}

/** Product of the 2col×2col middle matrix of the compact L-BFGS formula with v (both 1-based at offsets). */
function bmv(m: number, sy: Float64Array, wt: Float64Array, col: number, v: Float64Array, voff: number, p: Float64Array, poff: number): number {
  if (col === 0) return 0;
  const SY = (i: number, j: number) => sy[i - 1 + (j - 1) * m];
  p[poff + col + 1] = v[voff + col + 1];
  for (let i = 2; i <= col; i++) {
    const i2 = col + i;
    let sum = 0;
    for (let k = 1; k <= i - 1; k++) sum += (SY(i, k) * v[voff + k]) / SY(k, k);
    p[poff + i2] = v[voff + i2] + sum;
  }
  let info = dtrsl(wt, 0, m, col, p, poff + col, 11);
  if (info !== 0) return info;
  for (let i = 1; i <= col; i++) p[poff + i] = v[voff + i] / Math.sqrt(SY(i, i));
  info = dtrsl(wt, 0, m, col, p, poff + col, 1);
  if (info !== 0) return info;
  for (let i = 1; i <= col; i++) p[poff + i] = -p[poff + i] / Math.sqrt(SY(i, i));
  for (let i = 1; i <= col; i++) {
    let sum = 0;
    for (let k = i + 1; k <= col; k++) sum += (SY(k, i) * p[poff + col + k]) / SY(i, i);
    p[poff + i] += sum;
  }
  return 0;
}

/** Generalised Cauchy point along the projected steepest-descent path; result in xcp, c = W'(xcp − x) in wa. */
function cauchy(
  n: number,
  x: Float64Array,
  l: Float64Array,
  u: Float64Array,
  nbd: Int32Array,
  g: Float64Array,
  iorder: Int32Array,
  iwhere: Int32Array,
  t: Float64Array,
  d: Float64Array,
  xcp: Float64Array,
  m: number,
  wy: Float64Array,
  ws: Float64Array,
  sy: Float64Array,
  wt: Float64Array,
  theta: number,
  col: number,
  head: number,
  wa: Float64Array,
  sbgnrm: number,
  epsmch: number,
): number {
  // wa layout (1-based): p at 0, c at 2m, wbp at 4m, v at 6m
  const P = 0;
  const C = 2 * m;
  const WBP = 4 * m;
  const V = 6 * m;
  if (sbgnrm <= 0) {
    xcp.set(x);
    return 0;
  }
  let bnded = true;
  let nfree = n + 1;
  let nbreak = 0;
  let ibkmin = 0;
  let bkmin = 0;
  const col2 = 2 * col;
  let f1 = 0;
  for (let i = 1; i <= col2; i++) wa[P + i] = 0;
  let tl = 0;
  let tu = 0;
  for (let i = 1; i <= n; i++) {
    const neggi = -g[i];
    if (iwhere[i] !== 3 && iwhere[i] !== -1) {
      if (nbd[i] <= 2) tl = x[i] - l[i];
      if (nbd[i] >= 2) tu = u[i] - x[i];
      const xlower = nbd[i] <= 2 && tl <= 0;
      const xupper = nbd[i] >= 2 && tu <= 0;
      iwhere[i] = 0;
      if (xlower) {
        if (neggi <= 0) iwhere[i] = 1;
      } else if (xupper) {
        if (neggi >= 0) iwhere[i] = 2;
      } else if (Math.abs(neggi) <= 0) iwhere[i] = -3;
    }
    let pointr = head;
    if (iwhere[i] !== 0 && iwhere[i] !== -1) d[i] = 0;
    else {
      d[i] = neggi;
      f1 -= neggi * neggi;
      for (let j = 1; j <= col; j++) {
        wa[P + j] += wy[i - 1 + (pointr - 1) * n] * neggi;
        wa[P + col + j] += ws[i - 1 + (pointr - 1) * n] * neggi;
        pointr = (pointr % m) + 1;
      }
      if (nbd[i] <= 2 && nbd[i] !== 0 && neggi < 0) {
        nbreak++;
        iorder[nbreak] = i;
        t[nbreak] = tl / -neggi;
        if (nbreak === 1 || t[nbreak] < bkmin) {
          bkmin = t[nbreak];
          ibkmin = nbreak;
        }
      } else if (nbd[i] >= 2 && neggi > 0) {
        nbreak++;
        iorder[nbreak] = i;
        t[nbreak] = tu / neggi;
        if (nbreak === 1 || t[nbreak] < bkmin) {
          bkmin = t[nbreak];
          ibkmin = nbreak;
        }
      } else {
        nfree--;
        iorder[nfree] = i;
        if (Math.abs(neggi) > 0) bnded = false;
      }
    }
  }
  if (theta !== 1) for (let j = 1; j <= col; j++) wa[P + col + j] *= theta;
  xcp.set(x);
  if (nbreak === 0 && nfree === n + 1) return 0;
  for (let j = 1; j <= col2; j++) wa[C + j] = 0;
  let f2 = -theta * f1;
  const f2Org = f2;
  if (col > 0) {
    const info = bmv(m, sy, wt, col, wa, P, wa, V);
    if (info !== 0) return info;
    let dot = 0;
    for (let j = 1; j <= col2; j++) dot += wa[V + j] * wa[P + j];
    f2 -= dot;
  }
  let dtm = -f1 / f2;
  let tsum = 0;
  let reachedAllFixed = false;
  if (nbreak > 0) {
    let nleft = nbreak;
    let iterc = 1;
    let tj = 0;
    for (;;) {
      const tj0 = tj;
      let ibp: number;
      if (iterc === 1) {
        tj = bkmin;
        ibp = iorder[ibkmin];
      } else {
        if (iterc === 2) {
          if (ibkmin !== nbreak) {
            t[ibkmin] = t[nbreak];
            iorder[ibkmin] = iorder[nbreak];
          }
        }
        hpsolb(nleft, t, iorder, iterc - 2);
        tj = t[nleft];
        ibp = iorder[nleft];
      }
      const dt = tj - tj0;
      if (dtm < dt) break; // minimiser inside this interval
      tsum += dt;
      nleft--;
      iterc++;
      const dibp = d[ibp];
      d[ibp] = 0;
      let zibp: number;
      if (dibp > 0) {
        zibp = u[ibp] - x[ibp];
        xcp[ibp] = u[ibp];
        iwhere[ibp] = 2;
      } else {
        zibp = l[ibp] - x[ibp];
        xcp[ibp] = l[ibp];
        iwhere[ibp] = 1;
      }
      if (nleft === 0 && nbreak === n) {
        dtm = dt;
        reachedAllFixed = true;
        break;
      }
      const dibp2 = dibp * dibp;
      f1 = f1 + dt * f2 + dibp2 - theta * dibp * zibp;
      f2 -= theta * dibp2;
      if (col > 0) {
        for (let j = 1; j <= col2; j++) wa[C + j] += dt * wa[P + j];
        let pointr = head;
        for (let j = 1; j <= col; j++) {
          wa[WBP + j] = wy[ibp - 1 + (pointr - 1) * n];
          wa[WBP + col + j] = theta * ws[ibp - 1 + (pointr - 1) * n];
          pointr = (pointr % m) + 1;
        }
        const info = bmv(m, sy, wt, col, wa, WBP, wa, V);
        if (info !== 0) return info;
        let wmc = 0;
        let wmp = 0;
        let wmw = 0;
        for (let j = 1; j <= col2; j++) {
          wmc += wa[C + j] * wa[V + j];
          wmp += wa[P + j] * wa[V + j];
          wmw += wa[WBP + j] * wa[V + j];
        }
        for (let j = 1; j <= col2; j++) wa[P + j] -= dibp * wa[WBP + j];
        f1 += dibp * wmc;
        f2 = f2 + 2.0 * dibp * wmp - dibp2 * wmw;
      }
      f2 = Math.max(epsmch * f2Org, f2);
      if (nleft > 0) {
        dtm = -f1 / f2;
        continue;
      } else if (bnded) {
        f1 = 0;
        f2 = 0;
        dtm = 0;
      } else dtm = -f1 / f2;
      break;
    }
  }
  if (!reachedAllFixed) {
    if (dtm <= 0) dtm = 0;
    tsum += dtm;
    for (let i = 1; i <= n; i++) xcp[i] += tsum * d[i];
  }
  if (col > 0) for (let j = 1; j <= col2; j++) wa[C + j] += dtm * wa[P + j];
  return 0;
}

/** Heap of breakpoints: moves the least of t(1..nn) to t(nn) and keeps the rest a heap. */
function hpsolb(nn: number, t: Float64Array, iorder: Int32Array, iheap: number): void {
  if (iheap === 0) {
    for (let k = 2; k <= nn; k++) {
      const ddum = t[k];
      const indxin = iorder[k];
      let i = k;
      while (i > 1) {
        const j = Math.floor(i / 2);
        if (ddum < t[j]) {
          t[i] = t[j];
          iorder[i] = iorder[j];
          i = j;
        } else break;
      }
      t[i] = ddum;
      iorder[i] = indxin;
    }
  }
  if (nn > 1) {
    let i = 1;
    const out = t[1];
    const indxou = iorder[1];
    const ddum = t[nn];
    const indxin = iorder[nn];
    for (;;) {
      let j = i + i;
      if (j <= nn - 1) {
        if (t[j + 1] < t[j]) j = j + 1;
        if (t[j] < ddum) {
          t[i] = t[j];
          iorder[i] = iorder[j];
          i = j;
          continue;
        }
      }
      break;
    }
    t[i] = ddum;
    iorder[i] = indxin;
    t[nn] = out;
    iorder[nn] = indxou;
  }
}

/** r = −Z'B(xcp − x) − Z'g, using c = W'(xcp − x) from cauchy (wa(2m+1..)). */
function cmprlb(
  n: number,
  m: number,
  x: Float64Array,
  g: Float64Array,
  ws: Float64Array,
  wy: Float64Array,
  sy: Float64Array,
  wt: Float64Array,
  z: Float64Array,
  r: Float64Array,
  wa: Float64Array,
  index: Int32Array,
  theta: number,
  col: number,
  head: number,
  nfree: number,
  cnstnd: boolean,
): number {
  if (!cnstnd && col > 0) {
    for (let i = 1; i <= n; i++) r[i] = -g[i];
    return 0;
  }
  for (let i = 1; i <= nfree; i++) {
    const k = index[i];
    r[i] = -theta * (z[k] - x[k]) - g[k];
  }
  const info = bmv(m, sy, wt, col, wa, 2 * m, wa, 0);
  if (info !== 0) return -8;
  let pointr = head;
  for (let j = 1; j <= col; j++) {
    const a1 = wa[j];
    const a2 = theta * wa[col + j];
    const off = (pointr - 1) * n;
    for (let i = 1; i <= nfree; i++) {
      const k = index[i];
      r[i] += wy[off + k - 1] * a1 + ws[off + k - 1] * a2;
    }
    pointr = (pointr % m) + 1;
  }
  return 0;
}

/** LEL' factorisation of the indefinite matrix K of the subspace problem (into wn; inner products kept in wn1). */
function formk(
  n: number,
  nsub: number,
  ind: Int32Array,
  nenter: number,
  ileave: number,
  indx2: Int32Array,
  iupdat: number,
  updatd: boolean,
  wn: Float64Array,
  wn1: Float64Array,
  m: number,
  ws: Float64Array,
  wy: Float64Array,
  sy: Float64Array,
  theta: number,
  col: number,
  head: number,
): number {
  const ld = 2 * m;
  const W1 = (i: number, j: number) => i - 1 + (j - 1) * ld;
  const WS = (k: number, p: number) => ws[k - 1 + (p - 1) * n];
  const WY = (k: number, p: number) => wy[k - 1 + (p - 1) * n];
  let upcl: number;
  if (updatd) {
    if (iupdat > m) {
      // shift old part of WN1
      for (let jy = 1; jy <= m - 1; jy++) {
        const js = m + jy;
        for (let k = 0; k < m - jy; k++) wn1[W1(jy + k, jy)] = wn1[W1(jy + 1 + k, jy + 1)];
        for (let k = 0; k < m - jy; k++) wn1[W1(js + k, js)] = wn1[W1(js + 1 + k, js + 1)];
        for (let k = 0; k < m - 1; k++) wn1[W1(m + 1 + k, jy)] = wn1[W1(m + 2 + k, jy + 1)];
      }
    }
    const pbegin = 1;
    const pend = nsub;
    const dbegin = nsub + 1;
    const dend = n;
    const iy = col;
    const is = m + col;
    let ipntr = head + col - 1;
    if (ipntr > m) ipntr -= m;
    let jpntr = head;
    for (let jy = 1; jy <= col; jy++) {
      const js = m + jy;
      let temp1 = 0;
      let temp2 = 0;
      let temp3 = 0;
      for (let k = pbegin; k <= pend; k++) {
        const k1 = ind[k];
        temp1 += WY(k1, ipntr) * WY(k1, jpntr);
      }
      for (let k = dbegin; k <= dend; k++) {
        const k1 = ind[k];
        temp2 += WS(k1, ipntr) * WS(k1, jpntr);
        temp3 += WS(k1, ipntr) * WY(k1, jpntr);
      }
      wn1[W1(iy, jy)] = temp1;
      wn1[W1(is, js)] = temp2;
      wn1[W1(is, jy)] = temp3;
      jpntr = (jpntr % m) + 1;
    }
    const jy = col;
    jpntr = head + col - 1;
    if (jpntr > m) jpntr -= m;
    ipntr = head;
    for (let i = 1; i <= col; i++) {
      const is2 = m + i;
      let temp3 = 0;
      for (let k = pbegin; k <= pend; k++) {
        const k1 = ind[k];
        temp3 += WS(k1, ipntr) * WY(k1, jpntr);
      }
      ipntr = (ipntr % m) + 1;
      wn1[W1(is2, jy)] = temp3;
    }
    upcl = col - 1;
  } else upcl = col;

  // modify the old parts in blocks (1,1) and (2,2) due to changes in the free set
  let ipntr = head;
  for (let iy = 1; iy <= upcl; iy++) {
    const is = m + iy;
    let jpntr = head;
    for (let jy = 1; jy <= iy; jy++) {
      const js = m + jy;
      let temp1 = 0;
      let temp2 = 0;
      let temp3 = 0;
      let temp4 = 0;
      for (let k = 1; k <= nenter; k++) {
        const k1 = indx2[k];
        temp1 += WY(k1, ipntr) * WY(k1, jpntr);
        temp2 += WS(k1, ipntr) * WS(k1, jpntr);
      }
      for (let k = ileave; k <= n; k++) {
        const k1 = indx2[k];
        temp3 += WY(k1, ipntr) * WY(k1, jpntr);
        temp4 += WS(k1, ipntr) * WS(k1, jpntr);
      }
      wn1[W1(iy, jy)] = wn1[W1(iy, jy)] + temp1 - temp3;
      wn1[W1(is, js)] = wn1[W1(is, js)] - temp2 + temp4;
      jpntr = (jpntr % m) + 1;
    }
    ipntr = (ipntr % m) + 1;
  }
  // modify the old parts in block (2,1)
  ipntr = head;
  for (let is = m + 1; is <= m + upcl; is++) {
    let jpntr = head;
    for (let jy = 1; jy <= upcl; jy++) {
      let temp1 = 0;
      let temp3 = 0;
      for (let k = 1; k <= nenter; k++) {
        const k1 = indx2[k];
        temp1 += WS(k1, ipntr) * WY(k1, jpntr);
      }
      for (let k = ileave; k <= n; k++) {
        const k1 = indx2[k];
        temp3 += WS(k1, ipntr) * WY(k1, jpntr);
      }
      if (is <= jy + m) wn1[W1(is, jy)] = wn1[W1(is, jy)] + temp1 - temp3;
      else wn1[W1(is, jy)] = wn1[W1(is, jy)] - temp1 + temp3;
      jpntr = (jpntr % m) + 1;
    }
    ipntr = (ipntr % m) + 1;
  }
  // upper triangle of WN = [D + Y'ZZ'Y/theta, -L_a' + R_z'; -L_a + R_z, S'AA'S*theta]
  for (let iy = 1; iy <= col; iy++) {
    const is = col + iy;
    const is1 = m + iy;
    for (let jy = 1; jy <= iy; jy++) {
      const js = col + jy;
      const js1 = m + jy;
      wn[W1(jy, iy)] = wn1[W1(iy, jy)] / theta;
      wn[W1(js, is)] = wn1[W1(is1, js1)] * theta;
    }
    for (let jy = 1; jy <= iy - 1; jy++) wn[W1(jy, is)] = -wn1[W1(is1, jy)];
    for (let jy = iy; jy <= col; jy++) wn[W1(jy, is)] = wn1[W1(is1, jy)];
    wn[W1(iy, iy)] += sy[iy - 1 + (iy - 1) * m];
  }
  let info = dpofa(wn, 0, ld, col);
  if (info !== 0) return -1;
  const col2 = 2 * col;
  for (let js = col + 1; js <= col2; js++) dtrsl(wn, 0, ld, col, wn, W1(1, js) - 1, 11);
  for (let is = col + 1; is <= col2; is++) {
    for (let js = is; js <= col2; js++) {
      let dot = 0;
      for (let k = 1; k <= col; k++) dot += wn[W1(k, is)] * wn[W1(k, js)];
      wn[W1(is, js)] += dot;
    }
  }
  info = dpofa(wn, W1(col + 1, col + 1), ld, col);
  if (info !== 0) return -2;
  return 0;
}

/** T = theta*SS + L*D^(-1)*L' (upper triangle) and its Cholesky factor J' into wt. */
function formt(m: number, wt: Float64Array, sy: Float64Array, ss: Float64Array, col: number, theta: number): number {
  const SY = (i: number, j: number) => sy[i - 1 + (j - 1) * m];
  for (let j = 1; j <= col; j++) wt[(j - 1) * m] = theta * ss[(j - 1) * m];
  for (let i = 2; i <= col; i++) {
    for (let j = i; j <= col; j++) {
      const k1 = Math.min(i, j) - 1;
      let ddum = 0;
      for (let k = 1; k <= k1; k++) ddum += (SY(i, k) * SY(j, k)) / SY(k, k);
      wt[i - 1 + (j - 1) * m] = ddum + theta * ss[i - 1 + (j - 1) * m];
    }
  }
  return dpofa(wt, 0, m, col) !== 0 ? -3 : 0;
}

/** Direct subspace minimisation with the 2011 projection safeguard; x enters as xcp, d as the reduced gradient. */
function subsm(
  n: number,
  m: number,
  nsub: number,
  ind: Int32Array,
  l: Float64Array,
  u: Float64Array,
  nbd: Int32Array,
  x: Float64Array,
  d: Float64Array,
  xp: Float64Array,
  ws: Float64Array,
  wy: Float64Array,
  theta: number,
  xx: Float64Array,
  gg: Float64Array,
  col: number,
  head: number,
  wa: Float64Array,
  wn: Float64Array,
): number {
  if (nsub <= 0) return 0;
  const ld = 2 * m;
  // wv lives in wa(1..2m) (mainlb passes wa as wv)
  const wv = wa;
  let pointr = head;
  for (let i = 1; i <= col; i++) {
    let temp1 = 0;
    let temp2 = 0;
    const off = (pointr - 1) * n;
    for (let j = 1; j <= nsub; j++) {
      const k = ind[j];
      temp1 += wy[off + k - 1] * d[j];
      temp2 += ws[off + k - 1] * d[j];
    }
    wv[i] = temp1;
    wv[col + i] = theta * temp2;
    pointr = (pointr % m) + 1;
  }
  const col2 = 2 * col;
  let info = dtrsl(wn, 0, ld, col2, wv, 0, 11);
  if (info !== 0) return info;
  for (let i = 1; i <= col; i++) wv[i] = -wv[i];
  info = dtrsl(wn, 0, ld, col2, wv, 0, 1);
  if (info !== 0) return info;
  pointr = head;
  for (let jy = 1; jy <= col; jy++) {
    const js = col + jy;
    const off = (pointr - 1) * n;
    for (let i = 1; i <= nsub; i++) {
      const k = ind[i];
      d[i] += (wy[off + k - 1] * wv[jy]) / theta + ws[off + k - 1] * wv[js];
    }
    pointr = (pointr % m) + 1;
  }
  const invTheta = 1 / theta;
  for (let i = 1; i <= nsub; i++) d[i] *= invTheta;

  // try the projection of the Newton step
  let iword = 0;
  xp.set(x);
  for (let i = 1; i <= nsub; i++) {
    const k = ind[i];
    const dk = d[i];
    const xk = x[k];
    if (nbd[k] !== 0) {
      if (nbd[k] === 1) {
        x[k] = Math.max(l[k], xk + dk);
        if (x[k] === l[k]) iword = 1;
      } else if (nbd[k] === 2) {
        const xk2 = Math.max(l[k], xk + dk);
        x[k] = Math.min(u[k], xk2);
        if (x[k] === l[k] || x[k] === u[k]) iword = 1;
      } else if (nbd[k] === 3) {
        x[k] = Math.min(u[k], xk + dk);
        if (x[k] === u[k]) iword = 1;
      }
    } else x[k] = xk + dk;
  }
  if (iword === 0) return 0;
  let ddP = 0;
  for (let i = 1; i <= n; i++) ddP += (x[i] - xx[i]) * gg[i];
  if (ddP <= 0) return 0;
  // positive directional derivative after projection: backtrack to the box along d from xcp
  x.set(xp);
  let alpha = 1;
  let temp1 = alpha;
  let ibd = 0;
  for (let i = 1; i <= nsub; i++) {
    const k = ind[i];
    const dk = d[i];
    if (nbd[k] !== 0) {
      if (dk < 0 && nbd[k] <= 2) {
        const temp2 = l[k] - x[k];
        if (temp2 >= 0) temp1 = 0;
        else if (dk * alpha < temp2) temp1 = temp2 / dk;
      } else if (dk > 0 && nbd[k] >= 2) {
        const temp2 = u[k] - x[k];
        if (temp2 <= 0) temp1 = 0;
        else if (dk * alpha > temp2) temp1 = temp2 / dk;
      }
      if (temp1 < alpha) {
        alpha = temp1;
        ibd = i;
      }
    }
  }
  if (alpha < 1) {
    const dk = d[ibd];
    const k = ind[ibd];
    if (dk > 0) {
      x[k] = u[k];
      d[ibd] = 0;
    } else if (dk < 0) {
      x[k] = l[k];
      d[ibd] = 0;
    }
  }
  for (let i = 1; i <= nsub; i++) {
    const k = ind[i];
    x[k] += alpha * d[i];
  }
  return 0;
}

/** Moré–Thuente line search (MINPACK-2 dcsrch) as a resumable state machine. */
class Dcsrch {
  stp = 0;
  private started = false;
  private brackt = false;
  private stage = 1;
  private ginit = 0;
  private gtest = 0;
  private gx = 0;
  private gy = 0;
  private finit = 0;
  private fx = 0;
  private fy = 0;
  private stx = 0;
  private sty = 0;
  private stmin = 0;
  private stmax = 0;
  private width = 0;
  private width1 = 0;

  /** One call of dcsrch: returns 'FG' (evaluate at this.stp), 'CONV', 'WARN' or 'ERROR'. */
  step(f: number, g: number, stp: number, ftol: number, gtol: number, xtol: number, stpmin: number, stpmax: number): 'FG' | 'CONV' | 'WARN' | 'ERROR' {
    this.stp = stp;
    if (!this.started) {
      if (stp < stpmin || stp > stpmax || g >= 0 || ftol < 0 || gtol < 0 || xtol < 0 || stpmin < 0 || stpmax < stpmin) return 'ERROR';
      this.started = true;
      this.brackt = false;
      this.stage = 1;
      this.finit = f;
      this.ginit = g;
      this.gtest = ftol * this.ginit;
      this.width = stpmax - stpmin;
      this.width1 = this.width / 0.5;
      this.stx = 0;
      this.fx = this.finit;
      this.gx = this.ginit;
      this.sty = 0;
      this.fy = this.finit;
      this.gy = this.ginit;
      this.stmin = 0;
      this.stmax = stp + 4.0 * stp;
      return 'FG';
    }
    const ftest = this.finit + stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;
    let task: 'FG' | 'CONV' | 'WARN' = 'FG';
    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) task = 'WARN';
    if (this.brackt && this.stmax - this.stmin <= xtol * this.stmax) task = 'WARN';
    if (stp === stpmax && f <= ftest && g <= this.gtest) task = 'WARN';
    if (stp === stpmin && (f > ftest || g >= this.gtest)) task = 'WARN';
    if (f <= ftest && Math.abs(g) <= gtol * -this.ginit) task = 'CONV';
    if (task !== 'FG') return task;

    const st = { stx: this.stx, fx: this.fx, dx: this.gx, sty: this.sty, fy: this.fy, dy: this.gy, stp, brackt: this.brackt };
    if (this.stage === 1 && f <= this.fx && f > ftest) {
      // modified function during the first stage
      const fm = f - stp * this.gtest;
      st.fx = this.fx - this.stx * this.gtest;
      st.fy = this.fy - this.sty * this.gtest;
      const gm = g - this.gtest;
      st.dx = this.gx - this.gtest;
      st.dy = this.gy - this.gtest;
      dcstep(st, fm, gm, this.stmin, this.stmax);
      this.fx = st.fx + st.stx * this.gtest;
      this.fy = st.fy + st.sty * this.gtest;
      this.gx = st.dx + this.gtest;
      this.gy = st.dy + this.gtest;
    } else {
      dcstep(st, f, g, this.stmin, this.stmax);
      this.fx = st.fx;
      this.fy = st.fy;
      this.gx = st.dx;
      this.gy = st.dy;
    }
    this.stx = st.stx;
    this.sty = st.sty;
    this.brackt = st.brackt;
    let nstp = st.stp;
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) nstp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
    }
    if (this.brackt) {
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = nstp + 1.1 * (nstp - this.stx);
      this.stmax = nstp + 4.0 * (nstp - this.stx);
    }
    nstp = Math.max(nstp, stpmin);
    nstp = Math.min(nstp, stpmax);
    if ((this.brackt && (nstp <= this.stmin || nstp >= this.stmax)) || (this.brackt && this.stmax - this.stmin <= xtol * this.stmax)) nstp = this.stx;
    this.stp = nstp;
    return 'FG';
  }
}

interface StepState {
  stx: number;
  fx: number;
  dx: number;
  sty: number;
  fy: number;
  dy: number;
  stp: number;
  brackt: boolean;
}

/** MINPACK-2 dcstep: safeguarded cubic/quadratic step and update of the bracketing interval. */
function dcstep(s: StepState, fp: number, dp: number, stpmin: number, stpmax: number): void {
  const { stx, fx, dx, sty, fy, dy, stp } = s;
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sm = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sm * Math.sqrt((theta / sm) ** 2 - (dx / sm) * (dp / sm));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const rr = p / q;
    const stpc = stx + rr * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    s.brackt = true;
  } else if (sgnd < 0) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sm = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sm * Math.sqrt((theta / sm) ** 2 - (dx / sm) * (dp / sm));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const rr = p / q;
    const stpc = stp + rr * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    s.brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sm = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sm * Math.sqrt(Math.max(0, (theta / sm) ** 2 - (dx / sm) * (dp / sm)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const rr = p / q;
    let stpc: number;
    if (rr < 0 && gamma !== 0) stpc = stp + rr * (stx - stp);
    else if (stp > stx) stpc = stpmax;
    else stpc = stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (s.brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      if (stp > stx) stpf = Math.min(stp + 0.66 * (sty - stp), stpf);
      else stpf = Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.min(stpmax, stpf);
      stpf = Math.max(stpmin, stpf);
    }
  } else if (s.brackt) {
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const sm = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = sm * Math.sqrt((theta / sm) ** 2 - (dy / sm) * (dp / sm));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dy;
    const rr = p / q;
    stpf = stp + rr * (sty - stp);
  } else if (stp > stx) stpf = stpmax;
  else stpf = stpmin;

  if (fp > fx) {
    s.sty = stp;
    s.fy = fp;
    s.dy = dp;
  } else {
    if (sgnd < 0) {
      s.sty = stx;
      s.fy = fx;
      s.dy = dx;
    }
    s.stx = stp;
    s.fx = fp;
    s.dx = dp;
  }
  s.stp = stpf;
}

#include "eclipsera/linear_model/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

namespace eclipsera::linear_model {
namespace {

// The minimiser of the cubic through (a, fa, ga) and (b, fb, gb), kept
// inside [min(a, b), max(a, b)] away from the ends; bisection when the
// cubic has no minimum there.
double CubicStep(double a, double fa, double ga, double b, double fb,
                 double gb) {
  const double d1 = ga + gb - 3.0 * (fa - fb) / (a - b);
  const double disc = d1 * d1 - ga * gb;
  const double lo = std::min(a, b), hi = std::max(a, b);
  double t = 0.5 * (a + b);
  if (disc >= 0.0) {
    const double d2 = std::copysign(std::sqrt(disc), b - a);
    const double denom = gb - ga + 2.0 * d2;
    if (denom != 0.0) t = b - (b - a) * (gb + d2 - d1) / denom;
  }
  const double margin = 0.1 * (hi - lo);
  if (!(t > lo + margin && t < hi - margin)) t = 0.5 * (a + b);
  return t;
}

}  // namespace

LbfgsResult MinimizeLbfgs(
    absl::FunctionRef<double(const Vector& x, Vector& grad)> fg, Vector& x,
    const LbfgsOptions& o) {
  constexpr double kC1 = 1e-4, kC2 = 0.9;  // Wolfe constants (scipy's)
  const Index n = x.size();
  LbfgsResult r;
  Vector g(n), x_new(n), g_new(n), d(n);
  double f = fg(x, g);
  r.n_evaluations = 1;
  std::deque<Vector> s_hist, y_hist;
  std::deque<double> rho_hist;
  std::vector<double> alpha(o.memory);
  while (true) {
    if (g.cwiseAbs().maxCoeff() <= o.gtol) {
      r.converged = true;
      r.message = "CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL";
      break;
    }
    if (r.n_iter >= o.max_iter) {
      r.message = "STOP: TOTAL NO. of ITERATIONS REACHED LIMIT";
      break;
    }
    // Two-loop recursion: d = -H g.
    d = -g;
    const int m = static_cast<int>(s_hist.size());
    for (int i = m - 1; i >= 0; --i) {
      alpha[i] = rho_hist[i] * s_hist[i].dot(d);
      d.noalias() -= alpha[i] * y_hist[i];
    }
    if (m > 0) {
      d *= s_hist.back().dot(y_hist.back()) / y_hist.back().squaredNorm();
    }
    for (int i = 0; i < m; ++i) {
      const double beta = rho_hist[i] * y_hist[i].dot(d);
      d.noalias() += (alpha[i] - beta) * s_hist[i];
    }
    double dg = g.dot(d);
    if (!(dg < 0.0)) {  // not a descent direction: restart
      s_hist.clear();
      y_hist.clear();
      rho_hist.clear();
      d = -g;
      dg = g.dot(d);
    }
    // Strong Wolfe line search; the first step is 1 / ||d|| as L-BFGS-B's.
    double step = m == 0 ? std::min(1.0, 1.0 / d.norm()) : 1.0;
    double prev_step = 0.0, prev_f = f, prev_dg = dg;
    double lo = 0.0, hi = 0.0, f_lo = f, f_hi = 0.0, g_lo = dg, g_hi = 0.0;
    bool bracketed = false, found = false;
    double f_new = f;
    for (int ls = 0; ls < o.max_line_search; ++ls) {
      x_new = x + step * d;
      f_new = fg(x_new, g_new);
      ++r.n_evaluations;
      const double dg_new = g_new.dot(d);
      if (!bracketed) {
        if (!std::isfinite(f_new) || f_new > f + kC1 * step * dg ||
            (ls > 0 && f_new >= prev_f)) {
          lo = prev_step, f_lo = prev_f, g_lo = prev_dg;
          hi = step, f_hi = f_new, g_hi = dg_new;
          bracketed = true;
        } else if (std::abs(dg_new) <= -kC2 * dg) {
          found = true;
          break;
        } else if (dg_new >= 0.0) {
          lo = step, f_lo = f_new, g_lo = dg_new;
          hi = prev_step, f_hi = prev_f, g_hi = prev_dg;
          bracketed = true;
        } else {
          prev_step = step, prev_f = f_new, prev_dg = dg_new;
          step *= 2.0;
          continue;
        }
      } else {
        if (!std::isfinite(f_new) || f_new > f + kC1 * step * dg ||
            f_new >= f_lo) {
          hi = step, f_hi = f_new, g_hi = dg_new;
        } else {
          if (std::abs(dg_new) <= -kC2 * dg) {
            found = true;
            break;
          }
          if (dg_new * (hi - lo) >= 0.0) {
            hi = lo, f_hi = f_lo, g_hi = g_lo;
          }
          lo = step, f_lo = f_new, g_lo = dg_new;
        }
      }
      step = std::isfinite(f_hi) ? CubicStep(lo, f_lo, g_lo, hi, f_hi, g_hi)
                                 : 0.5 * (lo + hi);
    }
    if (!found) {
      // Accept the best sufficient decrease seen, else stop.
      if (bracketed && lo > 0.0) {
        x_new = x + lo * d;
        f_new = fg(x_new, g_new);
        ++r.n_evaluations;
        step = lo;
      }
      if (!(f_new < f)) {
        r.message = "ABNORMAL_TERMINATION_IN_LNSRCH";
        break;
      }
    }
    ++r.n_iter;
    Vector s = x_new - x;
    Vector yv = g_new - g;
    const double sy = s.dot(yv);
    const double f_old = f;
    x.swap(x_new);
    g.swap(g_new);
    f = f_new;
    if (sy > std::numeric_limits<double>::epsilon() * yv.squaredNorm()) {
      if (static_cast<int>(s_hist.size()) == o.memory) {
        s_hist.pop_front();
        y_hist.pop_front();
        rho_hist.pop_front();
      }
      s_hist.push_back(std::move(s));
      y_hist.push_back(std::move(yv));
      rho_hist.push_back(1.0 / sy);
    }
    if ((f_old - f) / std::max({std::abs(f_old), std::abs(f), 1.0}) <= o.ftol) {
      r.converged = true;
      r.message = "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH";
      break;
    }
  }
  r.f = f;
  return r;
}

}  // namespace eclipsera::linear_model

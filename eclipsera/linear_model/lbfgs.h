// Limited-memory BFGS for smooth unconstrained minimisation, with scipy's
// L-BFGS-B stopping rules (no bounds): the largest gradient component at
// most `gtol`, or a relative decrease of f below `ftol`, or `max_iter`
// iterations. Strong Wolfe line search (Nocedal & Wright, algorithms 3.5
// and 3.6, cubic interpolation).
#ifndef ECLIPSERA_LINEAR_MODEL_LBFGS_H_
#define ECLIPSERA_LINEAR_MODEL_LBFGS_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::linear_model {

struct LbfgsOptions {
  int max_iter = 100;
  double gtol = 1e-5;
  // scipy's factr * eps = 1e7 * 2.2e-16.
  double ftol = 1e7 * 2.220446049250313e-16;
  int memory = 10;           // scipy's maxcor
  int max_line_search = 20;  // scipy's maxls
};

struct LbfgsResult {
  double f = 0.0;
  int n_iter = 0;
  int n_evaluations = 0;
  bool converged = false;
  std::string message;  // why it stopped
};

// Minimises f from x (updated in place). `fg(x, grad)` returns f(x) and
// writes its gradient.
LbfgsResult MinimizeLbfgs(
    absl::FunctionRef<double(const Vector& x, Vector& grad)> fg, Vector& x,
    const LbfgsOptions& options);

}  // namespace eclipsera::linear_model

#endif  // ECLIPSERA_LINEAR_MODEL_LBFGS_H_

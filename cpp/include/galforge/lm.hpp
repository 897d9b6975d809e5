// Levenberg-Marquardt least squares with box bounds (projection + active set), Marquardt scaling
// and Nielsen's damping update driven by the gain ratio.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace galforge {

// A weighted least-squares problem chi2(x) = sum_i w_i (d_i - m_i(x))^2 over free parameters x.
class LeastSquaresProblem {
public:
    virtual ~LeastSquaresProblem() = default;
    virtual std::size_t size() const = 0;
    // chi2 at x, and the normal equations H = J^T W J, g = J^T W (d - m) (H row-major, size^2). A
    // non-finite chi2 (or a thrown std::domain_error / std::invalid_argument) marks x as unusable.
    virtual double normal_equations(const std::vector<double>& x, std::vector<double>& H, std::vector<double>& g) = 0;
    // chi2 at x alone (the same convention), for problems that can compute it cheaper than the normal
    // equations; by default through normal_equations.
    virtual double chi2_at(const std::vector<double>& x);
    // chi2 at x and g = J^T W (d - m) alone (no J^T W J), for problems that can compute them cheaper than
    // the normal equations (has_gradient_at()).
    virtual bool has_gradient_at() const { return false; }
    virtual double gradient_at(const std::vector<double>& x, std::vector<double>& g);
};

struct LMOptions {
    int max_iter = 100;      // iterations (accepted or rejected steps) before giving up
    double ftol = 1e-10;     // converged when both the actual and predicted relative chi2 decrease < ftol
    double xtol = 1e-10;     // converged when |h_k| <= xtol (|x_k| + xtol) for every k
    double gtol = 1e-12;     // converged when |g_k| sqrt(1 / H_kk) / sqrt(chi2) < gtol for every free k
    double lambda0 = 1e-3;   // initial damping, relative to diag(H)
    // A step predicted to decrease chi2 by less than finish_tol (relative) and by less than 1% of the
    // previous step's actual decrease (fast convergence: J^T W J has stopped changing materially) has its
    // trial point evaluated by problem.gradient_at (when available): if accepted, the next step is
    // computed with that exact gradient and the last J^T W J; if that step is predicted below ftol and
    // converges (checked by chi2 alone) the fit ends, if it meets both bounds again its trial point is
    // evaluated the same way (up to 4 in a row), and otherwise the normal equations are computed at the
    // accepted point as usual. A rejected step renews them too. 0: never.
    double finish_tol = 1e-2;
};

enum class LMStatus { max_iter = 0, ftol = 1, xtol = 2, gtol = 3, no_progress = -1, singular = -2 };

struct LMIteration {
    int iteration;   // 1-based
    double chi2;     // at the current point after this iteration
    double lambda;   // damping of the step tried in this iteration
    bool accepted;
};

struct LMResult {
    std::vector<double> x;
    double chi2 = 0.0;
    int n_iter = 0, n_eval = 0;
    LMStatus status = LMStatus::max_iter;
    std::string message;
    // J^T W J (row-major) and J^T W (d - m) at jacobian_x: x, or, when the last steps were checked by
    // chi2 alone or taken from points evaluated by their gradient alone (finish_tol), the point those
    // steps started from.
    std::vector<double> hessian, gradient, jacobian_x;
    std::vector<LMIteration> log;
    bool success() const { return static_cast<int>(status) > 0; }
};

// Minimises problem.chi2 from x0 (clipped into [lower, upper]; use +-inf for no bound).
LMResult levenberg_marquardt(LeastSquaresProblem& problem, std::vector<double> x0, const std::vector<double>& lower,
                             const std::vector<double>& upper, const LMOptions& options);

// Solves A x = b for symmetric positive definite A (n x n, row-major) by Cholesky; returns false if A
// is not numerically positive definite (A and b are left unspecified then).
bool cholesky_solve(std::vector<double>& A, std::vector<double>& b, std::size_t n);

}  // namespace galforge

// Levenberg-Marquardt (Madsen, Nielsen & Tingleff 2004, "Methods for non-linear least squares
// problems", sections 3.2-3.3), with Marquardt's diagonal scaling and box bounds handled by an
// active set (a parameter at a bound whose gradient points outwards is held for the step) plus
// projection of the trial point.
#include "galforge/lm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace galforge {

bool cholesky_solve(std::vector<double>& A, std::vector<double>& b, std::size_t n) {
    for (std::size_t j = 0; j < n; ++j) {
        double d = A[j * n + j];
        for (std::size_t k = 0; k < j; ++k) d -= A[j * n + k] * A[j * n + k];
        if (!(d > 0.0) || !std::isfinite(d)) return false;
        const double l = std::sqrt(d);
        A[j * n + j] = l;
        for (std::size_t i = j + 1; i < n; ++i) {
            double s = A[i * n + j];
            for (std::size_t k = 0; k < j; ++k) s -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = s / l;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {  // L y = b
        double s = b[i];
        for (std::size_t k = 0; k < i; ++k) s -= A[i * n + k] * b[k];
        b[i] = s / A[i * n + i];
    }
    for (std::size_t i = n; i-- > 0;) {  // L^T x = y
        double s = b[i];
        for (std::size_t k = i + 1; k < n; ++k) s -= A[k * n + i] * b[k];
        b[i] = s / A[i * n + i];
    }
    return true;
}

double LeastSquaresProblem::chi2_at(const std::vector<double>& x) {
    std::vector<double> H, g;
    return normal_equations(x, H, g);
}

double LeastSquaresProblem::gradient_at(const std::vector<double>& x, std::vector<double>& g) {
    std::vector<double> H;
    return normal_equations(x, H, g);
}

namespace {

// Smallest factor by which an accepted step shrinks the damping (Nielsen's rule gives it at gain ratio
// rho = 1). Nielsen uses 1/3; near a well-modelled optimum that leaves the damping, and so the slow
// convergence along ill-conditioned directions, for several more iterations than needed.
double kMinDecrease = 0.1;

// Most points in a row evaluated by their gradient alone (finish_tol) before J^T W J is renewed.
constexpr int kMaxChain = 4;

// A point is evaluated by its gradient alone only where the steps converge fast: the step to it is
// predicted to decrease chi2 by less than this fraction of the previous step's actual decrease (so that
// J^T W J has stopped changing materially; slower progress, as in large group fits, renews it).
constexpr double kFastRate = 0.01;

// evaluate() (a chi2), with +inf where x is unusable (non-finite, or rejected by the problem).
template <class F>
double safe_chi2(F evaluate) {
    try {
        const double value = evaluate();
        return std::isfinite(value) ? value : std::numeric_limits<double>::infinity();
    } catch (const std::invalid_argument&) {
        return std::numeric_limits<double>::infinity();
    } catch (const std::domain_error&) {
        return std::numeric_limits<double>::infinity();
    }
}

}  // namespace

LMResult levenberg_marquardt(LeastSquaresProblem& problem, std::vector<double> x, const std::vector<double>& lower,
                             const std::vector<double>& upper, const LMOptions& options) {
    const std::size_t n = problem.size();
    if (x.size() != n || lower.size() != n || upper.size() != n)
        throw std::invalid_argument("levenberg_marquardt: x0, lower and upper must have one entry per parameter");
    if (options.max_iter < 0) throw std::invalid_argument("max_iter must be >= 0");
    if (!(options.lambda0 > 0.0) || !std::isfinite(options.lambda0))
        throw std::invalid_argument("lambda0 must be a finite number > 0");
    for (std::size_t k = 0; k < n; ++k) {
        if (!(lower[k] <= upper[k])) throw std::invalid_argument("a lower bound exceeds its upper bound");
        if (!std::isfinite(x[k])) throw std::invalid_argument("x0 has a non-finite value");
        x[k] = std::clamp(x[k], lower[k], upper[k]);
    }
    LMResult result;
    std::vector<double> H, g;
    double chi2 = problem.normal_equations(x, H, g);
    result.n_eval = 1;
    if (!std::isfinite(chi2)) throw std::invalid_argument("chi2 is not finite at the starting point");
    double mu = options.lambda0, nu = 2.0;
    // After a rejected step or a failed factorisation; true once the damping is beyond any use.
    auto damp_more = [&mu, &nu] {
        mu *= nu;
        nu *= 2.0;
        return mu > 1e20;
    };
    std::vector<double> A, h, trial(n), scale(n), H_trial, g_trial, trial2(n), g_chain;
    std::vector<double> hessian_x = x;  // where H and g were computed
    int chained = 0;                    // points since then evaluated by their gradient alone
    double last_decrease = std::numeric_limits<double>::infinity();  // of the last accepted step
    bool proposed = false;  // trial and predicted already hold the step from x (a chain point's)
    double predicted = 0.0;
    std::vector<std::size_t> free;
    // One damped step from `at` (chi2 c, normal equations Hm, gm): the active set (parameters at a
    // bound that the gradient pushes outwards are held), the Cholesky solve, the projected point `out`
    // and the decrease the quadratic model predicts for it, 2 g.s - s.H.s.
    enum class Step { ok, gradient_small, not_positive, step_small };
    auto propose = [&](const std::vector<double>& at, double c, const std::vector<double>& Hm,
                       const std::vector<double>& gm, std::vector<double>& out, double& model_decrease) {
        free.clear();
        double gmax = 0.0;
        for (std::size_t k = 0; k < n; ++k) {
            const bool held = (at[k] <= lower[k] && gm[k] < 0.0) || (at[k] >= upper[k] && gm[k] > 0.0);
            if (held) continue;
            free.push_back(k);
            scale[k] = Hm[k * n + k] > 0.0 ? Hm[k * n + k] : 1.0;
            gmax = std::fmax(gmax, std::fabs(gm[k]) / std::sqrt(scale[k]));
        }
        if (free.empty() || gmax <= options.gtol * std::sqrt(std::fmax(c, 1e-300))) return Step::gradient_small;
        const std::size_t m = free.size();
        A.assign(m * m, 0.0);
        h.assign(m, 0.0);
        for (std::size_t a = 0; a < m; ++a) {
            for (std::size_t b = 0; b < m; ++b) A[a * m + b] = Hm[free[a] * n + free[b]];
            A[a * m + a] += mu * scale[free[a]];
            h[a] = gm[free[a]];
        }
        if (!cholesky_solve(A, h, m)) return Step::not_positive;
        out = at;
        for (std::size_t a = 0; a < m; ++a) {
            const std::size_t k = free[a];
            out[k] = std::clamp(at[k] + h[a], lower[k], upper[k]);
        }
        model_decrease = 0.0;
        bool small = true;
        for (std::size_t a = 0; a < m; ++a) {
            const std::size_t k = free[a];
            const double s = out[k] - at[k];
            double hs = 0.0;
            for (std::size_t b = 0; b < m; ++b) hs += Hm[k * n + free[b]] * (out[free[b]] - at[free[b]]);
            model_decrease += 2.0 * gm[k] * s - s * hs;
            if (std::fabs(s) > options.xtol * (std::fabs(at[k]) + options.xtol)) small = false;
        }
        return small ? Step::step_small : Step::ok;
    };
    // A step whose decrease is below ftol, as predicted, is checked by chi2 alone (no Jacobian): true if
    // the fit has converged at `to`, which then becomes x.
    auto converges_at = [&](const std::vector<double>& to, double& c) {
        const double chi2_check = safe_chi2([&] { return problem.chi2_at(to); });
        ++result.n_eval;
        const double decrease = c - chi2_check;
        if (!(decrease > 0.0 && decrease <= options.ftol * c)) return false;
        c = chi2_check;
        return true;
    };
    auto converged = [&result] {
        result.status = LMStatus::ftol;
        result.message = "converged: relative chi2 decrease below ftol";
    };
    const bool can_finish = options.finish_tol > 0.0 && problem.has_gradient_at();
    // Whether a step predicted to decrease chi2 (c) by step_decrease is taken by gradient alone (below).
    auto near_optimum = [&](double step_decrease, double c) {
        return can_finish && step_decrease <= options.finish_tol * c && step_decrease <= kFastRate * last_decrease;
    };
    result.status = LMStatus::max_iter;
    result.message = "maximum number of iterations reached";
    bool done = n == 0;
    if (done) {
        result.status = LMStatus::gtol;
        result.message = "no free parameters";
    }
    for (int it = 1; !done && it <= options.max_iter; ++it) {
        result.n_iter = it;
        const Step step = proposed ? Step::ok : propose(x, chi2, H, chained > 0 ? g_chain : g, trial, predicted);
        proposed = false;
        if (step == Step::gradient_small) {
            result.status = LMStatus::gtol;
            result.message = "converged: gradient below gtol";
            break;
        }
        if (step == Step::not_positive) {  // not positive definite at this damping: damp more
            result.log.push_back({it, chi2, mu, false});
            if (damp_more()) {
                result.status = LMStatus::singular;
                result.message = "the normal equations stayed singular under maximal damping";
                done = true;
            }
            continue;
        }
        if (step == Step::step_small) {
            result.log.push_back({it, chi2, mu, false});
            result.status = LMStatus::xtol;
            result.message = "converged: step below xtol";
            break;
        }
        if (predicted <= options.ftol * chi2) {
            if (converges_at(trial, chi2)) {
                x = trial;
                result.log.push_back({it, chi2, mu, true});
                converged();
                break;
            }
        }
        // Near the optimum (a step predicted below finish_tol, and below kFastRate of the last step's
        // decrease), the trial point gets its chi2 and gradient alone: if accepted, the step from there
        // with that gradient and the last J^T W J is checked by chi2 alone if predicted below ftol, and if
        // the fit converges there it ends; a step predicted below both bounds again continues the chain of
        // such points (up to kMaxChain). Otherwise the accepted point gets its normal equations as usual.
        const bool finishing = near_optimum(predicted, chi2);
        const double chi2_trial = safe_chi2([&] {
            return finishing ? problem.gradient_at(trial, g_trial) : problem.normal_equations(trial, H_trial, g_trial);
        });
        ++result.n_eval;
        const double actual = chi2 - chi2_trial;
        const double rho = predicted > 0.0 ? actual / predicted : -1.0;
        if (!(std::isfinite(chi2_trial) && actual > 0.0 && rho > 0.0)) {
            result.log.push_back({it, chi2, mu, false});
            if (chained > 0) {  // a J^T W J from points back: renewed here before damping more
                chi2 = problem.normal_equations(x, H, g);
                ++result.n_eval;
                hessian_x = x;
                chained = 0;
                continue;
            }
            if (damp_more()) {
                result.status = LMStatus::no_progress;
                result.message = "could not find a step that decreases chi2";
                break;
            }
            continue;
        }
        const double chi2_old = chi2;
        last_decrease = actual;
        result.log.push_back({it, chi2_trial, mu, true});
        mu *= std::fmax(kMinDecrease, 1.0 - std::pow(2.0 * rho - 1.0, 3));
        nu = 2.0;
        if (finishing) {
            chi2 = chi2_trial;
            x = trial;
            g_chain.swap(g_trial);
            ++chained;
            double predicted2 = 0.0;
            const bool next = it < options.max_iter && propose(x, chi2, H, g_chain, trial2, predicted2) == Step::ok;
            if (next && predicted2 <= options.ftol * chi2) {
                if (converges_at(trial2, chi2)) {
                    x = trial2;
                    result.n_iter = ++it;
                    result.log.push_back({it, chi2, mu, true});
                    converged();
                    break;
                }
            } else if (next && near_optimum(predicted2, chi2) && chained < kMaxChain) {
                trial.swap(trial2);  // the next iteration's step
                predicted = predicted2;
                proposed = true;
                continue;
            }
            chi2 = problem.normal_equations(x, H, g);
            ++result.n_eval;
            hessian_x = x;
            chained = 0;
            continue;
        }
        x = trial;
        hessian_x = x;
        chi2 = chi2_trial;
        H.swap(H_trial);
        g.swap(g_trial);
        if (actual <= options.ftol * chi2_old && predicted <= options.ftol * chi2_old) {
            converged();
            break;
        }
    }
    result.x = x;
    result.chi2 = chi2;
    result.hessian = H;
    result.gradient = g;
    result.jacobian_x = hessian_x;
    return result;
}

}  // namespace galforge

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "galforge/lm.hpp"
#include "galforge/model.hpp"

namespace galforge::bindings {

namespace {

// components: a list of (kind, params, (y_begin, y_end, x_begin, x_end), bn, constants).
struct ParsedModel {
    std::vector<ComponentSpec> specs;
    std::vector<double> params;
};

ParsedModel parse_components(const py::list& components) {
    ParsedModel out;
    for (const py::handle item : components) {
        auto t = item.cast<py::tuple>();
        if (t.size() != 5) throw std::invalid_argument("component must be (kind, params, window, bn, constants)");
        ComponentSpec s;
        const auto kind = t[0].cast<std::string>();
        s.kind = component_kind(kind);
        auto w = t[2].cast<py::tuple>();
        if (w.size() != 4) throw std::invalid_argument("window must be (y_begin, y_end, x_begin, x_end)");
        s.window = Window{w[0].cast<std::ptrdiff_t>(), w[1].cast<std::ptrdiff_t>(), w[2].cast<std::ptrdiff_t>(),
                          w[3].cast<std::ptrdiff_t>()};
        const auto bn = t[3].cast<std::string>();
        if (bn != "exact" && bn != "cb99") throw std::invalid_argument("bn = '" + bn + "' is invalid");
        s.bn = bn == "exact" ? BnMethod::exact : BnMethod::cb99;
        s.constants = t[4].cast<std::vector<double>>();
        auto p = t[1].cast<std::vector<double>>();
        const ComponentKernel& kernel = component_kernel(s.kind);
        if (p.size() != static_cast<std::size_t>(kernel.parameter_count(s)))
            throw std::invalid_argument("component '" + kind + "' needs " +
                                        std::to_string(kernel.parameter_count(s)) + " parameters, got " +
                                        std::to_string(p.size()));
        kernel.check(s, p.data());
        out.specs.push_back(s);
        out.params.insert(out.params.end(), p.begin(), p.end());
    }
    return out;
}

std::unique_ptr<ImageModel> make_model(std::ptrdiff_t ny, std::ptrdiff_t nx, const ParsedModel& parsed,
                                       const py::object& psf, DoubleArray& psf_arr, int oversample, double tolerance,
                                       int threads, bool extend, const std::pair<double, double>& origin = {0.0, 0.0}) {
    const double* psf_ptr = nullptr;
    std::size_t ky = 0, kx = 0;
    if (!psf.is_none()) {
        psf_arr = require_image(psf, "psf", false);
        psf_ptr = psf_arr.data();
        ky = static_cast<std::size_t>(psf_arr.shape(0));
        kx = static_cast<std::size_t>(psf_arr.shape(1));
    }
    return std::make_unique<ImageModel>(ny, nx, parsed.specs, psf_ptr, ky, kx,
                                        RenderOptions{oversample, tolerance, threads}, extend, origin.first,
                                        origin.second);
}

// The data image and a weight image of the same shape.
std::pair<DoubleArray, DoubleArray> data_and_weight(py::handle data, py::handle weight) {
    DoubleArray d = require_image(data, "data", false);
    DoubleArray w = require_image(weight, "weight", false);
    if (w.shape(0) != d.shape(0) || w.shape(1) != d.shape(1))
        throw std::invalid_argument("weight must have the shape of data");
    return {d, w};
}

// evaluate(model, problem) for the fit problem of the components on data and weight, its free parameters
// unbounded (model_jacobian, model_gradient).
template <class F>
py::object with_problem(py::handle data, py::handle weight, const py::list& components, const py::object& psf,
                        int oversample, double tolerance, int threads, bool extend, const std::vector<bool>& free,
                        F evaluate) {
    auto [d, w] = data_and_weight(data, weight);
    const ParsedModel parsed = parse_components(components);
    DoubleArray psf_arr;
    auto model = make_model(d.shape(0), d.shape(1), parsed, psf, psf_arr, oversample, tolerance, threads, extend);
    const std::vector<double> open_low(free.size(), -INFINITY), open_high(free.size(), INFINITY);
    ImageFitProblem problem(*model, d.data(), w.data(), parsed.params, free, open_low, open_high);
    return evaluate(*model, problem);
}

}  // namespace

void bind_fit(py::module_& m) {
    // Throws ValueError naming the first bad parameter of a component of kind `kind`.
    m.def("check_component",
          [](const std::string& kind, const std::vector<double>& params, const std::vector<double>& constants) {
              ComponentSpec s;
              s.kind = component_kind(kind);
              s.constants = constants;
              const ComponentKernel& kernel = component_kernel(s.kind);
              if (params.size() != static_cast<std::size_t>(kernel.parameter_count(s)))
                  throw std::invalid_argument("component '" + kind + "' needs " +
                                              std::to_string(kernel.parameter_count(s)) + " parameters");
              kernel.check(s, params.data());
          },
          py::arg("kind"), py::arg("params"), py::arg("constants"));

    m.def("render_model",
          [](py::handle out, const py::list& components, const py::object& psf, int oversample, double tolerance,
             int threads, bool extend) {
              DoubleArray image = require_image(out, "out", true);
              const ParsedModel parsed = parse_components(components);
              DoubleArray psf_arr;
              auto model = make_model(image.shape(0), image.shape(1), parsed, psf, psf_arr, oversample, tolerance,
                                      threads, extend);
              double* data = image.mutable_data();
              py::gil_scoped_release release;
              model->render(parsed.params.data(), data);
          },
          py::arg("out"), py::arg("components"), py::arg("psf"), py::arg("oversample"), py::arg("tolerance"),
          py::arg("threads"), py::arg("extend"));

    // One component's contribution inside its window (h, w) and its derivatives (n_params, h, w), through the
    // PSF for convolved kinds: the Jacobian block the fit uses.
    m.def("component_jacobian",
          [](std::pair<std::ptrdiff_t, std::ptrdiff_t> shape, const py::list& components, const py::object& psf,
             int oversample, double tolerance, int threads, bool extend) {
              const ParsedModel parsed = parse_components(components);
              if (parsed.specs.size() != 1) throw std::invalid_argument("component_jacobian takes one component");
              DoubleArray psf_arr;
              auto model = make_model(shape.first, shape.second, parsed, psf, psf_arr, oversample, tolerance,
                                      threads, extend);
              const std::size_t np = model->n_params();
              ComponentJacobian jacobian;
              {
                  py::gil_scoped_release release;
                  model->component_jacobian(0, parsed.params.data(), std::vector<bool>(np, true), jacobian);
              }
              const Window& w = parsed.specs[0].window;
              DoubleArray v({w.height(), w.width()});
              DoubleArray j({static_cast<py::ssize_t>(np), w.height(), w.width()});
              std::copy(jacobian.value.begin(), jacobian.value.end(), v.mutable_data());
              double* out = j.mutable_data();
              for (std::size_t k = 0; k < np; ++k)
                  for (std::ptrdiff_t i = 0; i < w.height(); ++i) {
                      const float* row = jacobian.row(k, i);
                      for (std::ptrdiff_t c = 0; c < w.width(); ++c) *out++ = jacobian.column_scale[k] * row[c];
                  }
              return py::make_tuple(v, j);
          },
          py::arg("shape"), py::arg("components"), py::arg("psf"), py::arg("oversample"), py::arg("tolerance"),
          py::arg("threads"), py::arg("extend"));

    // chi2 and the normal equations (J^T W J, J^T W (d - m)) over the free parameters, at the given values.
    m.def("model_jacobian",
          [](py::handle data, py::handle weight, const py::list& components, const py::object& psf, int oversample,
             double tolerance, int threads, bool extend, const std::vector<bool>& free) {
              return with_problem(data, weight, components, psf, oversample, tolerance, threads, extend, free,
                                  [](const ImageModel&, ImageFitProblem& problem) -> py::object {
                                      std::vector<double> H, g;
                                      const double chi2 = problem.normal_equations(problem.free_parameters(), H, g);
                                      return py::make_tuple(chi2, H, g);
                                  });
          },
          py::arg("data"), py::arg("weight"), py::arg("components"), py::arg("psf"), py::arg("oversample"),
          py::arg("tolerance"), py::arg("threads"), py::arg("extend"), py::arg("free"));

    // chi2 and J^T W (d - m) alone (ImageFitProblem::gradient_at: the derivatives unconvolved, dotted with
    // the weighted residuals correlated with the PSF), at the given values; extend = True only.
    m.def("model_gradient",
          [](py::handle data, py::handle weight, const py::list& components, const py::object& psf, int oversample,
             double tolerance, int threads, bool extend, const std::vector<bool>& free) {
              return with_problem(data, weight, components, psf, oversample, tolerance, threads, extend, free,
                                  [](const ImageModel& model, ImageFitProblem& problem) -> py::object {
                                      if (!model.has_component_gradient())
                                          throw std::invalid_argument("model_gradient needs extend=True where there is a PSF");
                                      std::vector<double> g;
                                      const double chi2 = problem.gradient_at(problem.free_parameters(), g);
                                      return py::make_tuple(chi2, g);
                                  });
          },
          py::arg("data"), py::arg("weight"), py::arg("components"), py::arg("psf"), py::arg("oversample"),
          py::arg("tolerance"), py::arg("threads"), py::arg("extend"), py::arg("free"));

    m.def("fit_lm",
          [](py::handle data, py::handle weight, const py::list& components, const py::object& psf, int oversample,
             double tolerance, int threads, bool extend, const std::vector<bool>& free, const std::vector<double>& lower,
             const std::vector<double>& upper, int max_iter, double ftol, double xtol, double gtol, double lambda0,
             const std::pair<double, double>& origin, const std::vector<double>& prior_mean,
             const std::vector<double>& prior_sigma) {
              auto [d, w] = data_and_weight(data, weight);
              const ParsedModel parsed = parse_components(components);
              DoubleArray psf_arr;
              auto model = make_model(d.shape(0), d.shape(1), parsed, psf, psf_arr, oversample, tolerance, threads, extend,
                                      origin);
              if (lower.size() != parsed.params.size() || upper.size() != parsed.params.size())
                  throw std::invalid_argument("lower and upper must have one entry per model parameter");
              LMOptions options;
              options.max_iter = max_iter;
              options.ftol = ftol;
              options.xtol = xtol;
              options.gtol = gtol;
              options.lambda0 = lambda0;
              LMResult r;
              std::vector<double> full, image;
              double prior = 0.0;
              {
                  py::gil_scoped_release release;
                  ImageFitProblem problem(*model, d.data(), w.data(), parsed.params, free, lower, upper, true,
                                          prior_mean, prior_sigma);
                  r = levenberg_marquardt(problem, problem.free_parameters(), problem.free_lower(),
                                          problem.free_upper(), options);
                  full = problem.full_parameters(r.x);
                  image = problem.model_image(r.x);
                  prior = problem.prior_chi2(r.x);
                  // J^T W J and the gradient (at the optimum, or a few converging steps before it) in the natural
                  // parameters (q, pa), for errors.
                  problem.to_natural(r.jacobian_x, r.hessian, r.gradient);
              }
              py::list log;
              for (const LMIteration& it : r.log) log.append(py::make_tuple(it.iteration, it.chi2, it.lambda, it.accepted));
              py::dict out;
              out["params"] = full;
              out["chi2"] = r.chi2 - prior;  // the data's; the prior term apart
              out["prior_chi2"] = prior;
              out["n_iter"] = r.n_iter;
              out["n_eval"] = r.n_eval;
              out["status"] = static_cast<int>(r.status);
              out["message"] = r.message;
              out["success"] = r.success();
              out["hessian"] = r.hessian;
              out["gradient"] = r.gradient;
              out["log"] = log;
              DoubleArray model_image({d.shape(0), d.shape(1)});
              std::copy(image.begin(), image.end(), model_image.mutable_data());
              out["model"] = model_image;
              return out;
          },
          py::arg("data"), py::arg("weight"), py::arg("components"), py::arg("psf"), py::arg("oversample"),
          py::arg("tolerance"), py::arg("threads"), py::arg("extend"), py::arg("free"), py::arg("lower"), py::arg("upper"),
          py::arg("max_iter"), py::arg("ftol"), py::arg("xtol"), py::arg("gtol"), py::arg("lambda0"),
          py::arg("origin") = std::make_pair(0.0, 0.0), py::arg("prior_mean") = std::vector<double>{},
          py::arg("prior_sigma") = std::vector<double>{});
}

}  // namespace galforge::bindings

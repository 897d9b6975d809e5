#include <pybind11/pybind11.h>

#include <string>

#include "arrays.hpp"
#include "galforge/gamma.hpp"
#include "galforge/sersic.hpp"

namespace galforge::bindings {

namespace {

BnMethod parse_bn(const std::string& bn) {
    if (bn == "exact") return BnMethod::exact;
    if (bn == "cb99") return BnMethod::cb99;
    throw std::invalid_argument("bn = '" + bn + "' is invalid: expected 'exact' or 'cb99'");
}

SersicParams make_params(double x0, double y0, double ie, double r_e, double n, double q, double pa, double c,
                         const std::string& bn) {
    SersicParams p{x0, y0, ie, r_e, n, q, pa, c, parse_bn(bn)};
    validate(p);
    return p;
}

}  // namespace

void bind_sersic(py::module_& m) {
    m.def("gamma_p", &gamma_p, py::arg("a"), py::arg("x"));
    m.def("sersic_bn", [](double n, const std::string& bn) {
        return sersic_bn(make_params(0, 0, 1, 1, n, 1, 0, 2, bn));
    }, py::arg("n"), py::arg("bn") = "exact");
    m.def("sersic_total_flux",
          [](double ie, double r_e, double n, double q, double c, const std::string& bn) {
              return sersic_total_flux(make_params(0, 0, ie, r_e, n, q, 0, c, bn));
          },
          py::arg("ie"), py::arg("r_e"), py::arg("n"), py::arg("q"), py::arg("c"), py::arg("bn") = "exact");
    m.def("render_sersic_gradient_into",
          [](py::handle image, py::handle gradient, double x0, double y0, double ie, double r_e, double n, double q,
             double pa, double c, const std::string& bn, int oversample, double tolerance, py::object window,
             double x_origin, double y_origin, int threads) {
              DoubleArray arr = require_image(image, "image", true);
              auto grad = require_array<float>(gradient, "gradient", 3, true);
              if (grad.shape(0) != kSersicParams || grad.shape(1) != arr.shape(0) || grad.shape(2) != arr.shape(1))
                  throw std::invalid_argument("gradient must have shape (8, ny, nx) of the image (float32)");
              const SersicParams p = make_params(x0, y0, ie, r_e, n, q, pa, c, bn);
              ImageView view = image_view(arr, x_origin, y_origin);
              const Window w = window_or_whole(window, view);
              float* planes[kSersicParams];
              for (int k = 0; k < kSersicParams; ++k) planes[k] = grad.mutable_data(k, 0, 0);
              const RenderOptions options{oversample, tolerance, threads};
              py::gil_scoped_release release;
              render_sersic_gradient(view, planes, w, p, options);
          },
          py::arg("image"), py::arg("gradient"), py::arg("x0"), py::arg("y0"), py::arg("ie"), py::arg("r_e"),
          py::arg("n"), py::arg("q"), py::arg("pa"), py::arg("c"), py::arg("bn"), py::arg("oversample"),
          py::arg("tolerance"), py::arg("window"), py::arg("x_origin"), py::arg("y_origin"), py::arg("threads"));
    m.def("render_sersic_into",
          [](py::handle image, double x0, double y0, double ie, double r_e, double n, double q, double pa, double c,
             const std::string& bn, int oversample, double tolerance, py::object window, double x_origin,
             double y_origin, int threads) {
              DoubleArray arr = require_image(image, "image", true);
              const SersicParams p = make_params(x0, y0, ie, r_e, n, q, pa, c, bn);
              ImageView view = image_view(arr, x_origin, y_origin);
              const Window w = window_or_whole(window, view);
              const RenderOptions options{oversample, tolerance, threads};
              py::gil_scoped_release release;
              render_sersic(view, w, p, options);
          },
          py::arg("image"), py::arg("x0"), py::arg("y0"), py::arg("ie"), py::arg("r_e"), py::arg("n"), py::arg("q"),
          py::arg("pa"), py::arg("c"), py::arg("bn"), py::arg("oversample"), py::arg("tolerance"), py::arg("window"),
          py::arg("x_origin"), py::arg("y_origin"), py::arg("threads"));
}

}  // namespace galforge::bindings

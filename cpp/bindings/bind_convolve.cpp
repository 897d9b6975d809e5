#include <pybind11/pybind11.h>

#include <memory>

#include "arrays.hpp"
#include "galforge/convolve.hpp"

namespace galforge::bindings {

void bind_convolve(py::module_& m) {
    py::class_<Convolver, std::shared_ptr<Convolver>>(m, "Convolver")
        .def(py::init([](py::handle psf, std::size_t ny, std::size_t nx, bool normalize) {
                 DoubleArray k = require_image(psf, "psf", false);
                 const double* data = k.data();
                 const auto ky = static_cast<std::size_t>(k.shape(0)), kx = static_cast<std::size_t>(k.shape(1));
                 py::gil_scoped_release release;
                 return std::make_shared<Convolver>(data, ky, kx, ny, nx, normalize);
             }),
             py::arg("psf"), py::arg("ny"), py::arg("nx"), py::arg("normalize"))
        .def("convolve",
             [](const Convolver& self, py::handle image, py::handle out, int threads) {
                 DoubleArray in = require_image(image, "image", false);
                 DoubleArray res = require_image(out, "out", true);
                 for (auto* a : {&in, &res})
                     if (static_cast<std::size_t>(a->shape(0)) != self.ny() ||
                         static_cast<std::size_t>(a->shape(1)) != self.nx())
                         throw std::invalid_argument("array of shape (" + std::to_string(a->shape(0)) + ", " +
                                                     std::to_string(a->shape(1)) + ") given to a Convolver made for (" +
                                                     std::to_string(self.ny()) + ", " + std::to_string(self.nx()) + ")");
                 const double* src = in.data();
                 double* dst = res.mutable_data();
                 py::gil_scoped_release release;
                 self.convolve(src, dst, threads);
             },
             py::arg("image"), py::arg("out"), py::arg("threads") = 1)
        .def_property_readonly("padded_shape", [](const Convolver& c) { return py::make_tuple(c.padded_ny(), c.padded_nx()); })
        .def_property_readonly("psf_sum", &Convolver::psf_sum);
}

}  // namespace galforge::bindings

// All numpy-array plumbing of the bindings: shape, dtype, contiguity and writability checks.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

#include "galforge/image.hpp"

namespace galforge::bindings {

namespace py = pybind11;
using DoubleArray = py::array_t<double, py::array::c_style>;

// A 2-d, C-contiguous, native float64 array; `writable` also demands a writeable buffer.
inline DoubleArray require_image(const py::handle& obj, const char* name, bool writable) {
    if (!py::isinstance<py::array>(obj)) throw std::invalid_argument(std::string(name) + " must be a numpy array");
    auto arr = py::reinterpret_borrow<py::array>(obj);
    if (arr.ndim() != 2)
        throw std::invalid_argument(std::string(name) + " must be 2-d, got ndim = " + std::to_string(arr.ndim()));
    if (!arr.dtype().is(py::dtype::of<double>()))
        throw std::invalid_argument(std::string(name) + " must have dtype float64, got " +
                                    py::str(arr.dtype()).cast<std::string>());
    if (!(arr.flags() & py::array::c_style))
        throw std::invalid_argument(std::string(name) + " must be C-contiguous");
    if (writable && !arr.writeable()) throw std::invalid_argument(std::string(name) + " must be writeable");
    if (arr.shape(0) == 0 || arr.shape(1) == 0)
        throw std::invalid_argument(std::string(name) + " must be non-empty, got shape (" +
                                    std::to_string(arr.shape(0)) + ", " + std::to_string(arr.shape(1)) + ")");
    return py::reinterpret_borrow<DoubleArray>(arr);
}

inline ImageView image_view(DoubleArray& arr, double x_origin, double y_origin) {
    return ImageView{arr.mutable_data(), arr.shape(0), arr.shape(1), x_origin, y_origin};
}

}  // namespace galforge::bindings

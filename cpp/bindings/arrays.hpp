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

// A C-contiguous, native array of element type T with `ndim` dimensions; `writable` also demands a
// writeable buffer. Every array that crosses the binding boundary goes through here.
template <typename T>
py::array_t<T, py::array::c_style> require_array(const py::handle& obj, const char* name, py::ssize_t ndim,
                                                 bool writable = false) {
    if (!py::isinstance<py::array>(obj)) throw std::invalid_argument(std::string(name) + " must be a numpy array");
    auto arr = py::reinterpret_borrow<py::array>(obj);
    if (arr.ndim() != ndim)
        throw std::invalid_argument(std::string(name) + " must be " + std::to_string(ndim) + "-d, got ndim = " +
                                    std::to_string(arr.ndim()));
    if (!arr.dtype().is(py::dtype::of<T>()))
        throw std::invalid_argument(std::string(name) + " must have dtype " +
                                    py::str(py::dtype::of<T>()).cast<std::string>() + ", got " +
                                    py::str(arr.dtype()).cast<std::string>());
    if (!(arr.flags() & py::array::c_style))
        throw std::invalid_argument(std::string(name) + " must be C-contiguous");
    if (writable && !arr.writeable()) throw std::invalid_argument(std::string(name) + " must be writeable");
    return py::reinterpret_borrow<py::array_t<T, py::array::c_style>>(arr);
}

// A non-empty 2-d float64 image.
inline DoubleArray require_image(const py::handle& obj, const char* name, bool writable) {
    DoubleArray arr = require_array<double>(obj, name, 2, writable);
    if (arr.shape(0) == 0 || arr.shape(1) == 0)
        throw std::invalid_argument(std::string(name) + " must be non-empty, got shape (" +
                                    std::to_string(arr.shape(0)) + ", " + std::to_string(arr.shape(1)) + ")");
    return arr;
}

inline ImageView image_view(DoubleArray& arr, double x_origin, double y_origin) {
    return ImageView{arr.mutable_data(), arr.shape(0), arr.shape(1), x_origin, y_origin};
}

// A (y_begin, y_end, x_begin, x_end) tuple, or the whole image for None.
inline Window window_or_whole(const py::object& window, const ImageView& view) {
    if (window.is_none()) return Window::whole(view);
    auto t = window.cast<py::tuple>();
    if (t.size() != 4) throw std::invalid_argument("window must be (y_begin, y_end, x_begin, x_end)");
    return Window{t[0].cast<std::ptrdiff_t>(), t[1].cast<std::ptrdiff_t>(), t[2].cast<std::ptrdiff_t>(),
                  t[3].cast<std::ptrdiff_t>()};
}

}  // namespace galforge::bindings

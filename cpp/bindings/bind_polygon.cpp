#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "arrays.hpp"
#include "galforge/polygon.hpp"

namespace galforge::bindings {

namespace {

using Int64Array = py::array_t<std::int64_t, py::array::c_style>;

// An (n, 2), C-contiguous, native float64 array of vertices.
DoubleArray require_vertices(const py::handle& obj, const char* name) {
    if (!py::isinstance<py::array>(obj)) throw std::invalid_argument(std::string(name) + " must be a numpy array");
    auto arr = py::reinterpret_borrow<py::array>(obj);
    if (arr.ndim() != 2 || arr.shape(1) != 2)
        throw std::invalid_argument(std::string(name) + " must have shape (n, 2), got ndim = " +
                                    std::to_string(arr.ndim()));
    if (!arr.dtype().is(py::dtype::of<double>()))
        throw std::invalid_argument(std::string(name) + " must have dtype float64, got " +
                                    py::str(arr.dtype()).cast<std::string>());
    if (!(arr.flags() & py::array::c_style)) throw std::invalid_argument(std::string(name) + " must be C-contiguous");
    return py::reinterpret_borrow<DoubleArray>(arr);
}

// A 1-d, C-contiguous, native int64 array of `size` entries.
Int64Array require_int64(const py::handle& obj, const char* name, py::ssize_t size) {
    if (!py::isinstance<py::array>(obj)) throw std::invalid_argument(std::string(name) + " must be a numpy array");
    auto arr = py::reinterpret_borrow<py::array>(obj);
    if (arr.ndim() != 1 || arr.shape(0) != size)
        throw std::invalid_argument(std::string(name) + " must be 1-d with " + std::to_string(size) + " entries");
    if (!arr.dtype().is(py::dtype::of<std::int64_t>()))
        throw std::invalid_argument(std::string(name) + " must have dtype int64, got " +
                                    py::str(arr.dtype()).cast<std::string>());
    if (!(arr.flags() & py::array::c_style)) throw std::invalid_argument(std::string(name) + " must be C-contiguous");
    return py::reinterpret_borrow<Int64Array>(arr);
}

std::size_t rows(const DoubleArray& a) { return static_cast<std::size_t>(a.shape(0)); }

}  // namespace

void bind_polygon(py::module_& m) {
    m.def("polygon_signed_area", [](py::handle xy) {
        DoubleArray a = require_vertices(xy, "polygon");
        return polygon_signed_area(a.data(), rows(a));
    }, py::arg("xy"));
    m.def("polygon_area", [](py::handle xy) {
        DoubleArray a = require_vertices(xy, "polygon");
        return polygon_area(a.data(), rows(a));
    }, py::arg("xy"));
    m.def("intersection_area", [](py::handle a, py::handle b) {
        DoubleArray aa = require_vertices(a, "a"), bb = require_vertices(b, "b");
        py::gil_scoped_release release;
        return intersection_area(aa.data(), rows(aa), bb.data(), rows(bb));
    }, py::arg("a"), py::arg("b"));
    m.def("polygon_iou", [](py::handle a, py::handle b) {
        DoubleArray aa = require_vertices(a, "a"), bb = require_vertices(b, "b");
        py::gil_scoped_release release;
        return polygon_iou(aa.data(), rows(aa), bb.data(), rows(bb));
    }, py::arg("a"), py::arg("b"));
    m.def("iou_distance_matrix",
          [](py::handle xy, py::handle offsets, py::object groups, int threads) {
              DoubleArray pts = require_vertices(xy, "xy");
              if (!py::isinstance<py::array>(offsets)) throw std::invalid_argument("offsets must be a numpy array");
              const py::ssize_t n_off = py::reinterpret_borrow<py::array>(offsets).shape(0);
              if (n_off < 1) throw std::invalid_argument("offsets must have at least 1 entry");
              Int64Array off = require_int64(offsets, "offsets", n_off);
              const py::ssize_t npoly = n_off - 1;
              if (off.data()[npoly] != pts.shape(0))
                  throw std::invalid_argument("offsets[-1] = " + std::to_string(off.data()[npoly]) +
                                              " must equal the number of vertices " + std::to_string(pts.shape(0)));
              Int64Array grp;
              const std::int64_t* grp_ptr = nullptr;
              if (!groups.is_none()) {
                  grp = require_int64(groups, "groups", npoly);
                  grp_ptr = grp.data();
              }
              DoubleArray out({npoly, npoly});
              double* out_ptr = out.mutable_data();
              {
                  py::gil_scoped_release release;
                  iou_distance_matrix(pts.data(), off.data(), static_cast<std::size_t>(npoly), grp_ptr, out_ptr,
                                      threads);
              }
              return out;
          },
          py::arg("xy"), py::arg("offsets"), py::arg("groups"), py::arg("threads"));
}

}  // namespace galforge::bindings

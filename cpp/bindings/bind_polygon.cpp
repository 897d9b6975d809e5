#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "arrays.hpp"
#include "galforge/polygon.hpp"
#include "galforge/ring_simple.hpp"

namespace galforge::bindings {

namespace {

using Int64Array = py::array_t<std::int64_t, py::array::c_style>;

// An (n, 2) float64 array of vertices.
DoubleArray require_vertices(const py::handle& obj, const char* name) {
    DoubleArray arr = require_array<double>(obj, name, 2);
    if (arr.shape(1) != 2)
        throw std::invalid_argument(std::string(name) + " must have shape (n, 2), got (" +
                                    std::to_string(arr.shape(0)) + ", " + std::to_string(arr.shape(1)) + ")");
    return arr;
}

// A 1-d int64 array of `size` entries.
Int64Array require_int64(const py::handle& obj, const char* name, py::ssize_t size) {
    Int64Array arr = require_array<std::int64_t>(obj, name, 1);
    if (arr.shape(0) != size)
        throw std::invalid_argument(std::string(name) + " must have " + std::to_string(size) + " entries, got " +
                                    std::to_string(arr.shape(0)));
    return arr;
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
              Int64Array off = require_array<std::int64_t>(offsets, "offsets", 1);
              const py::ssize_t n_off = off.shape(0);
              if (n_off < 1) throw std::invalid_argument("offsets must have at least 1 entry");
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
    m.def("rings_simplicity",
          [](py::handle xy, py::handle offsets) {
              DoubleArray pts = require_vertices(xy, "xy");
              Int64Array off = require_array<std::int64_t>(offsets, "offsets", 1);
              const py::ssize_t n_off = off.shape(0);
              if (n_off < 1) throw std::invalid_argument("offsets must have at least 1 entry");
              const std::int64_t* o = off.data();
              if (o[0] != 0) throw std::invalid_argument("offsets[0] = " + std::to_string(o[0]) + " must be 0");
              for (py::ssize_t k = 1; k < n_off; ++k)
                  if (o[k] < o[k - 1])
                      throw std::invalid_argument("offsets must not decrease: offsets[" + std::to_string(k) + "] = " +
                                                  std::to_string(o[k]) + " < " + std::to_string(o[k - 1]));
              if (o[n_off - 1] != pts.shape(0))
                  throw std::invalid_argument("offsets[-1] = " + std::to_string(o[n_off - 1]) +
                                              " must equal the number of vertices " + std::to_string(pts.shape(0)));
              py::array_t<std::int8_t> out(n_off - 1);
              std::int8_t* out_ptr = out.mutable_data();
              {
                  py::gil_scoped_release release;
                  rings_simplicity(pts.data(), o, static_cast<std::size_t>(n_off - 1), out_ptr);
              }
              return out;
          },
          py::arg("xy"), py::arg("offsets"));
}

}  // namespace galforge::bindings

// galforge.zooniverse.polygon_reduce's drawings: coordinate cells read from their text into float64
// arrays, and drawings (lists of numbers or such arrays) checked and packed in one call.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "galforge/drawings.hpp"

namespace py = pybind11;

namespace galforge::bindings {

namespace {

// The numbers of an exact list of exact floats / ints (within double's range) or of a 1-d float64
// array, appended to `out`; false (out unspecified) for anything else.
bool read_numbers(PyObject* o, std::vector<double>& out) {
    out.clear();
    if (PyList_CheckExact(o)) {
        const Py_ssize_t n = PyList_GET_SIZE(o);
        out.reserve(static_cast<std::size_t>(n));
        for (Py_ssize_t i = 0; i < n; ++i) {
            PyObject* item = PyList_GET_ITEM(o, i);
            if (PyFloat_CheckExact(item)) {
                out.push_back(PyFloat_AS_DOUBLE(item));
            } else if (PyLong_CheckExact(item)) {
                const double v = PyLong_AsDouble(item);
                if (v == -1.0 && PyErr_Occurred()) {  // beyond double's range
                    PyErr_Clear();
                    return false;
                }
                out.push_back(v);
            } else {
                return false;
            }
        }
        return true;
    }
    if (!py::isinstance<py::array>(o)) return false;
    auto arr = py::reinterpret_borrow<py::array>(o);
    if (arr.ndim() != 1 || !arr.dtype().is(py::dtype::of<double>())) return false;
    const auto* base = static_cast<const char*>(arr.data());
    const py::ssize_t stride = arr.strides(0);
    if (stride == static_cast<py::ssize_t>(sizeof(double))) {  // contiguous (the reader's arrays)
        out.resize(static_cast<std::size_t>(arr.shape(0)));
        if (!out.empty()) std::memcpy(out.data(), base, out.size() * sizeof(double));
        return true;
    }
    for (py::ssize_t i = 0; i < arr.shape(0); ++i) {
        double v;
        std::memcpy(&v, base + i * stride, sizeof v);
        out.push_back(v);
    }
    return true;
}

py::list checked_list(const py::handle& obj, const char* name) {
    if (!PyList_CheckExact(obj.ptr())) throw std::invalid_argument(std::string(name) + " must be a list");
    return py::reinterpret_borrow<py::list>(obj);
}

// ([p["x"] ...], [p["y"] ...]) of an exact list of exact dicts that all hold "x" and "y"; None otherwise.
py::object points_xy(py::handle points) {
    PyObject* v = points.ptr();
    if (!PyList_CheckExact(v)) return py::none();
    const Py_ssize_t n = PyList_GET_SIZE(v);
    py::str kx("x"), ky("y");
    py::list xs(n), ys(n);
    for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* p = PyList_GET_ITEM(v, i);
        if (!PyDict_CheckExact(p)) return py::none();
        PyObject* x = PyDict_GetItemWithError(p, kx.ptr());  // borrowed
        if (x == nullptr) {
            if (PyErr_Occurred()) throw py::error_already_set();
            return py::none();
        }
        PyObject* y = PyDict_GetItemWithError(p, ky.ptr());
        if (y == nullptr) {
            if (PyErr_Occurred()) throw py::error_already_set();
            return py::none();
        }
        Py_INCREF(x);
        PyList_SET_ITEM(xs.ptr(), i, x);
        Py_INCREF(y);
        PyList_SET_ITEM(ys.ptr(), i, y);
    }
    return py::make_tuple(xs, ys);
}

}  // namespace

void bind_drawings(py::module_& m) {
    m.def("points_xy", &points_xy, py::arg("points"),
          "([p['x'] ...], [p['y'] ...]) of an exact list of exact dicts that all hold 'x' and 'y'; None for anything "
          "else (the caller checks it its general way).");
    m.def("parse_number_lists",
          [](py::handle text) -> py::object {
              if (!PyUnicode_CheckExact(text.ptr())) throw std::invalid_argument("text must be a str");
              Py_ssize_t size = 0;
              const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
              if (data == nullptr) {  // lone surrogates: not a list of numbers
                  PyErr_Clear();
                  return py::none();
              }
              std::vector<double> values;
              std::vector<std::int64_t> offsets;
              bool ok;
              {
                  py::gil_scoped_release release;  // `text` (immutable) is held by the caller
                  ok = parse_number_lists(data, static_cast<std::size_t>(size), values, offsets);
              }
              if (!ok) return py::none();
              py::array_t<double> all(static_cast<py::ssize_t>(values.size()));  // one array, viewed per list
              if (!values.empty()) std::memcpy(all.mutable_data(), values.data(), sizeof(double) * values.size());
              py::list out(offsets.size() - 1);
              for (std::size_t k = 0; k + 1 < offsets.size(); ++k) {
                  PyObject* view = PySequence_GetSlice(all.ptr(), static_cast<Py_ssize_t>(offsets[k]),
                                                       static_cast<Py_ssize_t>(offsets[k + 1]));
                  if (view == nullptr) throw py::error_already_set();
                  PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(k), view);  // steals the reference
              }
              return std::move(out);
          },
          py::arg("text"),
          "A list of float64 arrays (views of one array) from the text of a list of lists of numbers as str() "
          "writes it; None for any other text (see galforge/drawings.hpp).");
    m.def("pack_drawings",
          [](py::handle xs_obj, py::handle ys_obj, double limit) {
              py::list xs = checked_list(xs_obj, "xs"), ys = checked_list(ys_obj, "ys");
              if (xs.size() != ys.size())
                  throw std::invalid_argument("xs and ys must have the same length, got " +
                                              std::to_string(xs.size()) + " and " + std::to_string(ys.size()));
              if (!(limit > 0.0)) throw std::invalid_argument("limit must be positive, got " + std::to_string(limit));
              const std::size_t n = xs.size();
              py::array_t<std::int8_t> status(static_cast<py::ssize_t>(n));
              py::array_t<std::int64_t> offsets(static_cast<py::ssize_t>(n + 1));
              std::int8_t* st = status.mutable_data();
              std::int64_t* off = offsets.mutable_data();
              std::size_t capacity = 0;  // the output's rows: every vertex of the lists and arrays it may read
              for (std::size_t k = 0; k < n; ++k) {
                  PyObject* o = PyList_GET_ITEM(xs.ptr(), static_cast<Py_ssize_t>(k));
                  if (PyList_CheckExact(o)) {
                      capacity += static_cast<std::size_t>(PyList_GET_SIZE(o));
                  } else if (py::isinstance<py::array>(o)) {
                      capacity += static_cast<std::size_t>(py::reinterpret_borrow<py::array>(o).size());
                  }
              }
              py::array_t<double> out({static_cast<py::ssize_t>(capacity), py::ssize_t{2}});
              double* xy = out.mutable_data();
              std::vector<double> x, y;
              off[0] = 0;
              for (std::size_t k = 0; k < n; ++k) {
                  off[k + 1] = off[k];
                  if (!read_numbers(PyList_GET_ITEM(xs.ptr(), static_cast<Py_ssize_t>(k)), x) ||
                      !read_numbers(PyList_GET_ITEM(ys.ptr(), static_cast<Py_ssize_t>(k)), y)) {
                      st[k] = -1;  // types left to numpy
                      continue;
                  }
                  if (x.size() != y.size()) {
                      st[k] = 1;  // malformed: numpy cannot stack them
                      continue;
                  }
                  st[k] = drawing_status(x.data(), y.data(), x.size(), limit);
                  if (st[k] != kUsable && st[k] != kAreaUncertain) continue;
                  std::size_t keep = x.size();
                  if (keep > 1 && x[0] == x[keep - 1] && y[0] == y[keep - 1]) --keep;  // the closing vertex
                  double* row = xy + 2 * off[k];  // off[k] + keep <= capacity: x was counted
                  for (std::size_t i = 0; i < keep; ++i) {
                      row[2 * i] = x[i];
                      row[2 * i + 1] = y[i];
                  }
                  off[k + 1] = off[k] + static_cast<std::int64_t>(keep);
              }
              py::object packed = out;
              if (static_cast<std::size_t>(off[n]) < capacity) {  // a view of the rows written
                  packed = py::reinterpret_steal<py::object>(
                      PySequence_GetSlice(out.ptr(), 0, static_cast<Py_ssize_t>(off[n])));
                  if (!packed) throw py::error_already_set();
              }
              return py::make_tuple(packed, offsets, status);
          },
          py::arg("xs"), py::arg("ys"), py::arg("limit"),
          "(xy, offsets, status) of drawings: per drawing (x list, y list) a DrawingStatus (galforge/drawings.hpp), "
          "1 for lists of different lengths, -1 for types it does not read (exact lists of exact floats / ints "
          "and 1-d float64 arrays); the vertices of usable ones (0, 5) packed, closing vertex dropped.");
}

}  // namespace galforge::bindings

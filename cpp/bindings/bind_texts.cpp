// Type checks for galforge.zooniverse.texts: whether a value is made only of the exact built-in
// types whose text orjson writes as str() does (digits aside), which in Python costs ~45 ns an item.
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace galforge::bindings {

namespace {

bool number(PyObject* o) { return PyFloat_CheckExact(o) || PyLong_CheckExact(o); }

// An exact list of exact floats / ints, or of exact lists of them (one level).
bool number_lists(py::handle value) {
    PyObject* v = value.ptr();
    if (!PyList_CheckExact(v)) return false;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); ++i) {
        PyObject* item = PyList_GET_ITEM(v, i);
        if (number(item)) continue;
        if (!PyList_CheckExact(item)) return false;
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(item); ++j)
            if (!number(PyList_GET_ITEM(item, j))) return false;
    }
    return true;
}

}  // namespace

void bind_texts(py::module_& m) {
    m.def("number_lists", &number_lists, py::arg("value"),
          "Whether value is an exact list of exact floats / ints or of exact lists of them (any object).");
}

}  // namespace galforge::bindings

// galforge._core: one bind_<concept>(m) per concept; no logic here.
#include <pybind11/pybind11.h>

#include <stdexcept>

namespace py = pybind11;

namespace galforge::bindings {
void bind_sersic(py::module_& m);
void bind_convolve(py::module_& m);
void bind_polygon(py::module_& m);
void bind_fit(py::module_& m);
void bind_preprocess(py::module_& m);
void bind_texts(py::module_& m);
void bind_drawings(py::module_& m);
}  // namespace galforge::bindings

PYBIND11_MODULE(_core, m) {
    m.doc() = "galforge C++ core (see the Python package for documentation)";
    // std::invalid_argument / std::domain_error from the core become galforge.GalforgeValueError.
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const std::invalid_argument& e) {
            py::object cls = py::module_::import("galforge.errors").attr("GalforgeValueError");
            PyErr_SetString(cls.ptr(), e.what());
        } catch (const std::domain_error& e) {
            py::object cls = py::module_::import("galforge.errors").attr("GalforgeValueError");
            PyErr_SetString(cls.ptr(), e.what());
        }
    });
    galforge::bindings::bind_sersic(m);
    galforge::bindings::bind_convolve(m);
    galforge::bindings::bind_polygon(m);
    galforge::bindings::bind_fit(m);
    galforge::bindings::bind_preprocess(m);
    galforge::bindings::bind_texts(m);
    galforge::bindings::bind_drawings(m);
}

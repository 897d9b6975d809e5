// Text helpers of galforge.zooniverse (texts, csvio), each exactly the standard library's result or a
// refusal (None) that sends the value to it: type checks that cost ~45 ns an item in Python (whether
// orjson writes a value as str() does; whether its parse holds a float it may have turned from an
// integer), str() of lists of short decimals, csv.reader's rows of a file's text and csv.writer's text
// of a table.
#include <pybind11/pybind11.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;

namespace galforge::bindings {

namespace {

bool number(PyObject* o) { return PyFloat_CheckExact(o) || PyLong_CheckExact(o); }

// An exact list of items for which is_item holds, or of exact lists of them (one level).
template <bool (*is_item)(PyObject*)>
bool lists_of(py::handle value) {
    PyObject* v = value.ptr();
    if (!PyList_CheckExact(v)) return false;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); ++i) {
        PyObject* item = PyList_GET_ITEM(v, i);
        if (is_item(item)) continue;
        if (!PyList_CheckExact(item)) return false;
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(item); ++j)
            if (!is_item(PyList_GET_ITEM(item, j))) return false;
    }
    return true;
}

// A number orjson writes as str() does, character for character: an exact int of 64 bits (signed or
// unsigned) or an exact float that is 0 or of magnitude in [1e-4, 1e16) (where repr uses no exponent).
bool plain_number(PyObject* o) {
    if (PyFloat_CheckExact(o)) {
        const double a = std::fabs(PyFloat_AS_DOUBLE(o));
        return a == 0.0 || (a >= 1e-4 && a < 1e16);
    }
    if (!PyLong_CheckExact(o)) return false;
    int overflow = 0;
    PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow == 0) return true;
    if (overflow < 0) return false;
    PyLong_AsUnsignedLongLong(o);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return false;
    }
    return true;
}

// Whether every float in a parsed JSON value (dicts, lists, str, int, float, bool, None) is below
// `limit` in magnitude; any other type gives false.
bool floats_below(PyObject* v, double limit, int depth) {
    if (depth > 2048) return false;  // orjson nests at most 1024 deep
    if (PyFloat_CheckExact(v)) return std::fabs(PyFloat_AS_DOUBLE(v)) < limit;
    if (PyList_CheckExact(v)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); ++i)
            if (!floats_below(PyList_GET_ITEM(v, i), limit, depth + 1)) return false;
        return true;
    }
    if (PyDict_CheckExact(v)) {
        Py_ssize_t pos = 0;
        PyObject *key, *item;
        while (PyDict_Next(v, &pos, &key, &item))
            if (!floats_below(item, limit, depth + 1)) return false;
        return true;
    }
    return PyLong_CheckExact(v) || PyUnicode_CheckExact(v) || PyBool_Check(v) || v == Py_None;
}

// The str of ASCII bytes with a space after every comma: orjson's compact text of a list of numbers
// with str()'s ", " separators (bytes.replace + decode make two passes and two copies).
py::str comma_space(const py::bytes& text) {
    char* data = nullptr;
    Py_ssize_t n = 0;
    if (PyBytes_AsStringAndSize(text.ptr(), &data, &n) != 0) throw py::error_already_set();
    Py_ssize_t commas = 0;
    unsigned char high = 0;
    for (Py_ssize_t i = 0; i < n; ++i) {  // no early exit: vectorised
        const auto c = static_cast<unsigned char>(data[i]);
        high |= c;
        commas += c == ',';
    }
    if (high > 127) throw std::invalid_argument("text must be ASCII");
    PyObject* out = PyUnicode_New(n + commas, 127);
    if (out == nullptr) throw py::error_already_set();
    auto* dst = reinterpret_cast<char*>(PyUnicode_1BYTE_DATA(out));
    const char* p = data;
    const char* const end = data + n;
    while (const auto* q = static_cast<const char*>(std::memchr(p, ',', static_cast<std::size_t>(end - p)))) {
        std::memcpy(dst, p, static_cast<std::size_t>(q - p + 1));
        dst += q - p + 1;
        *dst++ = ' ';
        p = q + 1;
    }
    std::memcpy(dst, p, static_cast<std::size_t>(end - p));
    return py::reinterpret_steal<py::str>(out);
}

// Writes the decimal u / 10^k (u < 10^15, no trailing fraction zero unless k = 0) as repr does at p.
char* write_decimal(std::uint64_t u, int k, char* p) {
    char digits[24];
    int n = static_cast<int>(std::to_chars(digits, digits + sizeof digits, u).ptr - digits);
    if (n <= k) {  // 0.0…: pad with zeros
        *p++ = '0';
        *p++ = '.';
        p = std::fill_n(p, k - n, '0');
        return std::copy_n(digits, n, p);
    }
    p = std::copy_n(digits, n - k, p);
    *p++ = '.';
    if (k == 0) {
        *p++ = '0';
        return p;
    }
    return std::copy_n(digits + n - k, k, p);
}

// Writes repr(v) at p for a float that is 0 or a decimal of at most 15 significant and 15 fraction digits
// in [1e-4, 1e16) (where repr uses no exponent) and returns its end (at most 24 characters); nullptr for any other
// float. The decimal is u / 10^k with the fewest fraction digits k such that the correctly rounded
// quotient (u < 10^15 and 10^k exact) is v: decimals of at most 15 digits have distinct nearest
// doubles, so no other decimal as short round-trips, and it is the shortest round-trip repr writes.
// |v| 10^k is within 0.2 of that decimal's u when it exists, so u = |v| 10^k rounded, and the
// division is tried only when |v| 10^k is that close to u. k = 2 is tried first (drawn coordinates:
// one test), its trailing zeros dropped; then k = 0, 1, ...
char* write_repr(double v, char* p) {
    static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const double a = std::fabs(v);
    if (std::signbit(v)) *p++ = '-';
    if (a == 0.0) return std::copy_n("0.0", 3, p);
    if (!(a >= 1e-4 && a < 1e16)) return nullptr;  // NaN, inf, beyond repr's fixed notation
    const auto decimal = [a](int k, std::uint64_t& u) {  // whether a is the double nearest u / 10^k
        const double x = a * kPow10[k];
        if (!(x < 1e15)) return false;
        u = static_cast<std::uint64_t>(x + 0.5);  // x rounded (exact: x < 2^50), no libm call
        const auto m = static_cast<double>(u);
        return m < 1e15 && std::fabs(x - m) < 0.25 && m / kPow10[k] == a;
    };
    std::uint64_t u = 0;
    if (decimal(2, u)) {
        const int k = u % 100 == 0 ? 0 : u % 10 == 0 ? 1 : 2;
        return write_decimal(k == 0 ? u / 100 : k == 1 ? u / 10 : u, k, p);
    }
    for (int k = 0; k < 16; ++k) {
        if (a * kPow10[k] >= 1e15) return nullptr;  // more than 15 digits
        if (decimal(k, u)) return write_decimal(u, k, p);
    }
    return nullptr;
}

// Writes str(o) at p (at most 24 characters) for an exact int of 64 bits or a float write_repr writes;
// returns its end, or nullptr for anything else.
char* write_number(PyObject* o, char* p) {
    if (PyFloat_CheckExact(o)) return write_repr(PyFloat_AS_DOUBLE(o), p);
    if (!PyLong_CheckExact(o)) return nullptr;
    int overflow = 0;
    const long long i = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow != 0) return nullptr;
    return std::to_chars(p, p + 24, i).ptr;
}

// A growing character buffer (not zero-filled).
class Buffer {
  public:
    char* room(std::size_t n) {  // space for n more characters at the end
        if (size_ + n > capacity_) {
            capacity_ = std::max(2 * capacity_, size_ + n);
            std::unique_ptr<char[]> grown(new char[capacity_]);
            if (size_) std::memcpy(grown.get(), data_.get(), size_);
            data_ = std::move(grown);
        }
        return data_.get() + size_;
    }
    void commit(const char* end) { size_ = static_cast<std::size_t>(end - data_.get()); }
    void append(const char* s, std::size_t n) {
        if (n) std::memcpy(room(n), s, n);
        size_ += n;
    }
    void push(char c) {
        *room(1) = c;
        ++size_;
    }
    void truncate(std::size_t n) { size_ = std::min(size_, n); }
    char* at(std::size_t i) { return data_.get() + i; }
    const char* data() const { return data_.get(); }
    std::size_t size() const { return size_; }

  private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0, capacity_ = 0;
};

// Appends str(v) of an exact list of numbers write_number writes, or of exact lists of them (one level);
// false (nothing appended) for anything else.
bool append_number_lists(PyObject* v, Buffer& out) {
    if (!PyList_CheckExact(v)) return false;
    std::size_t size = 2;  // the most characters: 26 an item ("-" 22 digits "." ", "), 4 a sublist
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); ++i) {
        PyObject* item = PyList_GET_ITEM(v, i);
        size += 30 + (PyList_CheckExact(item) ? 26 * static_cast<std::size_t>(PyList_GET_SIZE(item)) : 0);
    }
    char* p = out.room(size);
    *p++ = '[';
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); ++i) {
        if (i) p = std::copy_n(", ", 2, p);
        PyObject* item = PyList_GET_ITEM(v, i);
        if (PyList_CheckExact(item)) {
            *p++ = '[';
            for (Py_ssize_t j = 0; j < PyList_GET_SIZE(item); ++j) {
                if (j) p = std::copy_n(", ", 2, p);
                if ((p = write_number(PyList_GET_ITEM(item, j), p)) == nullptr) return false;
            }
            *p++ = ']';
        } else if ((p = write_number(item, p)) == nullptr) {
            return false;
        }
    }
    *p++ = ']';
    out.commit(p);
    return true;
}

// str(value) of an exact list of numbers write_number writes, or of exact lists of them (one level);
// None for anything else.
py::object number_lists_text(py::handle value) {
    Buffer out;
    if (!append_number_lists(value.ptr(), out)) return py::none();
    return py::str(out.data(), out.size());
}

// Appends a CSV cell as csv.writer writes it: quoted when it holds ',', '"' or '\n', its quotes doubled;
// false for a '\r' or NUL (csvio.csv_line leaves such rows to csv.writer).
bool append_cell(const char* s, std::size_t n, Buffer& out) {
    const auto has = [s, n](char c) { return std::memchr(s, c, n) != nullptr; };
    if (has('\r') || has('\0')) return false;
    if (!has(',') && !has('"') && !has('\n')) {
        out.append(s, n);
        return true;
    }
    out.push('"');
    for (const char* end = s + n; s < end;) {  // up to and with each quote, then the quote again
        const auto* q = static_cast<const char*>(std::memchr(s, '"', static_cast<std::size_t>(end - s)));
        const char* stop = q == nullptr ? end : q + 1;
        out.append(s, static_cast<std::size_t>(stop - s));
        if (q != nullptr) out.push('"');
        s = stop;
    }
    out.push('"');
    return true;
}

// Appends a str as a CSV cell; false for what append_cell declines or a str UTF-8 cannot encode.
bool append_str(PyObject* text, Buffer& out) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(text, &n);
    if (s == nullptr) {  // lone surrogates: left to the general writer (which raises as before)
        PyErr_Clear();
        return false;
    }
    return append_cell(s, static_cast<std::size_t>(n), out);
}

// Appends the cell of one value: nothing for a missing value or None, a str as it is, lists of numbers as
// number_lists_text writes them, anything else as cell_text(value) gives it (a str).
bool append_value(PyObject* v, PyObject* cell_text, Buffer& out) {
    if (v == nullptr || v == Py_None) return true;
    if (PyUnicode_CheckExact(v)) return append_str(v, out);
    if (PyList_CheckExact(v)) {
        const std::size_t start = out.size();
        out.push('"');
        if (append_number_lists(v, out)) {  // digits, '.', '-', brackets, ", ": quoted when it has a comma
            const std::size_t n = out.size() - start - 1;
            if (std::memchr(out.at(start + 1), ',', n) != nullptr) {
                out.push('"');
            } else {
                std::memmove(out.at(start), out.at(start + 1), n);
                out.truncate(start + n);
            }
            return true;
        }
        out.truncate(start);
    }
    const py::object text = py::reinterpret_steal<py::object>(PyObject_CallOneArg(cell_text, v));
    if (!text) throw py::error_already_set();
    if (!PyUnicode_CheckExact(text.ptr()))
        throw std::invalid_argument("cell_text must return a str, got " + std::string(Py_TYPE(text.ptr())->tp_name));
    return append_str(text.ptr(), out);
}

// csvio.write_rows's text: a header of columns, then per row (a list of (column, value) tuples; a
// column given twice keeps its last value) its cells in column order, each line as csvio.csv_line
// writes it; None where csv_line leaves rows to csv.writer (fewer than two columns, a '\r' or NUL)
// or for a str UTF-8 cannot encode.
py::object csv_text(py::handle columns, py::handle rows, py::handle cell_text) {
    if (!PyList_CheckExact(columns.ptr())) throw std::invalid_argument("columns must be a list of str");
    if (!PyList_CheckExact(rows.ptr())) throw std::invalid_argument("rows must be a list");
    if (!PyCallable_Check(cell_text.ptr())) throw std::invalid_argument("cell_text must be callable");
    const py::list names = py::reinterpret_borrow<py::list>(columns);
    const std::size_t n = names.size();
    py::dict index;
    for (std::size_t i = 0; i < n; ++i) {
        if (!PyUnicode_CheckExact(names[i].ptr())) throw std::invalid_argument("columns must be a list of str");
        index[names[i]] = py::int_(i);
    }
    if (n < 2) return py::none();
    const py::list all = py::reinterpret_borrow<py::list>(rows);
    std::size_t estimate = 64 * n;  // lists of numbers ~8 characters a number: one allocation, mostly
    for (std::size_t r = 0; r < all.size(); ++r) {
        PyObject* row = PyList_GET_ITEM(all.ptr(), static_cast<Py_ssize_t>(r));
        for (Py_ssize_t k = 0; PyList_CheckExact(row) && k < PyList_GET_SIZE(row); ++k) {
            PyObject* pair = PyList_GET_ITEM(row, k);
            PyObject* v = PyTuple_CheckExact(pair) && PyTuple_GET_SIZE(pair) == 2 ? PyTuple_GET_ITEM(pair, 1) : nullptr;
            estimate += 16;
            for (Py_ssize_t i = 0; v != nullptr && PyList_CheckExact(v) && i < PyList_GET_SIZE(v); ++i) {
                PyObject* item = PyList_GET_ITEM(v, i);
                estimate += 10 * static_cast<std::size_t>(PyList_CheckExact(item) ? PyList_GET_SIZE(item) + 1 : 1);
            }
        }
    }
    Buffer out;
    out.room(estimate);
    for (std::size_t i = 0; i < n; ++i) {
        if (i) out.push(',');
        if (!append_str(names[i].ptr(), out)) return py::none();
    }
    out.push('\n');
    std::vector<py::object> cells(n);  // owned: cell_text may run any code
    for (std::size_t r = 0; r < all.size(); ++r) {
        const py::object row = all[r];
        if (!PyList_CheckExact(row.ptr())) throw std::invalid_argument("rows must be lists of (column, value) tuples");
        std::fill(cells.begin(), cells.end(), py::object());
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(row.ptr()); ++k) {
            const py::object held = py::reinterpret_borrow<py::object>(PyList_GET_ITEM(row.ptr(), k));  // the
            PyObject* pair = held.ptr();  // lookup may run a key's __eq__, which may change the row
            if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2)
                throw std::invalid_argument("rows must be lists of (column, value) tuples");
            PyObject* i = PyDict_GetItemWithError(index.ptr(), PyTuple_GET_ITEM(pair, 0));
            if (i == nullptr) {
                if (PyErr_Occurred()) throw py::error_already_set();
                throw std::invalid_argument("row holds column " + py::repr(PyTuple_GET_ITEM(pair, 0)).cast<std::string>() +
                                            ", which is not in columns");
            }
            cells[PyLong_AsSize_t(i)] = py::reinterpret_borrow<py::object>(PyTuple_GET_ITEM(pair, 1));
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (i) out.push(',');
            if (!append_value(cells[i].ptr(), cell_text.ptr(), out)) return py::none();
        }
        out.push('\n');
    }
    PyObject* text = PyUnicode_DecodeUTF8(out.data(), static_cast<Py_ssize_t>(out.size()), nullptr);
    if (text == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(text);
}

// The first c in s[from:to], or to (memchr for 1-byte code units).
template <typename T>
Py_ssize_t find(const T* s, Py_ssize_t from, Py_ssize_t to, T c) {
    if constexpr (sizeof(T) == 1) {
        const void* p = std::memchr(s + from, c, static_cast<std::size_t>(to - from));
        return p == nullptr ? to : static_cast<const T*>(p) - s;
    } else {
        return std::find(s + from, s + to, c) - s;
    }
}

// csv.reader's rows of a whole file's text (code units of one PyUnicode kind, or UTF-8 bytes: each cell
// decoded, strictly) when csv.writer
// (lineterminator "\n") writes them back as that text; None otherwise (csvio.split_rows). A cell is
// quoted only if it holds ',', '"' or '\n' and the quotes enclose it whole, its quotes doubled;
// other cells hold no quote; no '\r' or NUL anywhere; every row has at least two cells.
template <typename T, bool kUtf8 = false>
py::object split_rows_of(PyObject* text, const T* s, Py_ssize_t n) {
    const auto slice = [text, s](Py_ssize_t a, Py_ssize_t b) {
        return kUtf8 ? PyUnicode_DecodeUTF8(reinterpret_cast<const char*>(s) + a, b - a, nullptr)
                     : PyUnicode_Substring(text, a, b);
    };
    if (n == 0 || s[n - 1] != '\n' || find(s, 0, n, T('\r')) < n || find(s, 0, n, T(0)) < n) return py::none();
    py::list rows, row;
    std::vector<T> unquoted;  // a quoted cell's text, quotes undoubled
    for (Py_ssize_t i = 0; i < n;) {  // i: the start of a cell
        PyObject* cell;
        if (s[i] == '"') {
            unquoted.clear();
            Py_ssize_t start = i + 1, j;
            for (;;) {  // j: the next quote; doubled, it is one quote of the cell
                j = find(s, start, n, T('"'));
                if (j == n) return py::none();  // unterminated
                if (j + 1 == n || s[j + 1] != '"') break;
                unquoted.insert(unquoted.end(), s + start, s + j + 1);
                start = j + 2;
            }
            unquoted.insert(unquoted.end(), s + start, s + j);
            const Py_ssize_t size = static_cast<Py_ssize_t>(unquoted.size());
            const bool doubled = size != j - i - 1;
            if (j + 1 == n || (s[j + 1] != ',' && s[j + 1] != '\n') ||
                (!doubled && find(unquoted.data(), 0, size, T(',')) == size &&
                 find(unquoted.data(), 0, size, T('\n')) == size))
                return py::none();  // quotes not around a whole cell, or around one the writer leaves unquoted
            cell = !doubled ? slice(i + 1, j)
                   : kUtf8  ? PyUnicode_DecodeUTF8(reinterpret_cast<const char*>(unquoted.data()), size, nullptr)
                            : PyUnicode_FromKindAndData(sizeof(T), unquoted.data(), size);
            i = j + 1;
        } else {
            const Py_ssize_t a = i;
            for (; s[i] != ',' && s[i] != '\n'; ++i)  // s ends with '\n'
                if (s[i] == '"') return py::none();
            cell = slice(a, i);
        }
        if (cell == nullptr) throw py::error_already_set();
        row.append(py::reinterpret_steal<py::object>(cell));
        if (s[i++] == '\n') {  // s[i] is ',' or '\n'
            if (row.size() < 2) return py::none();
            rows.append(row);
            row = py::list();
        }
    }
    return std::move(rows);
}

py::object split_rows(py::handle text) {
    PyObject* t = text.ptr();
    if (PyBytes_Check(t)) return split_rows_of<char, true>(t, PyBytes_AS_STRING(t), PyBytes_GET_SIZE(t));
    if (!PyUnicode_Check(t)) throw std::invalid_argument("text must be a str or UTF-8 bytes");
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(t) != 0) throw py::error_already_set();
#endif
    const Py_ssize_t n = PyUnicode_GET_LENGTH(t);
    switch (PyUnicode_KIND(t)) {
        case PyUnicode_1BYTE_KIND: return split_rows_of(t, PyUnicode_1BYTE_DATA(t), n);
        case PyUnicode_2BYTE_KIND: return split_rows_of(t, PyUnicode_2BYTE_DATA(t), n);
        default: return split_rows_of(t, PyUnicode_4BYTE_DATA(t), n);
    }
}

}  // namespace

void bind_texts(py::module_& m) {
    m.def("comma_space", &comma_space, py::arg("text"),
          "str of ASCII bytes with a space after every comma (orjson's list text with str()'s separators).");
    m.def("number_lists_text", &number_lists_text, py::arg("value"),
          "str(value) of an exact list of exact ints of 64 bits and floats 0 or of at most 15 significant and 15 "
          "fraction digits in [1e-4, 1e16), or of exact lists of them; None for anything else.");
    m.def("csv_text", &csv_text, py::arg("columns"), py::arg("rows"), py::arg("cell_text"),
          "The CSV text of a header of columns and rows of (column, value) tuples, as csvio.write_rows writes "
          "it (cells: None nothing, str as is, lists of numbers as number_lists_text, others cell_text(value)); "
          "None where csvio.csv_line leaves rows to csv.writer.");
    m.def("split_rows", &split_rows, py::arg("text"),
          "csv.reader's rows of a file's text (str, or UTF-8 bytes decoded cell by cell) when csv.writer writes "
          "them back as that text, else None "
          "(galforge.zooniverse.csvio.split_rows).");
    m.def("json_floats_below", [](py::handle value, double limit) { return floats_below(value.ptr(), limit, 0); },
          py::arg("value"), py::arg("limit"),
          "Whether every float in a parsed JSON value is below limit in magnitude (false for other types).");
    m.def("number_lists", &lists_of<number>, py::arg("value"),
          "Whether value is an exact list of exact floats / ints or of exact lists of them (any object).");
    m.def("plain_number_lists", &lists_of<plain_number>, py::arg("value"),
          "number_lists with every int of 64 bits and every float 0 or of magnitude in [1e-4, 1e16): the "
          "numbers orjson writes as str() does.");
}

}  // namespace galforge::bindings

#include "galforge/drawings.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace galforge {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Whether p starts ", " (two characters before end).
bool separator(const char* p, const char* end) { return end - p >= 2 && p[0] == ',' && p[1] == ' '; }

// Reads one number in JSON's grammar at p into v; returns its end, or nullptr when there is none or it
// is beyond double's range or subnormal. Clinger's exact case, a decimal of at most 15 significant
// digits and at most 22 fraction digits without exponent, is (an integer below 2^53) / 10^k with both
// exact in double: one correctly rounded division gives the correctly rounded value. Other numbers go
// to std::from_chars. The integer -0 is 0 (+0.0), as Python's int.
const char* read_number(const char* p, const char* end, double& v) {
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char* const start = p;
    const bool negative = p < end && *p == '-';
    if (negative) ++p;
    if (p == end) return nullptr;
    std::uint64_t digits = 0;  // wraps beyond 19 digits: then unused (count > 15)
    int count = 0, fraction = 0;
    if (*p == '0') {
        ++p;
    } else if (*p >= '1' && *p <= '9') {
        for (; p < end && digit(*p); ++p, ++count) digits = digits * 10 + static_cast<std::uint64_t>(*p - '0');
    } else {
        return nullptr;
    }
    bool integer = true, exponent = false;
    if (p < end && *p == '.') {
        const char* d = ++p;
        for (; p < end && digit(*p); ++p, ++count, ++fraction)
            digits = digits * 10 + static_cast<std::uint64_t>(*p - '0');
        if (p == d) return nullptr;
        integer = false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end && (*p == '+' || *p == '-')) ++p;
        const char* d = p;
        while (p < end && digit(*p)) ++p;
        if (p == d) return nullptr;
        integer = false;
        exponent = true;
    }
    if (!exponent && count <= 15 && fraction <= 22) {
        v = static_cast<double>(digits) / kPow10[fraction];
        if (negative) v = -v;
    } else {
        const std::from_chars_result r = std::from_chars(start, p, v);
        if (r.ec != std::errc() || r.ptr != p) return nullptr;  // beyond double's range
        if (v != 0.0 && std::fabs(v) < 2.2250738585072014e-308) return nullptr;  // subnormal: Python's
    }
    if (integer && v == 0.0) v = 0.0;
    return p;
}

}  // namespace

bool parse_number_lists(const char* text, std::size_t size, std::vector<double>& values,
                        std::vector<std::int64_t>& offsets) {
    values.clear();
    values.reserve(size / 4);  // ", " and at least one digit a number
    offsets.assign(1, 0);
    const char* p = text;
    const char* const end = text + size;
    if (p == end || *p != '[') return false;
    ++p;
    if (p < end && *p == ']') return p + 1 == end;
    for (;;) {
        if (p == end || *p != '[') return false;
        ++p;
        if (p < end && *p == ']') {
            ++p;
        } else {
            for (;;) {
                double v = 0.0;
                p = read_number(p, end, v);
                if (p == nullptr) return false;
                values.push_back(v);
                if (p < end && *p == ']') {
                    ++p;
                    break;
                }
                if (!separator(p, end)) return false;
                p += 2;
            }
        }
        offsets.push_back(static_cast<std::int64_t>(values.size()));
        if (p < end && *p == ']') return p + 1 == end;
        if (!separator(p, end)) return false;
        p += 2;
    }
}

DrawingStatus drawing_status(const double* x, const double* y, std::size_t k, double limit) {
    double largest = 0.0;  // comparisons rather than std::fmax (a libm call): the loops vectorise
    bool finite = true;
    for (std::size_t i = 0; i < k; ++i) {
        const double ax = std::fabs(x[i]), ay = std::fabs(y[i]);
        finite &= (ax <= std::numeric_limits<double>::max()) & (ay <= std::numeric_limits<double>::max());
        const double a = ax > ay ? ax : ay;
        largest = a > largest ? a : largest;
    }
    if (!finite) return kNonFinite;
    if (largest > limit) return kBeyondLimit;
    const std::size_t distinct = k > 1 && x[0] == x[k - 1] && y[0] == y[k - 1] ? k - 1 : k;
    if (distinct < 3) return kTooFewPoints;
    // Shoelace about the first vertex. GEOS sums (x_i - x_0)(y_{i-1} - y_{i+1}): each of the k terms is
    // at most 4 E^2 (E: the largest offset from the first vertex) and rounds by a few ulps, so any
    // such sum is within ~1e-15 k^2 E^2 of the true area; 1e-12 k^2 E^2 leaves a wide margin.
    double twice = 0.0, extent = 0.0;
    for (std::size_t i = 0; i < k; ++i) {
        const std::size_t j = i + 1 == k ? 0 : i + 1;
        const double xi = x[i] - x[0], yi = y[i] - y[0], xj = x[j] - x[0], yj = y[j] - y[0];
        twice += xi * yj - xj * yi;
        const double a = std::fabs(xi) > std::fabs(yi) ? std::fabs(xi) : std::fabs(yi);  // finite
        extent = a > extent ? a : extent;
    }
    const double n = static_cast<double>(k);
    if (!(extent > 1e-100) || !(std::fabs(twice) * 0.5 > 1e-12 * n * n * extent * extent)) return kAreaUncertain;
    return kUsable;
}

}  // namespace galforge

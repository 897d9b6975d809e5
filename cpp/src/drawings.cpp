#include "galforge/drawings.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace galforge {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// The end of a JSON number starting at p (nullptr if there is none); `integer` tells whether it has
// neither fraction nor exponent.
const char* json_number_end(const char* p, const char* end, bool& integer) {
    const char* q = p;
    if (q < end && *q == '-') ++q;
    if (q == end) return nullptr;
    if (*q == '0') {
        ++q;
    } else if (*q >= '1' && *q <= '9') {
        while (q < end && digit(*q)) ++q;
    } else {
        return nullptr;
    }
    integer = true;
    if (q < end && *q == '.') {
        const char* d = ++q;
        while (q < end && digit(*q)) ++q;
        if (q == d) return nullptr;
        integer = false;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        ++q;
        if (q < end && (*q == '+' || *q == '-')) ++q;
        const char* d = q;
        while (q < end && digit(*q)) ++q;
        if (q == d) return nullptr;
        integer = false;
    }
    return q;
}

// Whether p starts ", " (two characters before end).
bool separator(const char* p, const char* end) { return end - p >= 2 && p[0] == ',' && p[1] == ' '; }


// Clinger's exact case: a decimal of at most 15 significant digits and at most 22 fraction digits,
// without exponent, is (an integer below 2^53) / 10^k with both exact in double, so one correctly
// rounded division gives the correctly rounded value. Returns false when the text is not that case.
bool exact_decimal(const char* p, const char* q, double& v) {
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const bool negative = *p == '-';
    if (negative) ++p;
    std::uint64_t digits = 0;
    int count = 0, fraction = -1;
    for (; p < q; ++p) {
        if (*p == '.') {
            fraction = 0;
            continue;
        }
        if (!digit(*p)) return false;  // an exponent
        digits = digits * 10 + static_cast<std::uint64_t>(*p - '0');
        if (++count > 15) return false;
        if (fraction >= 0) ++fraction;
    }
    if (fraction > 22) return false;
    v = static_cast<double>(digits) / kPow10[fraction > 0 ? fraction : 0];
    if (negative) v = -v;
    return true;
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
                bool integer = false;
                const char* q = json_number_end(p, end, integer);
                if (q == nullptr) return false;
                double v = 0.0;
                if (!exact_decimal(p, q, v)) {
                    const std::from_chars_result r = std::from_chars(p, q, v);
                    if (r.ec != std::errc() || r.ptr != q) return false;  // beyond double's range
                    if (v != 0.0 && std::fabs(v) < 2.2250738585072014e-308) return false;  // subnormal: Python's
                }
                values.push_back(integer && v == 0.0 ? 0.0 : v);  // the integer -0 is 0
                p = q;
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
    double largest = 0.0;
    for (std::size_t i = 0; i < k; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) return kNonFinite;
        largest = std::fmax(largest, std::fmax(std::fabs(x[i]), std::fabs(y[i])));
    }
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
        extent = std::fmax(extent, std::fmax(std::fabs(xi), std::fabs(yi)));
    }
    const double n = static_cast<double>(k);
    if (!(extent > 1e-100) || !(std::fabs(twice) * 0.5 > 1e-12 * n * n * extent * extent)) return kAreaUncertain;
    return kUsable;
}

}  // namespace galforge

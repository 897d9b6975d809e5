// Zooniverse drawings (galforge.zooniverse.polygon_reduce): the text of their coordinate cells and the
// checks a drawing passes before it becomes a polygon.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace galforge {

// Reads the text of a list of lists of numbers exactly as Python's str() writes it ("[[1.5, -2], [],
// [3e-05]]": items separated by ", ", no other space, numbers in JSON's grammar) into `values`, list k
// being values[offsets[k] .. offsets[k + 1]). Numbers are converted by std::from_chars (correctly
// rounded, as Python's float() and int -> float); "-0" is the integer 0 (+0.0). Returns false on any
// other text and on a number beyond double's range or below its normal range (the caller then reads
// the text its general way); the outputs are then unspecified.
bool parse_number_lists(const char* text, std::size_t size, std::vector<double>& values,
                        std::vector<std::int64_t>& offsets);

enum DrawingStatus : std::int8_t {
    kUsable = 0,          // enough points, and a shoelace area certainly positive in any summation order
    kNonFinite = 2,       // a NaN or infinite coordinate
    kBeyondLimit = 3,     // a coordinate beyond `limit` in magnitude
    kTooFewPoints = 4,    // fewer than 3 points once a closing vertex (last == first) is dropped
    kAreaUncertain = 5,   // enough points; the area may round to 0 (or is 0): the caller asks GEOS
};

// The status of a drawing of k vertices (x[i], y[i]), checked in that order (polygon_reducer's order);
// the area is that of the ring as drawn (meaningful for a simple ring).
DrawingStatus drawing_status(const double* x, const double* y, std::size_t k, double limit);

}  // namespace galforge

// Whether polygon rings are simple (GEOS's IsSimple of a polygon's ring: no two edges meet except
// consecutive edges at their shared vertex; repeated consecutive vertices are ignored), decided
// only where that is certain in double arithmetic: every orientation test that decides it is far
// above its rounding error. Touching, collinear and nearly collinear configurations are left
// undecided for the caller to settle (e.g. with GEOS).
#pragma once
#include <cstddef>
#include <cstdint>

namespace galforge {

enum class RingSimplicity : std::int8_t { undecided = -1, not_simple = 0, simple = 1 };

// One ring of n vertices (x, y interleaved in xy), implicitly closed (a repeated closing vertex is
// allowed). Non-finite coordinates give `undecided`. No allocation beyond O(n) scratch.
RingSimplicity ring_simplicity(const double* xy, std::size_t n);

// `nring` rings packed in xy: ring k holds vertices offsets[k] .. offsets[k+1] - 1 (offsets has
// nring + 1 non-decreasing entries, offsets[0] = 0; not checked here). out[k] is ring k's result.
void rings_simplicity(const double* xy, const std::int64_t* offsets, std::size_t nring, std::int8_t* out);

}  // namespace galforge

// Polygon areas, exact intersection areas of simple polygons, IoU and pairwise IoU distances.
//
// A polygon is n >= 3 vertices (x, y), interleaved in one array `xy` of 2 n doubles, implicitly
// closed (the last vertex joins the first; do not repeat the first vertex), either orientation.
// Polygons must be simple (no self-intersection); that is not checked (the extractor repairs
// drawings before they get here). Intersection areas follow Green's theorem: the boundary of
// A ∩ B is the part of A's boundary inside B plus the part of B's boundary inside A, collinear
// overlapping edges counted once when they run the same way and not at all when they run opposite
// ways (../shared/reference/algorithms.md section 5). Edge pairs whose orientation tests are far from
// zero (certain signs) are handled by a fast path; touching, collinear and nearly collinear pairs by
// a general one (plain double arithmetic: exact for the integer or dyadic coordinates of shared and
// collinear edges, approximate elsewhere). See polygon.cpp for the method.
#pragma once
#include <cstddef>
#include <cstdint>

namespace galforge {

// Shoelace area: > 0 for counter-clockwise vertices. No validation (0 for n < 3).
double polygon_signed_area(const double* xy, std::size_t n);

// |signed area|; throws std::invalid_argument for n < 3 or non-finite coordinates.
double polygon_area(const double* xy, std::size_t n);

// Exact area of the intersection of two simple polygons. Throws std::invalid_argument naming
// the polygon ("a" or "b") for n < 3, non-finite coordinates or zero area.
double intersection_area(const double* a, std::size_t na, const double* b, std::size_t nb);

// Intersection over union, in [0, 1].
double polygon_iou(const double* a, std::size_t na, const double* b, std::size_t nb);

// Pairwise IoU distance 1 - IoU over `npoly` polygons packed in `xy` (all vertices, interleaved):
// polygon k holds vertices offsets[k] .. offsets[k+1] - 1 (offsets has npoly + 1 entries,
// offsets[0] = 0). `groups` (npoly entries, or nullptr): pairs i != j with the same group get
// +inf (the panoptes convention: drawings of one classification are never neighbours); the
// diagonal is 0; pairs whose bounding boxes do not overlap get 1 without edge work. `out` is a
// C-contiguous npoly x npoly matrix, filled completely (symmetric). Rows are shared over up to
// `threads` OpenMP threads (at most one per 1000 pairs). Throws std::invalid_argument naming the index of a polygon with
// fewer than 3 vertices, a non-finite coordinate or zero area.
void iou_distance_matrix(const double* xy, const std::int64_t* offsets, std::size_t npoly,
                         const std::int64_t* groups, double* out, int threads);

}  // namespace galforge

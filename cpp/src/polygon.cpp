// Polygon area, exact intersection area (Green's theorem edge clipping), IoU distance matrices.
// Compiled once per instruction set (GALFORGE_POLYGON_ISA names the namespace: baseline,
// x86_64_v3, x86_64_v4); polygon_dispatch.cpp chooses at run time. All builds give identical
// results (no contraction into FMA; the vector code repeats the scalar arithmetic).
//
// Intersection of rings A and B (both counter-clockwise): twice its area is the sum over A's edges
// of (fraction of the edge inside B) * cross(p - o, q - o), plus the same for B's edges inside A.
// 1. Contacts: every pair of an edge of A and an edge of B whose bounding boxes overlap is sorted,
//    by orientation tests against a threshold T far above their rounding error, into: certainly
//    disjoint, certainly crossing in the interior of both edges (with the crossing's parameters
//    along both edges and its direction), or degenerate (an end point on or within T of the other
//    edge's line: touching, collinear, shared vertices). The edges are kept in chunks of 8
//    consecutive edges with a bounding box each (freehand outlines are spatially coherent): only
//    pairs of chunks whose boxes overlap are looked at, the edges of A's chunk that meet the box
//    of B's chunk are picked with one vector comparison, and each is tested against the 8 edges
//    of B's chunk at once (box and orientations in vector registers); only contacts, which are
//    rare, leave the vector code.
// 2. Sums, per ring. Without degenerate contacts, crossings alternate between entering and
//    leaving the other ring along the boundary, so the inside pieces sum in closed form from the
//    crossings alone (alternating_sums: no sorting, O(crossings)), the edges between them from
//    per-ring prefix sums. Otherwise the ring is walked over its edges with contacts in order
//    (walk): the inside state toggles at each crossing; an edge with a degenerate contact is split
//    at all its contacts and each piece classified on its own by a point-in-polygon test,
//    collinear overlaps counted once when both edges run the same way (the general, slower path).
// Each pair of edges is classified once, so both rings see the same contacts; T bounds the
// "nearly collinear" tolerance of the general path, so a pair that path treats as collinear is
// always degenerate here, and a pair classified here as certain is treated alike there.
#include "galforge/polygon.hpp"
#include "polygon_isa.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#ifndef GALFORGE_POLYGON_ISA
#define GALFORGE_POLYGON_ISA baseline
#endif

GALFORGE_DECLARE_POLYGON_ISA(GALFORGE_POLYGON_ISA)  // this build's versions of polygon.hpp's functions

namespace galforge::polygon_isa::GALFORGE_POLYGON_ISA {

namespace {

struct Pt {
    double x, y;
};

struct Box {
    double x0, y0, x1, y1;
};

// Edges are tested in chunks of kChunk consecutive edges, each with its bounding box, by the
// point-in-polygon test and the general path: freehand outlines are spatially coherent, so most
// chunks are rejected with four comparisons.
constexpr std::size_t kChunk = 8;

inline std::size_t n_chunks(std::size_t n) { return (n + kChunk - 1) / kChunk; }

// Boxes as a structure of arrays (a vector comparison tests several at once).
struct Boxes {
    const double* x0 = nullptr;
    const double* x1 = nullptr;
    const double* y0 = nullptr;
    const double* y1 = nullptr;
};

// The edges of a ring as arrays in ring order (edge k from vertex k to k + 1), padded to whole
// chunks: end points p, q, bounding box and the largest absolute coordinate of the end points
// (which scales the degeneracy threshold). Edges of zero length and the padding get p = q =
// (+inf, +inf) and an empty box (x0 = +inf, x1 = -inf), which overlaps nothing.
struct EdgeArrays {
    const double* px = nullptr;
    const double* py = nullptr;
    const double* qx = nullptr;
    const double* qy = nullptr;
    const double* mag = nullptr;
    Boxes box{};
};

// A counter-clockwise ring (no repeated closing vertex) with its bounding box and its centre c,
// area, edge-chunk boxes (also as arrays, padded to a multiple of kChunk chunks with empty
// boxes), its edges as arrays, and prefix[k] = sum over edges e < k of cross(p_e - c, q_e - c)
// (n + 1 entries), which sums runs of edges in O(1).
struct Ring {
    const Pt* p = nullptr;
    std::size_t n = 0;
    Box box{};
    Pt c{};
    double area = 0.0;
    const Box* chunks = nullptr;  // chunk c: edges c*kChunk .. min((c+1)*kChunk, n) - 1
    Boxes chunk_boxes{};
    EdgeArrays e{};
    const double* prefix = nullptr;
};

// A contact of edge `ia` of A with edge `ib` of B: a certain crossing at parameters t along A's
// edge and u along B's, after which A is inside B when `a_in` and B inside A when `b_in`; or a
// degenerate contact (t = u = -1).
struct Contact {
    std::uint32_t ia, ib;
    double t, u;
    bool a_in, b_in;
};

// A contact seen from one ring: the edge, the parameter along it (-1: degenerate) and whether the
// ring is inside the other just after it.
struct Event {
    std::uint32_t edge;
    double t;
    bool in;
};

// A piece [lo, hi] of an edge that lies on the other polygon's boundary; `same`: both run the same way.
struct Overlap {
    double lo, hi;
    bool same;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

// Edge i of A against the chunk of B from edge j on; `hits`: the lanes (edges j + k) in contact.
struct EdgeChunk {
    std::uint32_t i, j, hits;
};

// Per-thread scratch, reused over pairs (sized for the largest ring; the contact list grows to
// the largest seen, then never allocates).
struct Scratch {
    std::vector<double> ts;                 // general path: split parameters of one edge
    std::vector<Overlap> overlaps;          // general path: collinear overlaps of one edge
    std::vector<EdgeChunk> candidates;      // find_contacts: edges of A against chunks of B
    std::vector<Contact> contacts;          // the first n_contacts entries
    std::size_t n_contacts = 0;
    bool degenerate = false;                // some contact is degenerate
    std::vector<Event> events;
    explicit Scratch(std::size_t max_vertices)
        : candidates(4 * max_vertices + kChunk), contacts(4 * max_vertices + kChunk) {
        ts.reserve(2 * max_vertices + 4);
        overlaps.reserve(max_vertices + 2);
        events.reserve(4 * max_vertices);
    }
};

inline double orient(Pt a, Pt b, Pt c) { return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x); }

inline double cross(Pt a, Pt b) { return a.x * b.y - b.x * a.y; }

// Whether edges pq and rt lie on one line up to rounding: every end point within ~1e-12 of the
// coordinates' magnitude from the other edge's line. Symmetric in the two edges, so that both
// walks of the intersection agree on which boundary pieces are shared (a piece seen as shared in
// one walk and as inside in the other would be counted twice).
inline bool nearly_collinear(Pt p, Pt q, Pt r, Pt t) {
    const double lpq = std::hypot(q.x - p.x, q.y - p.y), lrt = std::hypot(t.x - r.x, t.y - r.y);
    const double scale = std::max({std::fabs(p.x), std::fabs(p.y), std::fabs(q.x), std::fabs(q.y), std::fabs(r.x),
                                   std::fabs(r.y), std::fabs(t.x), std::fabs(t.y), lpq, lrt});
    const double tol = 1e-12 * scale;
    return std::fabs(orient(r, t, p)) <= tol * lrt && std::fabs(orient(r, t, q)) <= tol * lrt &&
           std::fabs(orient(p, q, r)) <= tol * lpq && std::fabs(orient(p, q, t)) <= tol * lpq;
}

// Degeneracy threshold T for end points of magnitude <= mag: above both the rounding error of
// orient (< 3e-15 mag^2) and nearly_collinear's tolerance times a length (<= 8e-12 mag^2).
inline double degeneracy_threshold(double mag) { return 1e-11 * mag * mag; }

inline bool boxes_overlap(const Box& a, const Box& b) {
    return !(a.x1 < b.x0 || b.x1 < a.x0 || a.y1 < b.y0 || b.y1 < a.y0);
}

// Even-odd crossing test; only called for points off the ring (up to rounding).
bool point_inside(const Ring& r, Pt m) {
    bool in = false;
    const std::size_t nc = n_chunks(r.n);
    for (std::size_t c = 0; c < nc; ++c) {
        const Box& cb = r.chunks[c];
        if (cb.y0 > m.y || cb.y1 <= m.y || cb.x1 < m.x) continue;  // no crossing of the +x ray here
        const std::size_t end = std::min(r.n, (c + 1) * kChunk);
        for (std::size_t j = c * kChunk; j < end; ++j) {
            const Pt a = r.p[j], b = r.p[j + 1 == r.n ? 0 : j + 1];
            if ((a.y > m.y) != (b.y > m.y)) {
                const double xi = a.x + (m.y - a.y) * (b.x - a.x) / (b.y - a.y);
                if (m.x < xi) in = !in;
            }
        }
    }
    return in;
}

// --- step 1: contacts -------------------------------------------------------------------------

// Position of the lowest set bit of m != 0.
inline std::size_t lowest_bit(unsigned m) {
#if defined(__GNUC__)
    return static_cast<std::size_t>(__builtin_ctz(m));
#else
    std::size_t k = 0;
    while (((m >> k) & 1u) == 0) ++k;
    return k;
#endif
}

// The vector kernels, 8, 4 or 1 lanes per instruction (AVX-512, AVX, others); each lane repeats
// the scalar arithmetic of orient() and degeneracy_threshold() operation for operation, so every
// instruction set finds the same contacts with the same values.
//
// overlap_mask: bit k set when box j + k of `b` overlaps `box` (kChunk boxes).
// chunk_hits: edge e = (p, q) of A (magnitude mag) against the kChunk edges f of B from position
// j on: bit k set when edge j + k and e have overlapping boxes and are not certainly apart (a
// contact), with the lanes' orientations in `o` (filled when some bit is set).
#if defined(__AVX512F__)
inline unsigned overlap_mask(const Boxes& b, std::size_t j, const Box& box) {
    __mmask8 m = _mm512_cmp_pd_mask(_mm512_loadu_pd(b.x0 + j), _mm512_set1_pd(box.x1), _CMP_LE_OQ);
    m = _mm512_mask_cmp_pd_mask(m, _mm512_loadu_pd(b.x1 + j), _mm512_set1_pd(box.x0), _CMP_GE_OQ);
    m = _mm512_mask_cmp_pd_mask(m, _mm512_loadu_pd(b.y0 + j), _mm512_set1_pd(box.y1), _CMP_LE_OQ);
    m = _mm512_mask_cmp_pd_mask(m, _mm512_loadu_pd(b.y1 + j), _mm512_set1_pd(box.y0), _CMP_GE_OQ);
    return m;
}

inline unsigned chunk_hits(Pt p, Pt q, double mag, const EdgeArrays& B, std::size_t j) {
    const unsigned box =
        overlap_mask(B.box, j, Box{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x), std::max(p.y, q.y)});
    const __m512d fpx = _mm512_loadu_pd(B.px + j), fpy = _mm512_loadu_pd(B.py + j);
    const __m512d fqx = _mm512_loadu_pd(B.qx + j), fqy = _mm512_loadu_pd(B.qy + j);
    const __m512d epx = _mm512_set1_pd(p.x), epy = _mm512_set1_pd(p.y);
    const __m512d edx = _mm512_set1_pd(q.x - p.x), edy = _mm512_set1_pd(q.y - p.y);
    const __m512d fdx = _mm512_sub_pd(fqx, fpx), fdy = _mm512_sub_pd(fqy, fpy);
    const __m512d d1 = _mm512_sub_pd(_mm512_mul_pd(fdx, _mm512_sub_pd(epy, fpy)), _mm512_mul_pd(fdy, _mm512_sub_pd(epx, fpx)));
    const __m512d d2 = _mm512_sub_pd(_mm512_mul_pd(fdx, _mm512_sub_pd(_mm512_set1_pd(q.y), fpy)),
                                     _mm512_mul_pd(fdy, _mm512_sub_pd(_mm512_set1_pd(q.x), fpx)));
    const __m512d d3 = _mm512_sub_pd(_mm512_mul_pd(edx, _mm512_sub_pd(fpy, epy)), _mm512_mul_pd(edy, _mm512_sub_pd(fpx, epx)));
    const __m512d d4 = _mm512_sub_pd(_mm512_mul_pd(edx, _mm512_sub_pd(fqy, epy)), _mm512_mul_pd(edy, _mm512_sub_pd(fqx, epx)));
    const __m512d fmag = _mm512_loadu_pd(B.mag + j), emag = _mm512_set1_pd(mag);
    const __m512d m = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(fmag, emag, _CMP_GT_OQ), emag, fmag);
    const __m512d lim = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(1e-11), m), m);
    const __m512d nlim = _mm512_sub_pd(_mm512_setzero_pd(), lim);
    const __mmask8 apart = static_cast<__mmask8>(
        _mm512_mask_cmp_pd_mask(_mm512_cmp_pd_mask(d1, lim, _CMP_GT_OQ), d2, lim, _CMP_GT_OQ) |
        _mm512_mask_cmp_pd_mask(_mm512_cmp_pd_mask(d1, nlim, _CMP_LT_OQ), d2, nlim, _CMP_LT_OQ) |
        _mm512_mask_cmp_pd_mask(_mm512_cmp_pd_mask(d3, lim, _CMP_GT_OQ), d4, lim, _CMP_GT_OQ) |
        _mm512_mask_cmp_pd_mask(_mm512_cmp_pd_mask(d3, nlim, _CMP_LT_OQ), d4, nlim, _CMP_LT_OQ));
    return box & ~static_cast<unsigned>(apart) & 0xffu;
}
#elif defined(__AVX__)
inline unsigned overlap_mask(const Boxes& b, std::size_t j, const Box& box) {
    unsigned m = 0;
    for (std::size_t h = 0; h < kChunk; h += 4) {
        const __m256d in = _mm256_and_pd(
            _mm256_and_pd(_mm256_cmp_pd(_mm256_loadu_pd(b.x0 + j + h), _mm256_set1_pd(box.x1), _CMP_LE_OQ),
                          _mm256_cmp_pd(_mm256_loadu_pd(b.x1 + j + h), _mm256_set1_pd(box.x0), _CMP_GE_OQ)),
            _mm256_and_pd(_mm256_cmp_pd(_mm256_loadu_pd(b.y0 + j + h), _mm256_set1_pd(box.y1), _CMP_LE_OQ),
                          _mm256_cmp_pd(_mm256_loadu_pd(b.y1 + j + h), _mm256_set1_pd(box.y0), _CMP_GE_OQ)));
        m |= static_cast<unsigned>(_mm256_movemask_pd(in)) << h;
    }
    return m;
}

inline unsigned chunk_hits(Pt p, Pt q, double mag, const EdgeArrays& B, std::size_t j) {
    const unsigned box =
        overlap_mask(B.box, j, Box{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x), std::max(p.y, q.y)});
    const __m256d epx = _mm256_set1_pd(p.x), epy = _mm256_set1_pd(p.y);
    const __m256d eqx = _mm256_set1_pd(q.x), eqy = _mm256_set1_pd(q.y);
    const __m256d edx = _mm256_set1_pd(q.x - p.x), edy = _mm256_set1_pd(q.y - p.y);
    const __m256d emag = _mm256_set1_pd(mag), scale = _mm256_set1_pd(1e-11);
    unsigned hits = 0;
    for (std::size_t h = 0; h < kChunk; h += 4) {
        const __m256d fpx = _mm256_loadu_pd(B.px + j + h), fpy = _mm256_loadu_pd(B.py + j + h);
        const __m256d fqx = _mm256_loadu_pd(B.qx + j + h), fqy = _mm256_loadu_pd(B.qy + j + h);
        const __m256d fdx = _mm256_sub_pd(fqx, fpx), fdy = _mm256_sub_pd(fqy, fpy);
        const __m256d d1 =
            _mm256_sub_pd(_mm256_mul_pd(fdx, _mm256_sub_pd(epy, fpy)), _mm256_mul_pd(fdy, _mm256_sub_pd(epx, fpx)));
        const __m256d d2 =
            _mm256_sub_pd(_mm256_mul_pd(fdx, _mm256_sub_pd(eqy, fpy)), _mm256_mul_pd(fdy, _mm256_sub_pd(eqx, fpx)));
        const __m256d d3 =
            _mm256_sub_pd(_mm256_mul_pd(edx, _mm256_sub_pd(fpy, epy)), _mm256_mul_pd(edy, _mm256_sub_pd(fpx, epx)));
        const __m256d d4 =
            _mm256_sub_pd(_mm256_mul_pd(edx, _mm256_sub_pd(fqy, epy)), _mm256_mul_pd(edy, _mm256_sub_pd(fqx, epx)));
        const __m256d m = _mm256_max_pd(_mm256_loadu_pd(B.mag + j + h), emag);
        const __m256d lim = _mm256_mul_pd(_mm256_mul_pd(scale, m), m);
        const __m256d nlim = _mm256_sub_pd(_mm256_setzero_pd(), lim);
        const __m256d apart = _mm256_or_pd(
            _mm256_or_pd(_mm256_and_pd(_mm256_cmp_pd(d1, lim, _CMP_GT_OQ), _mm256_cmp_pd(d2, lim, _CMP_GT_OQ)),
                         _mm256_and_pd(_mm256_cmp_pd(d1, nlim, _CMP_LT_OQ), _mm256_cmp_pd(d2, nlim, _CMP_LT_OQ))),
            _mm256_or_pd(_mm256_and_pd(_mm256_cmp_pd(d3, lim, _CMP_GT_OQ), _mm256_cmp_pd(d4, lim, _CMP_GT_OQ)),
                         _mm256_and_pd(_mm256_cmp_pd(d3, nlim, _CMP_LT_OQ), _mm256_cmp_pd(d4, nlim, _CMP_LT_OQ))));
        hits |= (static_cast<unsigned>(_mm256_movemask_pd(apart)) ^ 0xfu) << h;
    }
    return box & hits;
}
#elif defined(__GNUC__)
// Two lanes per operation (GCC / Clang vector extensions: SSE2, NEON).
using Pair = double __attribute__((vector_size(2 * sizeof(double))));
using PairMask = std::int64_t __attribute__((vector_size(2 * sizeof(double))));

inline Pair load_pair(const double* x) { return Pair{x[0], x[1]}; }

inline Pair splat(double x) { return Pair{x, x}; }

inline unsigned bits(PairMask m) { return static_cast<unsigned>((m[0] & 1) | ((m[1] & 1) << 1)); }

inline unsigned overlap_mask(const Boxes& b, std::size_t j, const Box& box) {
    const Pair bx0 = splat(box.x0), bx1 = splat(box.x1), by0 = splat(box.y0), by1 = splat(box.y1);
    unsigned m = 0;
    for (std::size_t h = 0; h < kChunk; h += 2) {
        const PairMask in = (load_pair(b.x0 + j + h) <= bx1) & (load_pair(b.x1 + j + h) >= bx0) &
                            (load_pair(b.y0 + j + h) <= by1) & (load_pair(b.y1 + j + h) >= by0);
        m |= bits(in) << h;
    }
    return m;
}

inline unsigned chunk_hits(Pt p, Pt q, double mag, const EdgeArrays& B, std::size_t j) {
    const unsigned box =
        overlap_mask(B.box, j, Box{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x), std::max(p.y, q.y)});
    const Pair epx = splat(p.x), epy = splat(p.y), eqx = splat(q.x), eqy = splat(q.y);
    const Pair edx = splat(q.x - p.x), edy = splat(q.y - p.y), scale = splat(1e-11);
    unsigned hits = 0;
    for (std::size_t h = 0; h < kChunk; h += 2) {
        const Pair fpx = load_pair(B.px + j + h), fpy = load_pair(B.py + j + h);
        const Pair fqx = load_pair(B.qx + j + h), fqy = load_pair(B.qy + j + h);
        const Pair fdx = fqx - fpx, fdy = fqy - fpy;
        const Pair d1 = fdx * (epy - fpy) - fdy * (epx - fpx);
        const Pair d2 = fdx * (eqy - fpy) - fdy * (eqx - fpx);
        const Pair d3 = edx * (fpy - epy) - edy * (fpx - epx);
        const Pair d4 = edx * (fqy - epy) - edy * (fqx - epx);
        const Pair fmag = load_pair(B.mag + j + h);
        const Pair m{fmag[0] > mag ? fmag[0] : mag, fmag[1] > mag ? fmag[1] : mag};
        const Pair lim = scale * m * m, nlim = splat(0.0) - lim;
        const PairMask apart = ((d1 > lim) & (d2 > lim)) | ((d1 < nlim) & (d2 < nlim)) | ((d3 > lim) & (d4 > lim)) |
                               ((d3 < nlim) & (d4 < nlim));
        hits |= (bits(apart) ^ 3u) << h;
    }
    return box & hits;
}
#else
inline unsigned overlap_mask(const Boxes& b, std::size_t j, const Box& box) {
    unsigned m = 0;
    for (std::size_t k = 0; k < kChunk; ++k)
        m |= static_cast<unsigned>((b.x0[j + k] <= box.x1) & (b.x1[j + k] >= box.x0) & (b.y0[j + k] <= box.y1) &
                                   (b.y1[j + k] >= box.y0))
             << k;
    return m;
}

inline unsigned chunk_hits(Pt p, Pt q, double mag, const EdgeArrays& B, std::size_t j) {
    unsigned hits = 0;
    for (unsigned m = overlap_mask(B.box, j, Box{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x),
                                                  std::max(p.y, q.y)});
         m != 0; m &= m - 1) {
        const std::size_t k = lowest_bit(m);
        const Pt r{B.px[j + k], B.py[j + k]}, t{B.qx[j + k], B.qy[j + k]};
        const double d1 = orient(r, t, p), d2 = orient(r, t, q), d3 = orient(p, q, r), d4 = orient(p, q, t);
        const double lim = degeneracy_threshold(std::max(B.mag[j + k], mag));
        const bool apart = ((d1 > lim) & (d2 > lim)) | ((d1 < -lim) & (d2 < -lim)) | ((d3 > lim) & (d4 > lim)) |
                           ((d3 < -lim) & (d4 < -lim));
        hits |= static_cast<unsigned>(!apart) << k;
    }
    return hits;
}
#endif

// Step 1 of the file comment: the pairs of edges of A and B that touch or cross, sorted into
// crossing or degenerate, into s.contacts, in three flat passes (few unpredictable branches):
// each chunk of A is paired with the chunks of B whose boxes overlap its own (8 at once), and the
// edges of A's chunk meeting the box of such a chunk of B listed (one vector test); each listed
// edge is tested against all 8 edges of its chunk of B (chunk_hits), keeping those with a
// contact; the rare contacts are written out.
void find_contacts(const Ring& A, const Ring& B, Scratch& s) {
    std::size_t n = 0;
    for (std::size_t ca = 0; ca < n_chunks(A.n); ++ca) {
        const std::size_t i0 = ca * kChunk;
        for (std::size_t g = 0; g < n_chunks(B.n); g += kChunk) {
            for (unsigned near = overlap_mask(B.chunk_boxes, g, A.chunks[ca]); near != 0; near &= near - 1) {
                const std::size_t cb = g + lowest_bit(near);
                if (s.candidates.size() < n + kChunk) s.candidates.resize(2 * (n + kChunk));
                EdgeChunk* cand = s.candidates.data();
                const unsigned ma = overlap_mask(A.e.box, i0, B.chunks[cb]);
                for (std::size_t l = 0; l < kChunk; ++l) {
                    cand[n] = EdgeChunk{static_cast<std::uint32_t>(i0 + l), static_cast<std::uint32_t>(cb * kChunk), 0};
                    n += (ma >> l) & 1u;
                }
            }
        }
    }
    EdgeChunk* cand = s.candidates.data();
    std::size_t nh = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = cand[k].i;
        const unsigned hits =
            chunk_hits(Pt{A.e.px[i], A.e.py[i]}, Pt{A.e.qx[i], A.e.qy[i]}, A.e.mag[i], B.e, cand[k].j);
        cand[nh] = EdgeChunk{cand[k].i, cand[k].j, hits};  // nh <= k
        nh += hits != 0 ? 1 : 0;
    }
    std::size_t nc = 0;
    bool degenerate = false;
    for (std::size_t k = 0; k < nh; ++k) {
        const std::size_t i = cand[k].i;
        const Pt p{A.e.px[i], A.e.py[i]}, q{A.e.qx[i], A.e.qy[i]};
        if (s.contacts.size() < nc + kChunk) s.contacts.resize(2 * (nc + kChunk));
        Contact* contacts = s.contacts.data();
        for (unsigned m = cand[k].hits; m != 0; m &= m - 1) {
            const std::size_t jb = cand[k].j + lowest_bit(m);
            const Pt r{B.e.px[jb], B.e.py[jb]}, t{B.e.qx[jb], B.e.qy[jb]};
            // The values chunk_hits had in this lane (the same operations).
            const double d1 = orient(r, t, p), d2 = orient(r, t, q), d3 = orient(p, q, r), d4 = orient(p, q, t);
            const double lim = degeneracy_threshold(std::max(B.e.mag[jb], A.e.mag[i]));
            const bool certain =
                (std::fabs(d1) > lim) & (std::fabs(d2) > lim) & (std::fabs(d3) > lim) & (std::fabs(d4) > lim);
            contacts[nc++] = Contact{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(jb),
                                     certain ? d1 / (d1 - d2) : -1.0, certain ? d3 / (d3 - d4) : -1.0, d2 > 0.0,
                                     d4 > 0.0};
            degenerate |= !certain;
        }
    }
    s.n_contacts = nc;
    s.degenerate = degenerate;
}

// The contacts seen from ring A (`of_a`) or B into s.events, sorted by edge, then parameter.
void sort_events(bool of_a, Scratch& s) {
    s.events.clear();
    for (std::size_t k = 0; k < s.n_contacts; ++k) {
        const Contact& c = s.contacts[k];
        s.events.push_back(of_a ? Event{c.ia, c.t, c.a_in} : Event{c.ib, c.u, c.b_in});
    }
    const auto before = [](const Event& a, const Event& b) {
        return a.edge < b.edge || (a.edge == b.edge && a.t < b.t);
    };
    if (s.events.size() > 32) {
        std::sort(s.events.begin(), s.events.end(), before);
        return;
    }
    for (std::size_t k = 1; k < s.events.size(); ++k) {  // insertion sort: usually a handful
        const Event v = s.events[k];
        std::size_t j = k;
        for (; j > 0 && before(v, s.events[j - 1]); --j) s.events[j] = s.events[j - 1];
        s.events[j] = v;
    }
}

// --- step 2: walks ----------------------------------------------------------------------------

// The general path for edge i of A: twice the Green's-theorem contribution of its pieces inside
// B, plus the pieces on B's boundary running the same way when `count_shared`. Coordinates
// relative to origin `o`. `state`: inside B at the edge's start (-1 unknown), updated to its end
// (-1 when the edge meets B's boundary). An edge found not to meet it keeps a known state: its
// midpoint may be a vertex of B lying on it up to rounding, where a point-in-polygon test fails.
double general_edge(const Ring& A, std::size_t i, const Ring& B, bool count_shared, Pt o, Scratch& s, int& state) {
    const std::size_t n = A.n, m = B.n;
    const Pt p = A.p[i], q = A.p[i + 1 == n ? 0 : i + 1];
    const Box e{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x), std::max(p.y, q.y)};
    s.ts.clear();
    s.overlaps.clear();
    const Pt d{q.x - p.x, q.y - p.y};
    const double dd = d.x * d.x + d.y * d.y;
    const std::size_t nc = n_chunks(m);
    for (std::size_t c = 0; c < nc; ++c) {
        if (!boxes_overlap(e, B.chunks[c])) continue;
        const std::size_t end = std::min(m, (c + 1) * kChunk);
        for (std::size_t j = c * kChunk; j < end; ++j) {
            const Pt r = B.p[j], t = B.p[j + 1 == m ? 0 : j + 1];
            if ((r.x < e.x0 && t.x < e.x0) || (r.x > e.x1 && t.x > e.x1) || (r.y < e.y0 && t.y < e.y0) ||
                (r.y > e.y1 && t.y > e.y1))
                continue;
            if (r.x == t.x && r.y == t.y) continue;
            const double d1 = orient(r, t, p), d2 = orient(r, t, q);
            if (nearly_collinear(p, q, r, t)) {  // collinear: project B's edge onto A's
                const double tr = ((r.x - p.x) * d.x + (r.y - p.y) * d.y) / dd;
                const double tt = ((t.x - p.x) * d.x + (t.y - p.y) * d.y) / dd;
                const double lo = std::max(0.0, std::min(tr, tt)), hi = std::min(1.0, std::max(tr, tt));
                if (lo < hi) {
                    s.overlaps.push_back({lo, hi, d.x * (t.x - r.x) + d.y * (t.y - r.y) > 0.0});
                    s.ts.push_back(lo);
                    s.ts.push_back(hi);
                } else if (lo == hi) {
                    s.ts.push_back(lo);
                }
                continue;
            }
            if ((d1 > 0.0 && d2 > 0.0) || (d1 < 0.0 && d2 < 0.0)) continue;
            const double d3 = orient(p, q, r), d4 = orient(p, q, t);
            if ((d3 > 0.0 && d4 > 0.0) || (d3 < 0.0 && d4 < 0.0)) continue;
            s.ts.push_back(std::min(1.0, std::max(0.0, d1 / (d1 - d2))));
        }
    }
    const Pt p0{p.x - o.x, p.y - o.y}, q0{q.x - o.x, q.y - o.y};
    if (s.ts.empty()) {
        if (state < 0) state = point_inside(B, Pt{0.5 * (p.x + q.x), 0.5 * (p.y + q.y)}) ? 1 : 0;
        return state == 1 ? cross(p0, q0) : 0.0;
    }
    state = -1;
    s.ts.push_back(0.0);
    s.ts.push_back(1.0);
    std::sort(s.ts.begin(), s.ts.end());
    double sum = 0.0;
    for (std::size_t k = 0; k + 1 < s.ts.size(); ++k) {
        const double ta = s.ts[k], tb = s.ts[k + 1];
        if (!(tb > ta)) continue;
        const double tm = 0.5 * (ta + tb);
        const Overlap* on = nullptr;
        for (const Overlap& ov : s.overlaps)
            if (ov.lo < tm && tm < ov.hi) {
                on = &ov;
                break;
            }
        const Pt a = ta == 0.0 ? p0 : Pt{p0.x + ta * d.x, p0.y + ta * d.y};
        const Pt b = tb == 1.0 ? q0 : Pt{p0.x + tb * d.x, p0.y + tb * d.y};
        if (on != nullptr) {
            if (on->same && count_shared) sum += cross(a, b);
            continue;
        }
        if (point_inside(B, Pt{p.x + tm * d.x, p.y + tm * d.y})) sum += cross(a, b);
    }
    return sum;
}

// Twice the Green's-theorem contribution of A's edges k .. l - 1 (indices modulo n, k <= l <= k + n),
// coordinates relative to `o`.
double run_sum(const Ring& A, std::size_t k, std::size_t l, Pt o) {
    const std::size_t n = A.n;
    double sum;
    if (l <= n) sum = A.prefix[l] - A.prefix[k];
    else if (k >= n) sum = A.prefix[l - n] - A.prefix[k - n];
    else sum = A.prefix[n] - A.prefix[k] + A.prefix[l - n];
    // cross(p - o, q - o) = cross(p - c, q - c) - cross(o - c, q - p), summed along the run.
    const Pt a = A.p[k % n], b = A.p[l % n];
    return sum - cross(Pt{o.x - A.c.x, o.y - A.c.y}, Pt{b.x - a.x, b.y - a.y});
}

// Inside state (0 or 1) of edges k .. l - 1 of A (modulo n), which do not meet B's boundary, from
// the midpoint of the first of non-zero length; -1 when all have zero length.
int run_state(const Ring& A, std::size_t k, std::size_t l, const Ring& B) {
    for (std::size_t i = k; i < l; ++i) {
        const Pt p = A.p[i % A.n], q = A.p[(i + 1) % A.n];
        if (p.x != q.x || p.y != q.y) return point_inside(B, Pt{0.5 * (p.x + q.x), 0.5 * (p.y + q.y)}) ? 1 : 0;
    }
    return -1;
}

// Step 2 of the file comment: twice the Green's-theorem contribution of A's boundary inside B
// (and on B's boundary, running the same way, when `count_shared`), coordinates relative to `o`.
// s.events: the contacts seen from A (sort_events).
double walk(const Ring& A, const Ring& B, bool count_shared, Pt o, Scratch& s) {
    const std::size_t n = A.n;
    const std::vector<Event>& ev = s.events;
    const std::size_t K = ev.size();
    if (K == 0) {  // A's boundary does not meet B's: A lies inside B or outside it
        const bool box_inside = A.box.x0 >= B.box.x0 && A.box.x1 <= B.box.x1 && A.box.y0 >= B.box.y0 &&
                                A.box.y1 <= B.box.y1;
        return box_inside && run_state(A, 0, n, B) == 1 ? 2.0 * A.area : 0.0;
    }
    // Start at an edge with a single crossing and no degenerate contact, if any: A is inside B at
    // its start exactly when it leaves B there. Else start with edges without contacts (whose
    // state a point-in-polygon test gives safely) when there are some. The events sorted by edge
    // then come in walking order from the start on, cyclically.
    std::size_t first = 0;
    int state = -1;  // inside B at the current vertex: -1 unknown, 0 no, 1 yes
    for (std::size_t g = 0; g < K;) {
        std::size_t k = 1;
        while (g + k < K && ev[g + k].edge == ev[g].edge) ++k;
        if (k == 1 && ev[g].t >= 0.0) {
            first = g;
            state = ev[g].in ? 0 : 1;
            break;
        }
        g += k;
    }
    std::size_t k0 = ev[first].edge;  // edges in walking order have positions k0 .. k0 + n - 1
    for (std::size_t g = 0; state < 0 && g < K;) {
        std::size_t k = 1;
        while (g + k < K && ev[g + k].edge == ev[g].edge) ++k;
        const std::size_t next = (g + k) % K, after = (ev[g].edge + 1) % n;
        if (ev[next].edge != after) {  // edge `after` has no contacts: start there
            first = next;
            k0 = after;
            break;
        }
        g += k;
    }
    double sum = 0.0;
    std::size_t pos = k0;  // position of the next edge not yet summed
    for (std::size_t g = 0; g < K;) {
        const std::size_t g0 = (first + g) % K;
        const std::size_t i = ev[g0].edge;
        std::size_t k = 1;  // events on edge i: ev[g0 .. g0 + k - 1] (never wraps: sorted by edge)
        while (g0 + k < K && ev[g0 + k].edge == i) ++k;
        g += k;
        const std::size_t at = i >= k0 ? i : i + n;
        if (pos < at) {  // the edges before i do not meet B's boundary
            if (state < 0) state = run_state(A, pos, at, B);
            if (state == 1) sum += run_sum(A, pos, at, o);
        }
        pos = at + 1;
        const Pt p = A.p[i], q = A.p[i + 1 == n ? 0 : i + 1];
        if (ev[g0].t < 0.0) {  // a degenerate contact: the general path
            sum += general_edge(A, i, B, count_shared, o, s, state);
            continue;
        }
        const Event* t = ev.data() + g0;  // k crossings, k + 1 pieces
        if (state < 0) {
            if (k == 1) {
                state = t[0].in ? 0 : 1;
            } else {  // classify the longest piece by its midpoint
                std::size_t best = 0;
                double best_len = -1.0, best_mid = 0.5;
                for (std::size_t j = 0; j <= k; ++j) {
                    const double lo = j == 0 ? 0.0 : t[j - 1].t, hi = j == k ? 1.0 : t[j].t;
                    if (hi - lo > best_len) {
                        best_len = hi - lo;
                        best_mid = 0.5 * (lo + hi);
                        best = j;
                    }
                }
                const Pt m{p.x + best_mid * (q.x - p.x), p.y + best_mid * (q.y - p.y)};
                state = (point_inside(B, m) ? 1 : 0) ^ static_cast<int>(best & 1);
            }
        }
        // The state toggles at each crossing: its parity, not the order of nearly coincident
        // crossings, decides the state further on.
        double inside = 0.0, lo = 0.0;
        for (std::size_t j = 0; j < k; ++j) {
            if (state) inside += t[j].t - lo;
            lo = t[j].t;
            state ^= 1;
        }
        if (state) inside += 1.0 - lo;
        sum += inside * cross(Pt{p.x - o.x, p.y - o.y}, Pt{q.x - o.x, q.y - o.y});
    }
    if (pos < k0 + n) {
        if (state < 0) state = run_state(A, pos, k0 + n, B);
        if (state == 1) sum += run_sum(A, pos, k0 + n, o);
    }
    return sum;
}

// Sums over one ring's certain crossings for alternating_sums.
struct CrossingSums {
    std::uint32_t first = std::numeric_limits<std::uint32_t>::max(), last = 0;  // edges with crossings
    std::size_t on_first = 0, on_last = 0;  // crossings on them
    bool in_first = false, in_last = false;  // whether the ring enters the other at them
    double f = 0.0, dx = 0.0, dy = 0.0;      // sums over the crossings of +-F and +-position

    void add(const Ring& A, std::uint32_t i, double t, bool in) {
        on_first += i == first ? 1 : 0;
        in_first = i == first ? in : in_first;
        on_last += i == last ? 1 : 0;
        in_last = i == last ? in : in_last;
        const double sign = in ? -1.0 : 1.0;
        const Pt p = A.p[i], q = A.p[i + 1 == A.n ? 0 : i + 1];
        f += sign * (A.prefix[i] + t * (A.prefix[i + 1] - A.prefix[i]));
        dx += sign * (p.x + t * (q.x - p.x));
        dy += sign * (p.y + t * (q.y - p.y));
    }

    // The ring's contribution, relative to o; false when both the first and the last edge hold
    // several crossings (their order would rest on rounded parameters).
    bool sum(const Ring& A, Pt o, double& out) const {
        bool inside0;  // vertex 0 inside the other ring
        if (on_last == 1) inside0 = in_last;
        else if (on_first == 1) inside0 = !in_first;
        else return false;
        // F is taken relative to A's centre c; relative to o, each inside piece X -> Y changes by
        // -cross(o - c, Y - X) (run_sum), and the whole ring not at all.
        out = f - cross(Pt{o.x - A.c.x, o.y - A.c.y}, Pt{dx, dy}) + (inside0 ? A.prefix[A.n] : 0.0);
        return true;
    }
};

// Twice the Green's-theorem contributions of A's boundary inside B (sum_a) and of B's inside A
// (sum_b), relative to o, when every contact is a certain crossing: along each ring the
// crossings then alternate between entering and leaving the other, so its inside pieces sum to
// sum_leaving F(c) - sum_entering F(c), plus the whole ring when its vertex 0 is inside the
// other, where F(c) integrates along the ring from vertex 0 to crossing c. Vertex 0 is inside
// when the last crossing before it (on the highest-numbered edge with crossings) enters the
// other ring, or else when the first crossing after it (on the lowest-numbered edge) leaves it.
// One pass over the contacts for both rings; ok_a / ok_b tell which sums could be anchored.
void alternating_sums(const Ring& A, const Ring& B, Pt o, const Scratch& s, bool& ok_a, double& sum_a, bool& ok_b,
                      double& sum_b) {
    CrossingSums ca, cb;
    for (std::size_t k = 0; k < s.n_contacts; ++k) {
        const Contact& c = s.contacts[k];
        ca.first = std::min(ca.first, c.ia);
        ca.last = std::max(ca.last, c.ia);
        cb.first = std::min(cb.first, c.ib);
        cb.last = std::max(cb.last, c.ib);
    }
    for (std::size_t k = 0; k < s.n_contacts; ++k) {
        const Contact& c = s.contacts[k];
        ca.add(A, c.ia, c.t, c.a_in);
        cb.add(B, c.ib, c.u, c.b_in);
    }
    ok_a = ca.sum(A, o, sum_a);
    ok_b = cb.sum(B, o, sum_b);
}

// Twice the Green's-theorem contribution of A's boundary inside B (and on it, running the same
// way, when `of_a`), coordinates relative to `o`, by the walk; needs find_contacts done.
double walk_sum(const Ring& A, const Ring& B, bool of_a, Pt o, Scratch& s) {
    sort_events(of_a, s);
    return walk(A, B, of_a, o, s);
}

double intersection(const Ring& A, const Ring& B, Scratch& s) {
    if (!boxes_overlap(A.box, B.box)) return 0.0;
    find_contacts(A, B, s);
    bool ok_a = false, ok_b = false;
    double sum_a = 0.0, sum_b = 0.0;
    if (!s.degenerate && s.n_contacts > 0) alternating_sums(A, B, A.c, s, ok_a, sum_a, ok_b, sum_b);
    if (!ok_a) sum_a = walk_sum(A, B, true, A.c, s);
    if (!ok_b) sum_b = walk_sum(B, A, false, A.c, s);
    const double twice = sum_a + sum_b;
    return std::min(std::max(0.5 * twice, 0.0), std::min(A.area, B.area));
}

std::string describe(const std::string& name) { return name.empty() ? "polygon" : "polygon " + name; }

// Checks the vertex count and finiteness.
void validate_vertices(const double* xy, std::size_t n, const std::string& name) {
    if (n < 3) {
        throw std::invalid_argument(describe(name) + " has " + std::to_string(n) +
                                    " vertices: expected at least 3");
    }
    for (std::size_t k = 0; k < 2 * n; ++k) {
        if (!std::isfinite(xy[k])) {
            std::ostringstream msg;
            msg << describe(name) << " has a non-finite coordinate " << xy[k] << " at vertex " << k / 2;
            throw std::invalid_argument(msg.str());
        }
    }
}

// Storage for rings (vertices, chunk boxes, edge arrays, prefix sums), sized once for `total`
// vertices in `count` rings, filled by add() one ring after the other.
class RingStore {
public:
    RingStore(std::size_t total, std::size_t count)
        : pts_(total), chunks_(total / kChunk + count), chunk_boxes_(4 * (total / kChunk + count * (kChunk + 1))),
          edges_(9 * chunks_.size() * kChunk), prefix_(total + count) {}

    // Checks vertex count, finiteness and area (naming the polygon `name` in errors); returns the
    // counter-clockwise ring of the n vertices xy.
    Ring add(const double* xy, std::size_t n, const std::string& name);

private:
    std::vector<Pt> pts_;
    std::vector<Box> chunks_;
    std::vector<double> chunk_boxes_;  // 4 arrays of chunk_boxes_.size() / 4
    std::vector<double> edges_;        // 9 arrays of edges_.size() / 9
    std::vector<double> prefix_;
    std::size_t n_pts_ = 0, n_chunks_ = 0, n_chunk_boxes_ = 0, n_rings_ = 0;
};

Ring RingStore::add(const double* xy, std::size_t n, const std::string& name) {
    validate_vertices(xy, n, name);
    const double signed_area = polygon_signed_area(xy, n);
    if (!(signed_area != 0.0)) throw std::invalid_argument(describe(name) + " has zero area");
    Pt* dst = pts_.data() + n_pts_;
    Box box{xy[0], xy[1], xy[0], xy[1]};
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t src = signed_area > 0.0 ? k : n - 1 - k;
        const Pt v{xy[2 * src], xy[2 * src + 1]};
        dst[k] = v;
        box = Box{std::min(box.x0, v.x), std::min(box.y0, v.y), std::max(box.x1, v.x), std::max(box.y1, v.y)};
    }
    const std::size_t nc = n_chunks(n), padded = (nc + kChunk - 1) / kChunk * kChunk;
    Box* chunks = chunks_.data() + n_chunks_;
    const std::size_t cstride = chunk_boxes_.size() / 4;
    double* cb0 = chunk_boxes_.data() + n_chunk_boxes_;
    const Boxes chunk_boxes{cb0, cb0 + cstride, cb0 + 2 * cstride, cb0 + 3 * cstride};
    for (std::size_t c = 0; c < padded; ++c) {
        Box cb{kInf, kInf, -kInf, -kInf};
        if (c < nc) {
            cb = Box{dst[c * kChunk].x, dst[c * kChunk].y, dst[c * kChunk].x, dst[c * kChunk].y};
            const std::size_t end = std::min(n, (c + 1) * kChunk);
            for (std::size_t k = c * kChunk + 1; k <= end; ++k) {  // edge end points, the last wraps to 0
                const Pt v = dst[k == n ? 0 : k];
                cb = Box{std::min(cb.x0, v.x), std::min(cb.y0, v.y), std::max(cb.x1, v.x), std::max(cb.y1, v.y)};
            }
            chunks[c] = cb;
        }
        cb0[c] = cb.x0;
        cb0[cstride + c] = cb.x1;
        cb0[2 * cstride + c] = cb.y0;
        cb0[3 * cstride + c] = cb.y1;
    }
    const std::size_t estride = edges_.size() / 9;
    double* e0 = edges_.data() + n_chunks_ * kChunk;
    double *px = e0, *py = e0 + estride, *qx = e0 + 2 * estride, *qy = e0 + 3 * estride, *mag = e0 + 4 * estride;
    double *x0 = e0 + 5 * estride, *x1 = e0 + 6 * estride, *y0 = e0 + 7 * estride, *y1 = e0 + 8 * estride;
    for (std::size_t k = 0; k < nc * kChunk; ++k) {
        const Pt p = dst[k < n ? k : 0], q = dst[k + 1 < n ? k + 1 : 0];
        const bool zero = p.x == q.x && p.y == q.y;  // padding: p = q = vertex 0
        px[k] = zero ? kInf : p.x;
        py[k] = zero ? kInf : p.y;
        qx[k] = zero ? kInf : q.x;
        qy[k] = zero ? kInf : q.y;
        mag[k] = std::max({std::fabs(p.x), std::fabs(p.y), std::fabs(q.x), std::fabs(q.y)});
        x0[k] = zero ? kInf : std::min(p.x, q.x);
        x1[k] = zero ? -kInf : std::max(p.x, q.x);
        y0[k] = zero ? kInf : std::min(p.y, q.y);
        y1[k] = zero ? -kInf : std::max(p.y, q.y);
    }
    const Pt c{0.5 * (box.x0 + box.x1), 0.5 * (box.y0 + box.y1)};
    double* prefix = prefix_.data() + n_pts_ + n_rings_;
    prefix[0] = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        const Pt p = dst[k], q = dst[k + 1 == n ? 0 : k + 1];
        prefix[k + 1] = prefix[k] + cross(Pt{p.x - c.x, p.y - c.y}, Pt{q.x - c.x, q.y - c.y});
    }
    n_pts_ += n;
    n_chunks_ += nc;
    n_chunk_boxes_ += padded;
    ++n_rings_;
    return Ring{dst, n, box, c, std::fabs(signed_area), chunks, chunk_boxes,
                EdgeArrays{px, py, qx, qy, mag, Boxes{x0, x1, y0, y1}}, prefix};
}

}  // namespace

double polygon_signed_area(const double* xy, std::size_t n) {
    if (n < 3) return 0.0;
    // Relative to the first vertex, which keeps the cancellation small for far-off polygons.
    const double x0 = xy[0], y0 = xy[1];
    double sum = 0.0;
    for (std::size_t k = 1; k + 1 < n; ++k) {
        const double ax = xy[2 * k] - x0, ay = xy[2 * k + 1] - y0;
        const double bx = xy[2 * k + 2] - x0, by = xy[2 * k + 3] - y0;
        sum += ax * by - bx * ay;
    }
    return 0.5 * sum;
}

double polygon_area(const double* xy, std::size_t n) {
    validate_vertices(xy, n, "");
    return std::fabs(polygon_signed_area(xy, n));
}

namespace {

// Intersection area of two polygons given as raw vertices; their areas in `area_a`, `area_b`.
double checked_intersection(const double* a, std::size_t na, const double* b, std::size_t nb, double& area_a,
                            double& area_b) {
    RingStore store(na + nb, 2);
    const Ring ra = store.add(a, na, "a");
    const Ring rb = store.add(b, nb, "b");
    Scratch s(std::max(na, nb));
    area_a = ra.area;
    area_b = rb.area;
    return intersection(ra, rb, s);
}

}  // namespace

double intersection_area(const double* a, std::size_t na, const double* b, std::size_t nb) {
    double area_a, area_b;
    return checked_intersection(a, na, b, nb, area_a, area_b);
}

double polygon_iou(const double* a, std::size_t na, const double* b, std::size_t nb) {
    double area_a, area_b;
    const double inter = checked_intersection(a, na, b, nb, area_a, area_b);
    return inter / (area_a + area_b - inter);
}

void iou_distance_matrix(const double* xy, const std::int64_t* offsets, std::size_t npoly,
                         const std::int64_t* groups, double* out, int threads) {
    if (threads < 1) throw std::invalid_argument("threads = " + std::to_string(threads) + " is invalid: expected >= 1");
    if (npoly == 0) return;
    if (offsets[0] != 0) throw std::invalid_argument("offsets[0] = " + std::to_string(offsets[0]) + " is invalid: expected 0");
    for (std::size_t k = 0; k < npoly; ++k) {
        if (offsets[k + 1] < offsets[k])
            throw std::invalid_argument("offsets are invalid: offsets[" + std::to_string(k + 1) + "] = " +
                                        std::to_string(offsets[k + 1]) + " < offsets[" + std::to_string(k) +
                                        "] = " + std::to_string(offsets[k]));
    }
    const std::size_t total = static_cast<std::size_t>(offsets[npoly]);
    RingStore store(total, npoly);
    std::vector<Ring> rings(npoly);
    std::size_t max_n = 0;
    for (std::size_t k = 0; k < npoly; ++k) {
        const std::size_t begin = static_cast<std::size_t>(offsets[k]);
        const std::size_t n = static_cast<std::size_t>(offsets[k + 1]) - begin;
        rings[k] = store.add(xy + 2 * begin, n, std::to_string(k));
        max_n = std::max(max_n, n);
    }
    const double inf = std::numeric_limits<double>::infinity();
    const std::ptrdiff_t rows = static_cast<std::ptrdiff_t>(npoly);
    // A thread gets at least kPairsPerThread pairs (about a millisecond of work): waking threads
    // for less costs more than it saves.
    constexpr std::size_t kPairsPerThread = 1000;
    const std::size_t pairs = npoly * (npoly - 1) / 2;
    const auto nthreads =
        static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(threads, pairs / kPairsPerThread)));
#pragma omp parallel num_threads(nthreads) if (nthreads > 1)
    {
        Scratch s(max_n);
#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t ii = 0; ii < rows; ++ii) {
            const std::size_t i = static_cast<std::size_t>(ii);
            out[i * npoly + i] = 0.0;
            for (std::size_t j = i + 1; j < npoly; ++j) {
                double dist;
                if (groups != nullptr && groups[i] == groups[j]) {
                    dist = inf;
                } else if (!boxes_overlap(rings[i].box, rings[j].box)) {
                    dist = 1.0;
                } else {
                    const double inter = intersection(rings[i], rings[j], s);
                    dist = std::min(1.0, std::max(0.0, 1.0 - inter / (rings[i].area + rings[j].area - inter)));
                }
                out[i * npoly + j] = dist;
            }
        }
    }
    // The lower triangle mirrors the upper one afterwards, in tiles: threads writing both rows and
    // columns would share cache lines (rows i and i + 1 write neighbouring entries of every column).
    constexpr std::size_t kTile = 64;
    for (std::size_t i0 = 0; i0 < npoly; i0 += kTile)
        for (std::size_t j0 = i0; j0 < npoly; j0 += kTile)
            for (std::size_t i = i0; i < std::min(npoly, i0 + kTile); ++i)
                for (std::size_t j = std::max(j0, i + 1); j < std::min(npoly, j0 + kTile); ++j)
                    out[j * npoly + i] = out[i * npoly + j];
}

}  // namespace galforge::polygon_isa::GALFORGE_POLYGON_ISA

// Polygon area, exact intersection area (Green's theorem edge clipping), IoU distance matrices.
#include "galforge/polygon.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace galforge {

namespace {

struct Pt {
    double x, y;
};

struct Box {
    double x0, y0, x1, y1;
};

// Edges are tested in chunks of kChunk consecutive edges, each with its bounding box: freehand
// outlines are spatially coherent, so most chunks are rejected with four comparisons.
constexpr std::size_t kChunk = 8;

inline std::size_t n_chunks(std::size_t n) { return (n + kChunk - 1) / kChunk; }

// A counter-clockwise ring (no repeated closing vertex) with its bounding box, edge-chunk boxes and area.
struct Ring {
    const Pt* p = nullptr;
    std::size_t n = 0;
    Box box{};
    double area = 0.0;
    const Box* chunks = nullptr;  // chunk c: edges c*kChunk .. min((c+1)*kChunk, n) - 1
};

// A piece [lo, hi] of an edge that lies on the other polygon's boundary; `same`: both run the same way.
struct Overlap {
    double lo, hi;
    bool same;
};

// Per-thread scratch: split parameters and collinear overlaps of one edge (capacity reserved once).
struct Scratch {
    std::vector<double> ts;
    std::vector<Overlap> overlaps;
    void reserve(std::size_t max_vertices) {
        ts.reserve(2 * max_vertices + 4);
        overlaps.reserve(max_vertices + 2);
    }
};

inline double orient(Pt a, Pt b, Pt c) { return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x); }

// Whether edges pq and rt lie on one line up to rounding: every end point within ~1e-12 of the
// coordinates' magnitude from the other edge's line. Symmetric in the two edges, so that both
// passes of the intersection agree on which boundary pieces are shared (a piece seen as shared in
// one pass and as inside in the other would be counted twice).
inline bool nearly_collinear(Pt p, Pt q, Pt r, Pt t) {
    const double lpq = std::hypot(q.x - p.x, q.y - p.y), lrt = std::hypot(t.x - r.x, t.y - r.y);
    const double scale = std::max({std::fabs(p.x), std::fabs(p.y), std::fabs(q.x), std::fabs(q.y), std::fabs(r.x),
                                   std::fabs(r.y), std::fabs(t.x), std::fabs(t.y), lpq, lrt});
    const double tol = 1e-12 * scale;
    return std::fabs(orient(r, t, p)) <= tol * lrt && std::fabs(orient(r, t, q)) <= tol * lrt &&
           std::fabs(orient(p, q, r)) <= tol * lpq && std::fabs(orient(p, q, t)) <= tol * lpq;
}

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

// Twice the Green's-theorem contribution of the pieces of A's boundary inside B, plus the pieces on
// B's boundary running the same way when `count_shared`. Coordinates relative to origin `o`.
double clipped_boundary(const Ring& A, const Ring& B, bool count_shared, Pt o, Scratch& s) {
    double sum = 0.0;
    int state = -1;  // classification of the previous contact-free edge: -1 unknown, 0 outside, 1 inside
    const std::size_t n = A.n, m = B.n;
    for (std::size_t i = 0; i < n; ++i) {
        const Pt p = A.p[i], q = A.p[i + 1 == n ? 0 : i + 1];
        if (p.x == q.x && p.y == q.y) continue;
        const Box e{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x), std::max(p.y, q.y)};
        if (!boxes_overlap(e, B.box)) {
            state = 0;
            continue;
        }
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
        if (s.ts.empty()) {  // the edge does not meet B's boundary: one state for all of it
            if (state < 0) state = point_inside(B, Pt{0.5 * (p.x + q.x), 0.5 * (p.y + q.y)}) ? 1 : 0;
            if (state == 1) sum += p0.x * q0.y - q0.x * p0.y;
            continue;
        }
        s.ts.push_back(0.0);
        s.ts.push_back(1.0);
        std::sort(s.ts.begin(), s.ts.end());
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
                if (on->same && count_shared) sum += a.x * b.y - b.x * a.y;
                continue;
            }
            if (point_inside(B, Pt{p.x + tm * d.x, p.y + tm * d.y})) sum += a.x * b.y - b.x * a.y;
        }
        // The next edge classifies itself afresh: near a vertex that touches B, the contact may be
        // seen from one of its two edges only (rounding), and the last piece here may be tiny.
        state = -1;
    }
    return sum;
}

double intersection(const Ring& A, const Ring& B, Scratch& s) {
    if (!boxes_overlap(A.box, B.box)) return 0.0;
    const Pt o{0.5 * (A.box.x0 + A.box.x1), 0.5 * (A.box.y0 + A.box.y1)};
    const double twice = clipped_boundary(A, B, true, o, s) + clipped_boundary(B, A, false, o, s);
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

// Checks vertex count, finiteness and area; writes the counter-clockwise copy into `dst`.
// `chunk_dst` receives n_chunks(n) boxes.
void make_ring(const double* xy, std::size_t n, const std::string& name, Pt* dst, Box* chunk_dst, Ring& ring) {
    validate_vertices(xy, n, name);
    const double signed_area = polygon_signed_area(xy, n);
    if (!(signed_area != 0.0)) throw std::invalid_argument(describe(name) + " has zero area");
    Box box{xy[0], xy[1], xy[0], xy[1]};
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t src = signed_area > 0.0 ? k : n - 1 - k;
        dst[k] = Pt{xy[2 * src], xy[2 * src + 1]};
        box.x0 = std::min(box.x0, dst[k].x);
        box.x1 = std::max(box.x1, dst[k].x);
        box.y0 = std::min(box.y0, dst[k].y);
        box.y1 = std::max(box.y1, dst[k].y);
    }
    for (std::size_t c = 0; c < n_chunks(n); ++c) {
        Box cb{dst[c * kChunk].x, dst[c * kChunk].y, dst[c * kChunk].x, dst[c * kChunk].y};
        const std::size_t end = std::min(n, (c + 1) * kChunk);
        for (std::size_t k = c * kChunk + 1; k <= end; ++k) {  // edge end points, the last wraps to 0
            const Pt v = dst[k == n ? 0 : k];
            cb = Box{std::min(cb.x0, v.x), std::min(cb.y0, v.y), std::max(cb.x1, v.x), std::max(cb.y1, v.y)};
        }
        chunk_dst[c] = cb;
    }
    ring = Ring{dst, n, box, std::fabs(signed_area), chunk_dst};
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
    std::vector<Pt> pa(na), pb(nb);
    std::vector<Box> ca(n_chunks(na)), cb(n_chunks(nb));
    Ring ra, rb;
    make_ring(a, na, "a", pa.data(), ca.data(), ra);
    make_ring(b, nb, "b", pb.data(), cb.data(), rb);
    Scratch s;
    s.reserve(std::max(na, nb));
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
    std::vector<Pt> pts(total);
    std::vector<Box> chunks(total + npoly * kChunk);  // >= sum of n_chunks over the polygons
    std::vector<Ring> rings(npoly);
    std::size_t chunk_pos = 0;
    std::size_t max_n = 0;
    for (std::size_t k = 0; k < npoly; ++k) {
        const std::size_t begin = static_cast<std::size_t>(offsets[k]);
        const std::size_t n = static_cast<std::size_t>(offsets[k + 1]) - begin;
        make_ring(xy + 2 * begin, n, std::to_string(k), pts.data() + begin, chunks.data() + chunk_pos, rings[k]);
        chunk_pos += n_chunks(n);
        max_n = std::max(max_n, n);
    }
    const double inf = std::numeric_limits<double>::infinity();
    const std::ptrdiff_t rows = static_cast<std::ptrdiff_t>(npoly);
    const int nthreads = static_cast<int>(std::min<std::ptrdiff_t>(threads, rows));
#pragma omp parallel num_threads(nthreads) if (nthreads > 1)
    {
        Scratch s;
        s.reserve(max_n);
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
                out[j * npoly + i] = dist;
            }
        }
    }
}

}  // namespace galforge

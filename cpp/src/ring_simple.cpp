// Simplicity of polygon rings (see ring_simple.hpp), as GEOS's IsSimple decides it for a polygon:
// once repeated consecutive vertices are dropped, a ring is simple when no two edges touch except
// consecutive edges at their shared vertex (consecutive edges that overlap, a spike, are not simple).
//
// Broad phase: the edges are split into monotone chains (runs where neither dx nor dy changes
// sign), as GEOS does; two edges of one chain that are not consecutive never meet (one lies
// componentwise before the other's start), so only pairs of edges from two chains whose boxes
// overlap are tested.
//
// Orientations: plain double arithmetic first; its error is below 3e-15 mag^2 (mag: the largest
// |coordinate|), so a value beyond T = 1e-11 mag^2 has a certain sign. Within T, the determinant
// is computed exactly (error-free differences and products, summed as a floating-point expansion).
// GEOS computes it in double-double arithmetic (error < 1e-30 mag^2), so its sign is the exact one
// when |det| > 2e-28 mag^2, and zero when the determinant is exactly zero and both its products are
// exact in double-double (their factors, differences of coordinates, exact doubles or zero); any
// other case leaves the ring undecided, for the caller to settle with GEOS itself.
#include "galforge/ring_simple.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace galforge {

namespace {

struct Pt {
    double x, y;
};

struct Box {
    double x0, y0, x1, y1;
};

constexpr int kUndecided = 2;  // an orientation whose sign GEOS might see differently

inline double orient(Pt a, Pt b, Pt c) { return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x); }

// (b - a) . (c - b): > 0 when c lies ahead of b seen from a (same error bound as orient).
inline double ahead(Pt a, Pt b, Pt c) { return (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y); }

inline bool overlap(const Box& a, const Box& b) { return !(a.x1 < b.x0 || b.x1 < a.x0 || a.y1 < b.y0 || b.y1 < a.y0); }

inline Box edge_box(Pt a, Pt b) { return {std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y)}; }

// a + b = s + e exactly (Knuth's two-sum; needs strict IEEE arithmetic, no fast-math).
inline void two_sum(double a, double b, double& s, double& e) {
    s = a + b;
    const double bv = s - a, av = s - bv;
    e = (a - av) + (b - bv);
}

// The factors of (b - a) x (c - b) as exact hi + lo pairs: b.x - a.x, c.y - b.y, b.y - a.y, c.x - b.x.
void differences(Pt a, Pt b, Pt c, double d[4][2]) {
    two_sum(b.x, -a.x, d[0][0], d[0][1]);
    two_sum(c.y, -b.y, d[1][0], d[1][1]);
    two_sum(b.y, -a.y, d[2][0], d[2][1]);
    two_sum(c.x, -b.x, d[3][0], d[3][1]);
}

// Exact sign of orient(a, b, c), with an approximation of its value: the differences and products
// are split into error-free pairs and the 16 terms summed into a nonoverlapping expansion, whose
// largest nonzero component carries the sign. Valid while nothing overflows or underflows (see
// Orientation).
int exact_orient(Pt a, Pt b, Pt c, double& approx) {
    double d[4][2];
    differences(a, b, c, d);
    double expansion[32];
    int n = 0;
    auto add = [&](double term) {  // grow the expansion by one term (Shewchuk's Grow-Expansion)
        double q = term;
        for (int i = 0; i < n; ++i) two_sum(q, expansion[i], q, expansion[i]);
        expansion[n++] = q;
    };
    for (int u = 0; u < 2; ++u) {
        for (int v = 0; v < 2; ++v) {
            const double p = d[0][u] * d[1][v], q = d[2][u] * d[3][v];
            add(p);
            add(std::fma(d[0][u], d[1][v], -p));
            add(-q);
            add(-std::fma(d[2][u], d[3][v], -q));
        }
    }
    approx = 0.0;
    int sign = 0;
    for (int i = 0; i < n; ++i) {
        approx += expansion[i];
        if (expansion[i] != 0.0) sign = expansion[i] > 0.0 ? 1 : -1;
    }
    return sign;
}

// Whether GEOS's double-double products in its orientation of (a, b, c), (b - a) x (c - b), are
// exact: each factor an exact double difference, or one factor zero.
bool dd_products_exact(Pt a, Pt b, Pt c) {
    double d[4][2];
    differences(a, b, c, d);
    auto exact = [&](int i, int j) {
        return d[i][0] == 0.0 || d[j][0] == 0.0 || (d[i][1] == 0.0 && d[j][1] == 0.0);
    };
    return exact(0, 1) && exact(2, 3);
}

class Orientation {
  public:
    // mag: the largest |coordinate|; least: the smallest nonzero one. Between 1e-100 and 1e100,
    // nonzero differences of coordinates exceed 1e-116 and their products 1e-232, so nothing in
    // exact_orient (or in GEOS's double-double arithmetic) underflows or overflows.
    Orientation(double mag, double least)
        : t_(1e-11 * mag * mag + 1e-300), tiny_(2e-28 * mag * mag), exact_ok_(least >= 1e-100 && mag <= 1e100) {}

    // +1 / -1 / 0 as GEOS finds it, or kUndecided.
    int operator()(Pt a, Pt b, Pt c) const {
        const double o = orient(a, b, c);
        if (o > t_) return 1;
        if (o < -t_) return -1;
        if (!exact_ok_) return kUndecided;
        double approx = 0.0;
        const int s = exact_orient(a, b, c, approx);
        if (s != 0) return std::fabs(approx) > tiny_ ? s : kUndecided;
        return dd_products_exact(a, b, c) ? 0 : kUndecided;
    }

    double threshold() const { return t_; }

  private:
    double t_, tiny_;
    bool exact_ok_;
};

inline bool certain(int s) { return s == 1 || s == -1; }

}  // namespace

RingSimplicity ring_simplicity(const double* xy, std::size_t n) {
    std::vector<Pt> p;
    p.reserve(n);
    double mag = 0.0, least = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
        const Pt v{xy[2 * i], xy[2 * i + 1]};
        if (!std::isfinite(v.x) || !std::isfinite(v.y)) return RingSimplicity::undecided;
        mag = std::max({mag, std::fabs(v.x), std::fabs(v.y)});
        for (const double c : {std::fabs(v.x), std::fabs(v.y)})
            if (c != 0.0 && c < least) least = c;
        if (p.empty() || v.x != p.back().x || v.y != p.back().y) p.push_back(v);
    }
    while (p.size() > 1 && p.back().x == p.front().x && p.back().y == p.front().y) p.pop_back();
    const std::size_t m = p.size();
    if (m < 3) return RingSimplicity::undecided;
    const Orientation orientation(mag, least);
    const double t = orientation.threshold();
    auto at = [&](std::size_t i) { return p[i < m ? i : i - m]; };
    bool undecided = false;
    // Consecutive edges (a, b), (b, c) overlap when c lies exactly on the line, behind b.
    for (std::size_t i = 0; i < m; ++i) {
        const Pt a = at(i), b = at(i + 1), c = at(i + 2);
        if (ahead(a, b, c) > t) continue;
        const int s = orientation(a, b, c);
        if (certain(s)) continue;
        if (s == 0 && orientation(b, c, a) == 0 && ahead(a, b, c) < -t) return RingSimplicity::not_simple;
        undecided = true;
    }
    if (m == 3) return undecided ? RingSimplicity::undecided : RingSimplicity::simple;
    // Monotone chains.
    std::vector<Box> edges(m);
    std::vector<std::size_t> starts;
    int cx = 0, cy = 0;
    for (std::size_t i = 0; i < m; ++i) {
        const Pt a = at(i), b = at(i + 1);
        edges[i] = edge_box(a, b);
        const int sx = (b.x > a.x) - (b.x < a.x), sy = (b.y > a.y) - (b.y < a.y);
        if (i == 0 || (cx != 0 && sx != 0 && sx != cx) || (cy != 0 && sy != 0 && sy != cy)) {
            starts.push_back(i);
            cx = sx;
            cy = sy;
        } else {
            cx = cx != 0 ? cx : sx;
            cy = cy != 0 ? cy : sy;
        }
    }
    starts.push_back(m);
    const std::size_t nc = starts.size() - 1;
    std::vector<Box> chains(nc);
    for (std::size_t c = 0; c < nc; ++c) {
        Box cb = edges[starts[c]];
        for (std::size_t i = starts[c] + 1; i < starts[c + 1]; ++i)
            cb = {std::min(cb.x0, edges[i].x0), std::min(cb.y0, edges[i].y0), std::max(cb.x1, edges[i].x1),
                  std::max(cb.y1, edges[i].y1)};
        chains[c] = cb;
    }
    // Edges of two chains: any contact (GEOS: an intersection at a vertex inside the ring's vertex
    // sequence, or inside an edge) makes the ring not simple, except the first and last edges'
    // shared start vertex.
    std::vector<std::size_t> near_a, near_b;
    for (std::size_t c = 0; c < nc; ++c) {
        for (std::size_t d = c + 1; d < nc; ++d) {
            if (!overlap(chains[c], chains[d])) continue;
            near_a.clear();
            near_b.clear();
            for (std::size_t i = starts[c]; i < starts[c + 1]; ++i)
                if (overlap(edges[i], chains[d])) near_a.push_back(i);
            for (std::size_t j = starts[d]; j < starts[d + 1]; ++j)
                if (overlap(edges[j], chains[c])) near_b.push_back(j);
            for (const std::size_t i : near_a) {
                for (const std::size_t j : near_b) {
                    if (j == i + 1 || (i == 0 && j == m - 1) || !overlap(edges[i], edges[j])) continue;
                    const Pt a = at(i), b = at(i + 1), e = at(j), f = at(j + 1);
                    const int o1 = orientation(a, b, e), o2 = orientation(a, b, f);
                    if (certain(o1) && o1 == o2) continue;  // e and f strictly on one side of ab
                    const int o3 = orientation(e, f, a), o4 = orientation(e, f, b);
                    if (certain(o3) && o3 == o4) continue;
                    if (o1 == kUndecided || o2 == kUndecided || o3 == kUndecided || o4 == kUndecided) {
                        undecided = true;  // a contact elsewhere still decides
                        continue;
                    }
                    return RingSimplicity::not_simple;  // crossing, touching or collinear overlap (boxes overlap)
                }
            }
        }
    }
    return undecided ? RingSimplicity::undecided : RingSimplicity::simple;
}

void rings_simplicity(const double* xy, const std::int64_t* offsets, std::size_t nring, std::int8_t* out) {
    for (std::size_t k = 0; k < nring; ++k) {
        const auto begin = static_cast<std::size_t>(offsets[k]), end = static_cast<std::size_t>(offsets[k + 1]);
        out[k] = static_cast<std::int8_t>(ring_simplicity(xy + 2 * begin, end - begin));
    }
}

}  // namespace galforge

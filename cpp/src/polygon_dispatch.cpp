// Run-time choice of the polygon build for this CPU (see polygon.cpp): wheels stay portable, yet
// test 4 or 8 edge pairs per instruction where the CPU has AVX2 or AVX-512.
#include "galforge/polygon.hpp"

#include "isa_level.hpp"
#include "polygon_isa.hpp"

GALFORGE_DECLARE_POLYGON_ISA(baseline)
#if defined(GALFORGE_POLYGON_MULTIVERSION)
GALFORGE_DECLARE_POLYGON_ISA(x86_64_v3)
GALFORGE_DECLARE_POLYGON_ISA(x86_64_v4)
#endif

namespace galforge {

#if defined(GALFORGE_POLYGON_MULTIVERSION)
namespace {

const IsaLevel kIsa = detect_isa_level();

}  // namespace
#endif

#if defined(GALFORGE_POLYGON_MULTIVERSION)
#define GALFORGE_POLYGON_CALL(fn, ...)                                   \
    switch (kIsa) {                                                      \
        case IsaLevel::x86_64_v4: return polygon_isa::x86_64_v4::fn(__VA_ARGS__); \
        case IsaLevel::x86_64_v3: return polygon_isa::x86_64_v3::fn(__VA_ARGS__); \
        default: return polygon_isa::baseline::fn(__VA_ARGS__);          \
    }
#else
#define GALFORGE_POLYGON_CALL(fn, ...) return polygon_isa::baseline::fn(__VA_ARGS__);
#endif

double polygon_signed_area(const double* xy, std::size_t n) { return polygon_isa::baseline::polygon_signed_area(xy, n); }

double polygon_area(const double* xy, std::size_t n) { return polygon_isa::baseline::polygon_area(xy, n); }

double intersection_area(const double* a, std::size_t na, const double* b, std::size_t nb) {
    GALFORGE_POLYGON_CALL(intersection_area, a, na, b, nb)
}

double polygon_iou(const double* a, std::size_t na, const double* b, std::size_t nb) {
    GALFORGE_POLYGON_CALL(polygon_iou, a, na, b, nb)
}

void iou_distance_matrix(const double* xy, const std::int64_t* offsets, std::size_t npoly,
                         const std::int64_t* groups, double* out, int threads) {
    GALFORGE_POLYGON_CALL(iou_distance_matrix, xy, offsets, npoly, groups, out, threads)
}

}  // namespace galforge

// Run-time choice of the polygon build for this CPU (see polygon.cpp): wheels stay portable, yet
// test 4 or 8 edge pairs per instruction where the CPU has AVX2 or AVX-512.
#include "galforge/polygon.hpp"

namespace galforge {

namespace polygon_isa {
#define GALFORGE_DECLARE_POLYGON_ISA(isa)                                                                    \
    namespace isa {                                                                                           \
    double polygon_signed_area(const double*, std::size_t);                                                   \
    double polygon_area(const double*, std::size_t);                                                          \
    double intersection_area(const double*, std::size_t, const double*, std::size_t);                        \
    double polygon_iou(const double*, std::size_t, const double*, std::size_t);                              \
    void iou_distance_matrix(const double*, const std::int64_t*, std::size_t, const std::int64_t*, double*, int); \
    }
GALFORGE_DECLARE_POLYGON_ISA(baseline)
#if defined(GALFORGE_POLYGON_MULTIVERSION)
GALFORGE_DECLARE_POLYGON_ISA(x86_64_v3)
GALFORGE_DECLARE_POLYGON_ISA(x86_64_v4)
#endif
}  // namespace polygon_isa

namespace {

enum class Isa { baseline, v3, v4 };

Isa detect() {
#if defined(GALFORGE_POLYGON_MULTIVERSION)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw"))
        return Isa::v4;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) return Isa::v3;
#endif
    return Isa::baseline;
}

const Isa kIsa = detect();

}  // namespace

#if defined(GALFORGE_POLYGON_MULTIVERSION)
#define GALFORGE_POLYGON_CALL(fn, ...)                                   \
    switch (kIsa) {                                                      \
        case Isa::v4: return polygon_isa::x86_64_v4::fn(__VA_ARGS__);    \
        case Isa::v3: return polygon_isa::x86_64_v3::fn(__VA_ARGS__);    \
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

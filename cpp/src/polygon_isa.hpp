// Internal to the core (not installed): the functions of polygon.hpp as each build of polygon.cpp
// defines them, in namespace galforge::polygon_isa::<build> (polygon_dispatch.cpp calls the one for
// this CPU; the C++ tests compare the builds).
#pragma once
#include <cstddef>
#include <cstdint>

#define GALFORGE_DECLARE_POLYGON_ISA(isa)                                                                    \
    namespace galforge::polygon_isa::isa {                                                                    \
    double polygon_signed_area(const double*, std::size_t);                                                   \
    double polygon_area(const double*, std::size_t);                                                          \
    double intersection_area(const double*, std::size_t, const double*, std::size_t);                        \
    double polygon_iou(const double*, std::size_t, const double*, std::size_t);                              \
    void iou_distance_matrix(const double*, const std::int64_t*, std::size_t, const std::int64_t*, double*, int); \
    }

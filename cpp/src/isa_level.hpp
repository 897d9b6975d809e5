// Internal to the core (not installed): the instruction-set level of this CPU, for the kernels built
// once per level (fft.cpp, polygon.cpp) and chosen at run time (fft_dispatch.cpp, polygon_dispatch.cpp).
#pragma once

namespace galforge {

enum class IsaLevel { baseline, x86_64_v3, x86_64_v4 };

// x86-64-v4 (AVX-512 F/DQ/VL/BW), x86-64-v3 (AVX2, FMA, BMI2) or baseline; baseline off x86-64 / GCC-Clang.
IsaLevel detect_isa_level();

}  // namespace galforge

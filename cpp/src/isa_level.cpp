#include "isa_level.hpp"

namespace galforge {

IsaLevel detect_isa_level() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw"))
        return IsaLevel::x86_64_v4;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2"))
        return IsaLevel::x86_64_v3;
#endif
    return IsaLevel::baseline;
}

}  // namespace galforge

// Internal to the core (not installed): GALFORGE_VECTOR_CLONES marks a vector loop to be cloned for
// AVX2 and AVX-512 and chosen at load time (GCC on x86-64), so that a portable build still uses the
// widest vectors of the CPU it runs on.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(GALFORGE_NO_CLONES)
#define GALFORGE_VECTOR_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define GALFORGE_VECTOR_CLONES
#endif

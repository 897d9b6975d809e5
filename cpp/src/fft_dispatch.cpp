// Run-time choice of the FFT build for this CPU (see fft.cpp): wheels stay portable, yet use AVX2
// or AVX-512 where the CPU has them.
#include "galforge/fft.hpp"
#include "isa_level.hpp"

namespace galforge::fft {

#define GALFORGE_DECLARE_FFT_ISA(isa)                                                                            \
    namespace isa {                                                                                               \
    std::size_t good_size(std::size_t n);                                                                         \
    void rfft_rows(const double*, std::ptrdiff_t, std::complex<double>*, std::ptrdiff_t, std::size_t, std::size_t, \
                   int);                                                                                          \
    void irfft_rows(const std::complex<double>*, std::ptrdiff_t, double*, std::ptrdiff_t, std::size_t, std::size_t, \
                    double, int);                                                                                 \
    void fft_columns(std::complex<double>*, std::size_t, std::size_t, bool, int);                                 \
    void convolve_2d(const double*, std::size_t, std::size_t, std::size_t, const KernelSpectrum<double>&, double*, \
                     std::size_t, const Crop&, int);                                                             \
    void convolve_2d(const float*, std::size_t, std::size_t, std::size_t, const KernelSpectrum<float>&, float*,    \
                     std::size_t, const Crop&, int);                                                             \
    }

GALFORGE_DECLARE_FFT_ISA(baseline)
#if defined(GALFORGE_FFT_MULTIVERSION)
GALFORGE_DECLARE_FFT_ISA(x86_64_v3)
GALFORGE_DECLARE_FFT_ISA(x86_64_v4)
#endif

namespace {

#if defined(GALFORGE_FFT_MULTIVERSION)
const IsaLevel kIsa = detect_isa_level();
#else
const IsaLevel kIsa = IsaLevel::baseline;  // the only build
#endif

}  // namespace

#if defined(GALFORGE_FFT_MULTIVERSION)
#define GALFORGE_FFT_CALL(fn, ...)                                       \
    switch (kIsa) {                                                      \
        case IsaLevel::x86_64_v4: return x86_64_v4::fn(__VA_ARGS__);     \
        case IsaLevel::x86_64_v3: return x86_64_v3::fn(__VA_ARGS__);     \
        default: return baseline::fn(__VA_ARGS__);                       \
    }
#else
#define GALFORGE_FFT_CALL(fn, ...) return baseline::fn(__VA_ARGS__);
#endif

std::size_t good_size(std::size_t n) { GALFORGE_FFT_CALL(good_size, n) }

void rfft_rows(const double* in, std::ptrdiff_t in_stride, std::complex<double>* out, std::ptrdiff_t out_stride,
               std::size_t rows, std::size_t n, int threads) {
    GALFORGE_FFT_CALL(rfft_rows, in, in_stride, out, out_stride, rows, n, threads)
}

void irfft_rows(const std::complex<double>* in, std::ptrdiff_t in_stride, double* out, std::ptrdiff_t out_stride,
                std::size_t rows, std::size_t n, double scale, int threads) {
    GALFORGE_FFT_CALL(irfft_rows, in, in_stride, out, out_stride, rows, n, scale, threads)
}

void fft_columns(std::complex<double>* data, std::size_t rows, std::size_t cols, bool forward, int threads) {
    GALFORGE_FFT_CALL(fft_columns, data, rows, cols, forward, threads)
}

void convolve_2d(const double* in, std::size_t in_stride, std::size_t rows_in, std::size_t cols_in,
                 const KernelSpectrum<double>& kernel, double* out, std::size_t out_stride, const Crop& crop,
                 int threads) {
    GALFORGE_FFT_CALL(convolve_2d, in, in_stride, rows_in, cols_in, kernel, out, out_stride, crop, threads)
}

void convolve_2d(const float* in, std::size_t in_stride, std::size_t rows_in, std::size_t cols_in,
                 const KernelSpectrum<float>& kernel, float* out, std::size_t out_stride, const Crop& crop,
                 int threads) {
    GALFORGE_FFT_CALL(convolve_2d, in, in_stride, rows_in, cols_in, kernel, out, out_stride, crop, threads)
}

const char* instruction_set() {
    switch (kIsa) {
        case IsaLevel::x86_64_v4: return "x86-64-v4 (AVX-512)";
        case IsaLevel::x86_64_v3: return "x86-64-v3 (AVX2)";
        default: return "baseline";
    }
}

}  // namespace galforge::fft

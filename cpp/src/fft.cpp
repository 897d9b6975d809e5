// pocketfft picks its SIMD width at compile time, so this file is compiled once per instruction set
// (GALFORGE_FFT_ISA names the namespace: baseline, x86_64_v3, x86_64_v4) and fft_dispatch.cpp
// chooses one at run time.
#include "galforge/fft.hpp"

#ifndef GALFORGE_FFT_ISA
#define GALFORGE_FFT_ISA baseline
#endif

// pocketfft is included inside a namespace of this instruction set, so that the inline templates
// of the three builds stay distinct symbols (one program, three SIMD widths). Its standard headers
// are included first so that their include guards keep them out of that namespace.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <complex>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <queue>
#include <stdexcept>
#include <thread>
#include <vector>
#include <malloc.h>

#define POCKETFFT_CACHE_SIZE 16
namespace galforge::fft::GALFORGE_FFT_ISA::backend {
#include <pocketfft.hpp>
}  // namespace galforge::fft::GALFORGE_FFT_ISA::backend

namespace galforge::fft::GALFORGE_FFT_ISA {

namespace pocketfft = backend::pocketfft;

std::size_t good_size(std::size_t n) { return pocketfft::detail::util::good_size_real(n); }

void rfft_rows(const double* in, std::ptrdiff_t in_stride, std::complex<double>* out, std::ptrdiff_t out_stride,
               std::size_t rows, std::size_t n, int threads) {
    const pocketfft::shape_t shape{rows, n};
    const pocketfft::stride_t s_in{static_cast<std::ptrdiff_t>(in_stride * sizeof(double)), sizeof(double)};
    const pocketfft::stride_t s_out{static_cast<std::ptrdiff_t>(out_stride * sizeof(std::complex<double>)),
                                    sizeof(std::complex<double>)};
    pocketfft::r2c(shape, s_in, s_out, 1, pocketfft::FORWARD, in, out, 1.0, static_cast<std::size_t>(threads));
}

void irfft_rows(const std::complex<double>* in, std::ptrdiff_t in_stride, double* out, std::ptrdiff_t out_stride,
                std::size_t rows, std::size_t n, double scale, int threads) {
    const pocketfft::shape_t shape{rows, n};
    const pocketfft::stride_t s_in{static_cast<std::ptrdiff_t>(in_stride * sizeof(std::complex<double>)),
                                   sizeof(std::complex<double>)};
    const pocketfft::stride_t s_out{static_cast<std::ptrdiff_t>(out_stride * sizeof(double)), sizeof(double)};
    pocketfft::c2r(shape, s_in, s_out, 1, pocketfft::BACKWARD, in, out, scale, static_cast<std::size_t>(threads));
}

void fft_columns(std::complex<double>* data, std::size_t rows, std::size_t cols, bool forward, int threads) {
    const pocketfft::shape_t shape{rows, cols};
    const auto row_bytes = static_cast<std::ptrdiff_t>(cols * sizeof(std::complex<double>));
    const pocketfft::stride_t stride{row_bytes, sizeof(std::complex<double>)};
    pocketfft::c2c(shape, stride, stride, {0}, forward, data, data, 1.0, static_cast<std::size_t>(threads));
}

}  // namespace galforge::fft::GALFORGE_FFT_ISA

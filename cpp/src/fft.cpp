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
#include <type_traits>
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

void convolve_columns(std::complex<double>* spec, const std::complex<double>* kernel, std::size_t rows,
                      std::size_t cols, std::size_t rows_in, std::size_t row0_out, std::size_t rows_out) {
    using namespace pocketfft::detail;
    const auto plan = get_plan<pocketfft_c<double>>(rows);
    std::size_t c = 0;
    // Gathers, transforms, multiplies, inverse-transforms and scatters `lanes` columns at a time, in
    // a buffer of lane type T (a SIMD vector, or double for the leftover columns).
    auto run = [&](auto lane_tag, std::size_t lanes) {
        using T = decltype(lane_tag);
        std::vector<cmplx<T>> buf(rows);
        auto lane = [](T& x, std::size_t v) -> double& {
            if constexpr (std::is_same_v<T, double>) { (void)v; return x; }
            else return reinterpret_cast<double*>(&x)[v];
        };
        for (; c + lanes <= cols; c += lanes) {
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t v = 0; v < lanes; ++v) {
                    const std::complex<double> z = r < rows_in ? spec[r * cols + c + v] : std::complex<double>(0.0, 0.0);
                    lane(buf[r].r, v) = z.real();
                    lane(buf[r].i, v) = z.imag();
                }
            plan->exec(buf.data(), 1.0, true);
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t v = 0; v < lanes; ++v) {
                    const std::complex<double> k = kernel[r * cols + c + v];
                    double& re = lane(buf[r].r, v);
                    double& im = lane(buf[r].i, v);
                    const double a = re * k.real() - im * k.imag(), b = re * k.imag() + im * k.real();
                    re = a;
                    im = b;
                }
            plan->exec(buf.data(), 1.0, false);
            for (std::size_t r = row0_out; r < row0_out + rows_out; ++r)
                for (std::size_t v = 0; v < lanes; ++v)
                    spec[r * cols + c + v] = std::complex<double>(lane(buf[r].r, v), lane(buf[r].i, v));
        }
    };
#ifndef POCKETFFT_NO_VECTORS
    run(vtype_t<double>{}, VLEN<double>::val);
#endif
    run(0.0, 1);
}

}  // namespace galforge::fft::GALFORGE_FFT_ISA

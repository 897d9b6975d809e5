// pocketfft picks its SIMD width at compile time, so this file is compiled once per instruction set
// (GALFORGE_FFT_ISA names the namespace: baseline, x86_64_v3, x86_64_v4) and fft_dispatch.cpp
// chooses one at run time.
#include "galforge/fft.hpp"
#include "scratch.hpp"

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
#include <utility>
#include <vector>
#include <malloc.h>

#define POCKETFFT_CACHE_SIZE 16
namespace galforge::fft::GALFORGE_FFT_ISA::backend {
#include <pocketfft.hpp>
}  // namespace galforge::fft::GALFORGE_FFT_ISA::backend

namespace galforge::fft::GALFORGE_FFT_ISA {

namespace pocketfft = backend::pocketfft;

std::size_t good_size(std::size_t n) { return pocketfft::detail::util::good_size_real(n); }

template <class T>
void rfft_rows_t(const T* in, std::ptrdiff_t in_stride, std::complex<T>* out, std::ptrdiff_t out_stride,
                 std::size_t rows, std::size_t n, int threads) {
    const pocketfft::shape_t shape{rows, n};
    const pocketfft::stride_t s_in{static_cast<std::ptrdiff_t>(in_stride * sizeof(T)), sizeof(T)};
    const pocketfft::stride_t s_out{static_cast<std::ptrdiff_t>(out_stride * sizeof(std::complex<T>)),
                                    sizeof(std::complex<T>)};
    pocketfft::r2c(shape, s_in, s_out, 1, pocketfft::FORWARD, in, out, T(1), static_cast<std::size_t>(threads));
}

template <class T>
void irfft_rows_t(const std::complex<T>* in, std::ptrdiff_t in_stride, T* out, std::ptrdiff_t out_stride,
                  std::size_t rows, std::size_t n, T scale, int threads) {
    const pocketfft::shape_t shape{rows, n};
    const pocketfft::stride_t s_in{static_cast<std::ptrdiff_t>(in_stride * sizeof(std::complex<T>)),
                                   sizeof(std::complex<T>)};
    const pocketfft::stride_t s_out{static_cast<std::ptrdiff_t>(out_stride * sizeof(T)), sizeof(T)};
    pocketfft::c2r(shape, s_in, s_out, 1, pocketfft::BACKWARD, in, out, scale, static_cast<std::size_t>(threads));
}

void rfft_rows(const double* in, std::ptrdiff_t in_stride, std::complex<double>* out, std::ptrdiff_t out_stride,
               std::size_t rows, std::size_t n, int threads) {
    rfft_rows_t(in, in_stride, out, out_stride, rows, n, threads);
}

void irfft_rows(const std::complex<double>* in, std::ptrdiff_t in_stride, double* out, std::ptrdiff_t out_stride,
                std::size_t rows, std::size_t n, double scale, int threads) {
    irfft_rows_t(in, in_stride, out, out_stride, rows, n, scale, threads);
}

void fft_columns(std::complex<double>* data, std::size_t rows, std::size_t cols, bool forward, int threads) {
    const pocketfft::shape_t shape{rows, cols};
    const auto row_bytes = static_cast<std::ptrdiff_t>(cols * sizeof(std::complex<double>));
    const pocketfft::stride_t stride{row_bytes, sizeof(std::complex<double>)};
    pocketfft::c2c(shape, stride, stride, {0}, forward, data, data, 1.0, static_cast<std::size_t>(threads));
}

namespace {

#ifndef POCKETFFT_NO_VECTORS
template <class F>
using Lanes = pocketfft::detail::vtype_t<F>;  // a SIMD vector of F
template <class F>
constexpr std::size_t kLanes = pocketfft::detail::VLEN<F>::val;
#else
template <class F>
using Lanes = F;
template <class F>
constexpr std::size_t kLanes = 1;
#endif

// The first n (<= kLanes) values at p in a vector, the other lanes zero.
template <class F>
Lanes<F> load(const F* p, std::size_t n = kLanes<F>) {
    Lanes<F> x{};
    if (n == kLanes<F>) std::memcpy(&x, p, sizeof x);
    else std::memcpy(&x, p, n * sizeof(F));
    return x;
}

// Lanes [first, first + n) of x to p.
template <class F>
void store(F* p, const Lanes<F>& x, std::size_t first, std::size_t n) {
    if (n == kLanes<F>) std::memcpy(p, &x, sizeof x);
    else std::memcpy(p, reinterpret_cast<const F*>(&x) + first, n * sizeof(F));
}

// Transposes the V x V matrix whose rows are the vectors r[0..V): stage B swaps bit B of the row and
// column indices of every element (two-vector shuffles); the log2(V) stages together swap them all.
template <class T, std::size_t V, std::size_t B, std::size_t... J>
void transpose_stage(T* r, std::index_sequence<J...>) {
    for (std::size_t i = 0; i < V; ++i)
        if ((i & B) == 0) {
            const T a = r[i], b = r[i + B];
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
            r[i] = __builtin_shufflevector(a, b, ((J & B) ? J - B + V : J)...);
            r[i + B] = __builtin_shufflevector(a, b, ((J & B) ? J + V : J + B)...);
#else
            using F = std::remove_reference_t<decltype(a[0])>;
            for (std::size_t j = 0; j < V; ++j) {
                reinterpret_cast<F*>(&r[i])[j] = (j & B) ? b[j - B] : a[j];
                reinterpret_cast<F*>(&r[i + B])[j] = (j & B) ? b[j] : a[j + B];
            }
#endif
        }
}

template <class T, std::size_t V, std::size_t B = V / 2>
void transpose(T* r) {
    if constexpr (B >= 1) {
        transpose_stage<T, V, B>(r, std::make_index_sequence<V>{});
        transpose<T, V, B / 2>(r);
    }
}

// Columns are transformed kGroup vectors at a time: each visit of a row then reads adjacent vectors.
constexpr std::size_t kGroup = 4;

}  // namespace

template <class F>
void convolve_2d_t(const F* in, std::size_t in_stride, std::size_t rows_in, std::size_t cols_in,
                   const KernelSpectrum<F>& kernel, F* out, std::size_t out_stride, const Crop& crop, int threads) {
    using namespace pocketfft::detail;
    using T = Lanes<F>;
    constexpr std::size_t V = kLanes<F>;
    static_assert(16 % V == 0, "the kernel's records hold 16 frequencies: whole vectors of them");
    if (crop.rows == 0 || crop.cols == 0) return;
    const std::size_t ny = kernel.ny, nx = kernel.nx, nk = ny / 2 + 1;
    // The half spectrum along y of every column, as pocketfft's real transform leaves it (row 0 holds
    // Re K(0), rows 2k - 1 and 2k Re and Im K(k), row ny - 1 Re K(ny / 2) when ny is even), in blocks of
    // V columns: block c holds columns [cV, cV + V) as ny contiguous vectors, transformed in place.
    const std::size_t blocks = (nx + V - 1) / V, blocks_in = (cols_in + V - 1) / V;
    thread_local std::vector<T> spectrum_scratch;
    T* const H = detail::grown(spectrum_scratch, blocks * ny);
    const auto along_y = get_plan<pocketfft_r<F>>(ny);
    const auto along_x = get_plan<pocketfft_c<F>>(nx);

    // 1. The input's columns along y, kGroup blocks per pass over the rows.
    const auto groups_in = static_cast<std::ptrdiff_t>((blocks_in + kGroup - 1) / kGroup);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (std::ptrdiff_t group = 0; group < groups_in; ++group) {
        const std::size_t c0 = static_cast<std::size_t>(group) * kGroup, c1 = std::min(c0 + kGroup, blocks_in);
        for (std::size_t y = 0; y < rows_in; ++y)
            for (std::size_t c = c0; c < c1; ++c)
                H[c * ny + y] = load(in + y * in_stride + c * V, std::min(V, cols_in - c * V));
        for (std::size_t c = c0; c < c1; ++c) {
            std::fill(H + c * ny + rows_in, H + (c + 1) * ny, T{});
            along_y->exec(H + c * ny, F(1), true);
        }
    }

    // 2. Rows of the half spectrum along x, V frequencies ky per pass (lanes), multiplied by K.
    const auto k_blocks = static_cast<std::ptrdiff_t>((nk + V - 1) / V);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (std::ptrdiff_t b = 0; b < k_blocks; ++b) {
        thread_local std::vector<cmplx<T>> row_scratch;
        cmplx<T>* const buf = detail::grown(row_scratch, blocks * V);
        const std::size_t k0 = static_cast<std::size_t>(b) * V;
        // Each lane's rows of real and imaginary parts (none: zero, or no such ky).
        constexpr std::size_t kNone = ~std::size_t(0);
        std::size_t re[V], im[V];
        for (std::size_t v = 0; v < V; ++v) {
            const std::size_t k = k0 + v;
            re[v] = k >= nk ? kNone : k == 0 ? 0 : 2 * k - 1;
            im[v] = k >= nk || k == 0 || 2 * k == ny ? kNone : 2 * k;
        }
        // Gathered and transposed V columns at a time (blocks past the input's columns are zero).
        for (std::size_t c = 0; c < blocks; ++c) {
            T r[V], i[V];
            for (std::size_t v = 0; v < V; ++v) {
                r[v] = c < blocks_in && re[v] != kNone ? H[c * ny + re[v]] : T{};
                i[v] = c < blocks_in && im[v] != kNone ? H[c * ny + im[v]] : T{};
            }
            transpose<T, V>(r);
            transpose<T, V>(i);
            for (std::size_t j = 0; j < V; ++j) buf[c * V + j] = cmplx<T>{r[j], i[j]};
        }
        along_x->exec(buf, F(1), true);
        for (std::size_t kx = 0; kx < nx; ++kx) {
            const F* const k = kernel.values + kernel_index(k0, kx, nx);
            const T kr = load(k), ki = load(k + 16);
            const T r = buf[kx].r * kr - buf[kx].i * ki;
            buf[kx].i = buf[kx].r * ki + buf[kx].i * kr;
            buf[kx].r = r;
        }
        along_x->exec(buf, F(1), false);
        // The blocks holding the crop's columns back into H (lanes past nx are not the period's).
        for (std::size_t c = crop.col0 / V; c * V < crop.col0 + crop.cols; ++c) {
            T r[V], i[V];
            for (std::size_t j = 0; j < V; ++j) {
                r[j] = buf[c * V + j].r;
                i[j] = buf[c * V + j].i;
            }
            transpose<T, V>(r);
            transpose<T, V>(i);
            for (std::size_t v = 0; v < V; ++v) {
                if (re[v] != kNone) H[c * ny + re[v]] = r[v];
                if (im[v] != kNone) H[c * ny + im[v]] = i[v];
            }
        }
    }

    // 3. The crop's columns back along y; its rows written out.
    const std::size_t first = crop.col0 / V, last = (crop.col0 + crop.cols - 1) / V;
    const auto groups_out = static_cast<std::ptrdiff_t>((last - first) / kGroup + 1);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (std::ptrdiff_t group = 0; group < groups_out; ++group) {
        const std::size_t c0 = first + static_cast<std::size_t>(group) * kGroup, c1 = std::min(c0 + kGroup, last + 1);
        for (std::size_t c = c0; c < c1; ++c) along_y->exec(H + c * ny, F(1), false);
        for (std::size_t y = crop.row0; y < crop.row0 + crop.rows; ++y)
            for (std::size_t c = c0; c < c1; ++c) {
                const std::size_t x0 = std::max(c * V, crop.col0), x1 = std::min(c * V + V, crop.col0 + crop.cols);
                store(out + (y - crop.row0) * out_stride + (x0 - crop.col0), H[c * ny + y], x0 - c * V, x1 - x0);
            }
    }
}

void convolve_2d(const double* in, std::size_t in_stride, std::size_t rows_in, std::size_t cols_in,
                 const KernelSpectrum<double>& kernel, double* out, std::size_t out_stride, const Crop& crop,
                 int threads) {
    convolve_2d_t(in, in_stride, rows_in, cols_in, kernel, out, out_stride, crop, threads);
}

void convolve_2d(const float* in, std::size_t in_stride, std::size_t rows_in, std::size_t cols_in,
                 const KernelSpectrum<float>& kernel, float* out, std::size_t out_stride, const Crop& crop,
                 int threads) {
    convolve_2d_t(in, in_stride, rows_in, cols_in, kernel, out, out_stride, crop, threads);
}

}  // namespace galforge::fft::GALFORGE_FFT_ISA

// The one place that talks to the FFT backend (pocketfft, BSD-3, from the pythran package).
#pragma once
#include <complex>
#include <cstddef>

namespace galforge::fft {

// Smallest length >= n whose prime factors are 2, 3, 5, 7 or 11 (fast for real transforms).
std::size_t good_size(std::size_t n);

// Real-to-complex transforms of `rows` contiguous rows of length `n` (row stride `in_stride`
// doubles) into rows of n/2+1 complex values (row stride `out_stride`).
void rfft_rows(const double* in, std::ptrdiff_t in_stride, std::complex<double>* out, std::ptrdiff_t out_stride,
               std::size_t rows, std::size_t n, int threads);

// Complex-to-real inverse of the above, scaled by `scale`.
void irfft_rows(const std::complex<double>* in, std::ptrdiff_t in_stride, double* out, std::ptrdiff_t out_stride,
                std::size_t rows, std::size_t n, double scale, int threads);

// Name of the instruction set the FFT build chosen for this CPU uses.
const char* instruction_set();

// In-place complex transforms along the columns of a (rows, cols) C-contiguous complex array.
void fft_columns(std::complex<double>* data, std::size_t rows, std::size_t cols, bool forward, int threads);

// The transform of a convolution kernel over a period (ny, nx), as convolve_2d reads it: K(ky, kx)
// (the kernel's 2-d DFT, any scale) for ky in [0, ny / 2] and every kx, in records of 16 frequencies
// ky: Re K at values[kernel_index(ky, kx, nx)], Im K 16 values further (kernel_size values in all).
template <class F>
struct KernelSpectrum {
    const F* values;
    std::size_t ny, nx;
};
inline std::size_t kernel_index(std::size_t ky, std::size_t kx, std::size_t nx) {
    return ((ky / 16) * nx + kx) * 32 + ky % 16;
}
inline std::size_t kernel_size(std::size_t ny, std::size_t nx) { return (ny / 2 + 16) / 16 * nx * 32; }

// Rows [row0, row0 + rows) and columns [col0, col0 + cols) of a period.
struct Crop {
    std::size_t row0, rows, col0, cols;
};

// Circular convolution over the kernel's period of `in` (rows_in rows of cols_in values, row stride
// in_stride; the rest of the period zero) with the kernel, unnormalised (K carries the 1 / (ny nx)):
// the crop of the result is written to out (row stride out_stride; out may alias in). The columns are
// transformed first (a real FFT along y with SIMD lanes over adjacent columns: contiguous loads),
// then the half spectrum's rows (a complex FFT along x with lanes over ky), multiplied by K and
// transformed back in the same buffer, then the crop's columns back along y: two transposes in all.
void convolve_2d(const double* in, std::size_t in_stride, std::size_t rows_in, std::size_t cols_in,
                 const KernelSpectrum<double>& kernel, double* out, std::size_t out_stride, const Crop& crop,
                 int threads);
void convolve_2d(const float* in, std::size_t in_stride, std::size_t rows_in, std::size_t cols_in,
                 const KernelSpectrum<float>& kernel, float* out, std::size_t out_stride, const Crop& crop,
                 int threads);

}  // namespace galforge::fft

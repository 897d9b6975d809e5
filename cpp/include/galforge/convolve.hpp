// FFT convolution of images of one shape with one PSF whose transform is computed once.
#pragma once
#include <complex>
#include <cstddef>
#include <vector>

#include "galforge/fft.hpp"
#include "galforge/image.hpp"

namespace galforge {

// Linear convolution, cropped like scipy.signal.fftconvolve(image, psf, mode="same"): the PSF
// pixel [(ky - 1) / 2, (kx - 1) / 2] (integer division; the centre for odd sizes) maps a point
// source onto itself. Thread-safe: convolve() is const and allocates its own scratch.
class Convolver {
public:
    // psf: C-contiguous (ky, kx); image shape (ny, nx). normalize: divide the PSF by its sum.
    // exact_edges = false: the caller reads only pixels at least k / 2 (integer division) from each
    // edge, which keep their values; the FFT period is then about n instead of n + k / 2 (cheaper).
    Convolver(const double* psf, std::size_t ky, std::size_t kx, std::size_t ny, std::size_t nx, bool normalize,
              bool exact_edges = true);

    // `in` is C-contiguous (ny, nx), or, with in_stride = padded_nx() and exact_edges = false, has rows of
    // padded_nx() values: the columns from nx() on then stand in for the zero padding (they reach only
    // the margins the caller ignores) and the rows are transformed where they lie, without a copy.
    // out may alias in; it is C-contiguous (ny, nx).
    void convolve(const double* in, double* out, int threads = 1, std::size_t in_stride = 0) const;
    // The crop `window` of convolve()'s result, written C-contiguous (window height, window width) to
    // out (may alias in).
    void convolve_window(const double* in, double* out, const Window& window, int threads = 1,
                         std::size_t in_stride = 0) const;
    // The same in single precision: errors ~1e-7 of the image's largest |value|, about twice as fast
    // and half the memory traffic (fit Jacobians, where that accuracy is ample).
    void convolve_window(const float* in, float* out, const Window& window, int threads = 1,
                         std::size_t in_stride = 0) const;
    // The rows window.y_begin..y_end of convolve()'s result in single precision, in the FFT's rows (no
    // crop copy): row i is written to out + (i - y_begin) * padded_nx(), and holds the result's column x
    // (window.x_begin <= x < window.x_end) at x + column_offset(); its other values are not written.
    void convolve_rows(const float* in, float* out, const Window& window, int threads = 1,
                       std::size_t in_stride = 0) const;

    // The adjoint of convolve_rows (exact_edges = false only): sum(convolve_rows(a) * b) over the
    // window equals sum(a * correlate_rows(b)) for a and b of ny() rows of padded_nx() values, b zero
    // outside the window (correlation with the PSF: its cached transform conjugated). Single precision;
    // out may alias in.
    void correlate_rows(const float* in, float* out, int threads = 1) const;

    std::size_t ny() const { return ny_; }
    std::size_t nx() const { return nx_; }
    std::size_t padded_ny() const { return pny_; }
    std::size_t padded_nx() const { return pnx_; }
    std::size_t column_offset() const { return ox_; }
    double psf_sum() const { return psf_sum_; }

private:
    std::size_t ky_, kx_, ny_, nx_, pny_, pnx_;
    std::size_t oy_ = 0, ox_ = 0;  // where the "same" crop starts in the circular result
    double psf_sum_;
    // The PSF's transform in fft::convolve_2d's layout, scaled by 1 / (pny_ pnx_); in single precision;
    // and its conjugate's (correlation).
    std::vector<double> kernel_;
    std::vector<float> kernel_single_, kernel_conj_single_;

    bool exact_edges_;

    template <class T>
    fft::KernelSpectrum<T> spectrum(const std::vector<T>& values) const { return {values.data(), pny_, pnx_}; }
    // The crop of the period holding `window` of the result (checked: inside the image, not empty).
    fft::Crop crop_of(const Window& window, int threads) const;
    template <class T>
    void convolve_with(const fft::KernelSpectrum<T>& kernel, const T* in, std::size_t in_stride, T* out,
                       const Window& window, int threads) const;
    // in_stride checked: nx_ (for 0 or nx_), or pnx_ where allowed.
    std::size_t input_stride(std::size_t in_stride) const;
};

}  // namespace galforge

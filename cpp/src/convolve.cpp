#include "galforge/convolve.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <stdexcept>

#include "galforge/fft.hpp"

namespace galforge {

namespace {

// Kahan-compensated sum, so that normalising a PSF with a huge dynamic range loses nothing.
double compensated_sum(const double* x, std::size_t n) {
    double sum = 0.0, carry = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double y = x[i] - carry;
        const double t = sum + y;
        carry = (t - sum) - y;
        sum = t;
    }
    return sum;
}

}  // namespace

Convolver::Convolver(const double* psf, std::size_t ky, std::size_t kx, std::size_t ny, std::size_t nx, bool normalize,
                     bool exact_edges)
    : ky_(ky), kx_(kx), ny_(ny), nx_(nx), pny_(0), pnx_(0), psf_sum_(0.0), exact_edges_(exact_edges) {
    if (psf == nullptr || ky == 0 || kx == 0) throw std::invalid_argument("psf must be a non-empty 2-d array");
    if (ny == 0 || nx == 0) throw std::invalid_argument("image shape must be non-empty");
    constexpr std::size_t kMaxSide = std::size_t(1) << 16;
    if (ky > kMaxSide || kx > kMaxSide || ny > kMaxSide || nx > kMaxSide)
        throw std::invalid_argument("image or psf side longer than 65536 pixels");
    for (std::size_t i = 0; i < ky * kx; ++i)
        if (!std::isfinite(psf[i])) {
            std::ostringstream msg;
            msg << "psf has a non-finite value " << psf[i] << " at flat index " << i;
            throw std::invalid_argument(msg.str());
        }
    psf_sum_ = compensated_sum(psf, ky * kx);
    if (normalize && (psf_sum_ == 0.0 || !std::isfinite(psf_sum_))) {
        std::ostringstream msg;
        msg << "psf sum = " << psf_sum_ << " cannot be normalised to 1";
        throw std::invalid_argument(msg.str());
    }
    // Circular convolution of period N equals the linear one on the "same" crop [s, s + n) as long
    // as nothing wraps into it: N >= n + max(s, k - 1 - s) (about n + k/2, not n + k - 1). Without
    // exact edges, N >= n: light wraps only into the margins the caller ignores.
    const std::size_t sy = (ky - 1) / 2, sx = (kx - 1) / 2;
    pny_ = fft::good_size(ny + (exact_edges ? std::max(sy, ky - 1 - sy) : 0));
    pnx_ = fft::good_size(nx + (exact_edges ? std::max(sx, kx - 1 - sx) : 0));
    const double scale = (normalize ? 1.0 / psf_sum_ : 1.0) / static_cast<double>(pny_ * pnx_);
    // The PSF wrapped into the period (it may be longer than the period's margin). With exact edges the
    // crop starts at (sy, sx); without, the PSF is rolled so that its centre is at (0, 0) and the crop
    // starts at the origin (the period may be as short as the image).
    const std::size_t ry = exact_edges ? 0 : pny_ - sy % pny_, rx = exact_edges ? 0 : pnx_ - sx % pnx_;
    oy_ = exact_edges ? sy : 0;
    ox_ = exact_edges ? sx : 0;
    std::vector<double> padded(pny_ * pnx_, 0.0);
    for (std::size_t i = 0; i < ky; ++i)
        for (std::size_t j = 0; j < kx; ++j)
            padded[((i + ry) % pny_) * pnx_ + (j + rx) % pnx_] += psf[i * kx + j] * scale;
    const std::size_t nh = pnx_ / 2 + 1;
    std::vector<std::complex<double>> half(pny_ * nh);  // (pny_, nh): kx in [0, pnx_ / 2]
    fft::rfft_rows(padded.data(), static_cast<std::ptrdiff_t>(pnx_), half.data(), static_cast<std::ptrdiff_t>(nh),
                   pny_, pnx_, 1);
    fft::fft_columns(half.data(), pny_, nh, true, 1);
    // convolve_2d's layout: frequencies v (y) in [0, pny_ / 2] and every u (x); K(v, u) = conj K(-v, -u).
    kernel_.assign(fft::kernel_size(pny_, pnx_), 0.0);
    for (std::size_t u = 0; u < pnx_; ++u)
        for (std::size_t v = 0; v <= pny_ / 2; ++v) {
            const std::complex<double> z =
                u < nh ? half[v * nh + u] : std::conj(half[((pny_ - v) % pny_) * nh + (pnx_ - u)]);
            kernel_[fft::kernel_index(v, u, pnx_)] = z.real();
            kernel_[fft::kernel_index(v, u, pnx_) + 16] = z.imag();
        }
    kernel_single_.assign(kernel_.begin(), kernel_.end());
    if (!exact_edges) {
        kernel_conj_single_ = kernel_single_;
        for (std::size_t u = 0; u < pnx_; ++u)
            for (std::size_t v = 0; v <= pny_ / 2; ++v)
                kernel_conj_single_[fft::kernel_index(v, u, pnx_) + 16] *= -1.0f;
    }
}

std::size_t Convolver::input_stride(std::size_t in_stride) const {
    if (in_stride == 0 || in_stride == nx_) return nx_;
    if (in_stride == pnx_ && !exact_edges_) return pnx_;
    throw std::invalid_argument("input row stride " + std::to_string(in_stride) + " must be the image width " +
                                std::to_string(nx_) + (exact_edges_ ? "" : " or the period " + std::to_string(pnx_)));
}

fft::Crop Convolver::crop_of(const Window& window, int threads) const {
    if (threads < 1) throw std::invalid_argument("threads must be >= 1");
    if (window.y_begin < 0 || window.x_begin < 0 || window.empty() ||
        static_cast<std::size_t>(window.y_end) > ny_ || static_cast<std::size_t>(window.x_end) > nx_)
        throw std::invalid_argument("convolution crop outside the image or empty");
    return {oy_ + static_cast<std::size_t>(window.y_begin), static_cast<std::size_t>(window.height()),
            ox_ + static_cast<std::size_t>(window.x_begin), static_cast<std::size_t>(window.width())};
}

template <class T>
void Convolver::convolve_with(const fft::KernelSpectrum<T>& kernel, const T* in, std::size_t in_stride, T* out,
                              const Window& window, int threads) const {
    const fft::Crop crop = crop_of(window, threads);
    const std::size_t stride = input_stride(in_stride);
    fft::convolve_2d(in, stride, ny_, stride, kernel, out, crop.cols, crop, threads);
}

void Convolver::convolve(const double* in, double* out, int threads, std::size_t in_stride) const {
    const Window all{0, static_cast<std::ptrdiff_t>(ny_), 0, static_cast<std::ptrdiff_t>(nx_)};
    convolve_with(spectrum(kernel_), in, in_stride, out, all, threads);
}

void Convolver::convolve_window(const double* in, double* out, const Window& window, int threads,
                                std::size_t in_stride) const {
    convolve_with(spectrum(kernel_), in, in_stride, out, window, threads);
}

void Convolver::convolve_window(const float* in, float* out, const Window& window, int threads,
                                std::size_t in_stride) const {
    convolve_with(spectrum(kernel_single_), in, in_stride, out, window, threads);
}

void Convolver::correlate_rows(const float* in, float* out, int threads) const {
    if (threads < 1) throw std::invalid_argument("threads must be >= 1");
    if (exact_edges_) throw std::invalid_argument("correlate_rows needs a convolver without exact edges");
    fft::convolve_2d(in, pnx_, ny_, pnx_, spectrum(kernel_conj_single_), out, pnx_,
                     fft::Crop{0, ny_, 0, pnx_}, threads);
}

void Convolver::convolve_rows(const float* in, float* out, const Window& window, int threads,
                              std::size_t in_stride) const {
    const fft::Crop crop = crop_of(window, threads);
    const std::size_t stride = input_stride(in_stride);
    fft::convolve_2d(in, stride, ny_, stride, spectrum(kernel_single_), out + crop.col0, pnx_, crop, threads);
}

}  // namespace galforge

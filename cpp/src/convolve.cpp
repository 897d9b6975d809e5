#include "galforge/convolve.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <stdexcept>

#include "galforge/fft.hpp"
#include "scratch.hpp"

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
    : ky_(ky), kx_(kx), ny_(ny), nx_(nx), pny_(0), pnx_(0), nh_(0), psf_sum_(0.0), exact_edges_(exact_edges) {
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
    nh_ = pnx_ / 2 + 1;
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
    psf_hat_.assign(pny_ * nh_, std::complex<double>(0.0, 0.0));
    fft::rfft_rows(padded.data(), static_cast<std::ptrdiff_t>(pnx_), psf_hat_.data(), static_cast<std::ptrdiff_t>(nh_),
                   pny_, pnx_, 1);
    fft::fft_columns(psf_hat_.data(), pny_, nh_, true, 1);
    psf_hat_single_.assign(psf_hat_.begin(), psf_hat_.end());
    if (!exact_edges) {
        psf_hat_conj_single_.resize(psf_hat_single_.size());
        std::transform(psf_hat_single_.begin(), psf_hat_single_.end(), psf_hat_conj_single_.begin(),
                       [](std::complex<float> z) { return std::conj(z); });
    }
}

std::size_t Convolver::input_stride(std::size_t in_stride) const {
    if (in_stride == 0 || in_stride == nx_) return nx_;
    if (in_stride == pnx_ && !exact_edges_) return pnx_;
    throw std::invalid_argument("input row stride " + std::to_string(in_stride) + " must be the image width " +
                                std::to_string(nx_) + (exact_edges_ ? "" : " or the period " + std::to_string(pnx_)));
}

template <class T>
void Convolver::padded_rows(const std::complex<T>* psf_hat, const T* in, std::size_t in_stride, T* out,
                            std::size_t y0, std::size_t rows, int threads) const {
    // Scratch reused by each thread across calls (fresh large allocations cost page faults).
    thread_local std::vector<T> real;
    thread_local std::vector<std::complex<T>> spec;
    std::complex<T>* const spectrum = detail::grown(spec, pny_ * nh_);
    // Rows of the image, zero-padded to pnx_ (unless the period is the image's), transformed along x;
    // rows >= ny_ are zero.
    const T* rows_in = in;
    if (in_stride != pnx_) {
        T* const padded = detail::grown(real, ny_ * pnx_);
        for (std::size_t i = 0; i < ny_; ++i) {
            std::copy(in + i * nx_, in + (i + 1) * nx_, padded + i * pnx_);
            std::fill(padded + i * pnx_ + nx_, padded + (i + 1) * pnx_, T(0));
        }
        rows_in = padded;
    }
    fft::rfft_rows(rows_in, static_cast<std::ptrdiff_t>(pnx_), spectrum, static_cast<std::ptrdiff_t>(nh_), ny_, pnx_,
                   threads);
    fft::convolve_columns(spectrum, psf_hat, pny_, nh_, ny_, oy_ + y0, rows);
    // Only the wanted rows are transformed back.
    fft::irfft_rows(spectrum + (oy_ + y0) * nh_, static_cast<std::ptrdiff_t>(nh_), out,
                    static_cast<std::ptrdiff_t>(pnx_), rows, pnx_, T(1), threads);
}

template <class T>
void Convolver::convolve_with(const std::complex<T>* psf_hat, const T* in, std::size_t in_stride, T* out,
                              const Window& window, int threads) const {
    if (threads < 1) throw std::invalid_argument("threads must be >= 1");
    if (window.y_begin < 0 || window.x_begin < 0 || window.empty() ||
        static_cast<std::size_t>(window.y_end) > ny_ || static_cast<std::size_t>(window.x_end) > nx_)
        throw std::invalid_argument("convolution crop outside the image or empty");
    const std::size_t y0 = static_cast<std::size_t>(window.y_begin), rows = static_cast<std::size_t>(window.height());
    const std::size_t x0 = static_cast<std::size_t>(window.x_begin), cols = static_cast<std::size_t>(window.width());
    thread_local std::vector<T> result;  // (separate from padded_rows' scratch: out may alias in)
    T* const rows_out = detail::grown(result, rows * pnx_);
    padded_rows(psf_hat, in, input_stride(in_stride), rows_out, y0, rows, threads);
    for (std::size_t i = 0; i < rows; ++i)
        std::copy(rows_out + i * pnx_ + ox_ + x0, rows_out + i * pnx_ + ox_ + x0 + cols, out + i * cols);
}

void Convolver::convolve(const double* in, double* out, int threads, std::size_t in_stride) const {
    const Window all{0, static_cast<std::ptrdiff_t>(ny_), 0, static_cast<std::ptrdiff_t>(nx_)};
    convolve_with(psf_hat_.data(), in, in_stride, out, all, threads);
}

void Convolver::convolve_window(const double* in, double* out, const Window& window, int threads,
                                std::size_t in_stride) const {
    convolve_with(psf_hat_.data(), in, in_stride, out, window, threads);
}

void Convolver::convolve_window(const float* in, float* out, const Window& window, int threads,
                                std::size_t in_stride) const {
    convolve_with(psf_hat_single_.data(), in, in_stride, out, window, threads);
}

void Convolver::correlate_rows(const float* in, float* out, int threads) const {
    if (threads < 1) throw std::invalid_argument("threads must be >= 1");
    if (exact_edges_) throw std::invalid_argument("correlate_rows needs a convolver without exact edges");
    padded_rows(psf_hat_conj_single_.data(), in, pnx_, out, 0, ny_, threads);
}

void Convolver::convolve_rows(const float* in, float* out, std::ptrdiff_t y_begin, std::ptrdiff_t y_end,
                              int threads, std::size_t in_stride) const {
    if (threads < 1) throw std::invalid_argument("threads must be >= 1");
    if (y_begin < 0 || y_end <= y_begin || static_cast<std::size_t>(y_end) > ny_)
        throw std::invalid_argument("convolution rows outside the image or empty");
    padded_rows(psf_hat_single_.data(), in, input_stride(in_stride), out, static_cast<std::size_t>(y_begin),
                static_cast<std::size_t>(y_end - y_begin), threads);
}

}  // namespace galforge

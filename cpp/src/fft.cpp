#include "galforge/fft.hpp"

#define POCKETFFT_CACHE_SIZE 16
#include <pocketfft.hpp>

namespace galforge::fft {

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

}  // namespace galforge::fft

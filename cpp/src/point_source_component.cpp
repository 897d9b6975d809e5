// The point-source kind: parameters x0, y0, flux; the model's PSF drawn at (x0, y0), after convolution.
//
// The PSF image P (ky x kx, used as given, as the convolution uses it: flux x sum(P) in total; its centre
// sample [(ky - 1) // 2, (kx - 1) // 2] as in the convolution) is placed with its centre on the pixel nearest
// to (x0, y0) and shifted by the remaining fraction (|f| <= 1/2) exactly by the Fourier shift theorem on a
// box of the PSF grown by kPad pixels per side, of odd sizes (so every frequency is below Nyquist and the
// shifted image is the real trigonometric interpolant of P: flux kept exactly, integer positions reproduce
// P exactly). The derivatives are analytic: d/dx0 multiplies the shifted spectrum by -2 pi i nu_x
// (likewise y0); d/dflux = pixel / flux. The box is periodic: what the shift moves past one edge (ringing of
// an undersampled PSF) re-enters at the other, within the kPad margin.
#include <cmath>
#include <complex>
#include <stdexcept>
#include <vector>

#include "galforge/component.hpp"
#include "galforge/fft.hpp"
#include "kernels.hpp"
#include "pixel_integrator.hpp"

namespace galforge {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr std::ptrdiff_t kPad = 3;

int count(const ComponentSpec&) { return 3; }

void check(const ComponentSpec&, const double* p) {
    using pixel::require;
    require(std::fabs(p[0]) <= pixel::kMaxPosition, "point source", "x0", p[0], "|x0| <= 1e9");
    require(std::fabs(p[1]) <= pixel::kMaxPosition, "point source", "y0", p[1], "|y0| <= 1e9");
    require(std::fabs(p[2]) <= 1e250, "point source", "flux", p[2], "|flux| <= 1e250");
}

// Signed frequency (cycles per sample) of index k of an n-point transform, n odd.
double frequency(std::size_t k, std::size_t n) {
    const auto kk = static_cast<double>(k), nn = static_cast<double>(n);
    return (2 * k < n ? kk : kk - nn) / nn;
}

void gradient(const ImageView& view, float* const* planes, const ComponentSpec& spec, const double* p,
              const KernelContext& ctx) {
    check(spec, p);
    if (ctx.psf == nullptr)
        throw std::invalid_argument("a point source needs the model's PSF: give the model a psf");
    const auto ky = static_cast<std::ptrdiff_t>(ctx.psf_ny), kx = static_cast<std::ptrdiff_t>(ctx.psf_nx);
    // Position in the view's index space, its nearest pixel (i0, j0) and the fraction (fy, fx).
    const double xs = p[0] - view.x_origin, ys = p[1] - view.y_origin;
    if (!std::isfinite(xs) || !std::isfinite(ys)) throw std::invalid_argument("point source offset overflows");
    const double jr = std::round(xs), ir = std::round(ys);
    const double fx = xs - jr, fy = ys - ir;
    // The box: odd sizes, the PSF at [kPad, kPad + k), top-left pixel of the view at (i0 - cy - kPad, ...).
    const std::ptrdiff_t ny = ky + 2 * kPad + ((ky + 2 * kPad) % 2 == 0);
    const std::ptrdiff_t nx = kx + 2 * kPad + ((kx + 2 * kPad) % 2 == 0);
    const double top = ir - static_cast<double>((ky - 1) / 2 + kPad);
    const double left = jr - static_cast<double>((kx - 1) / 2 + kPad);
    if (top >= static_cast<double>(view.ny) || left >= static_cast<double>(view.nx) ||
        top + static_cast<double>(ny) <= 0.0 || left + static_cast<double>(nx) <= 0.0)
        return;  // the box misses the view
    const auto t0 = static_cast<std::ptrdiff_t>(top), l0 = static_cast<std::ptrdiff_t>(left);
    const std::size_t nyu = static_cast<std::size_t>(ny), nxu = static_cast<std::size_t>(nx), nh = nxu / 2 + 1;
    std::vector<double> box(nyu * nxu, 0.0);
    for (std::ptrdiff_t a = 0; a < ky; ++a)
        for (std::ptrdiff_t b = 0; b < kx; ++b) box[(a + kPad) * nx + b + kPad] = ctx.psf[a * kx + b];
    std::vector<std::complex<double>> spectrum(nyu * nh);
    fft::rfft_rows(box.data(), nx, spectrum.data(), static_cast<std::ptrdiff_t>(nh), nyu, nxu, 1);
    fft::fft_columns(spectrum.data(), nyu, nh, true, 1);
    for (std::size_t a = 0; a < nyu; ++a) {
        const double vy = frequency(a, nyu);
        for (std::size_t b = 0; b < nh; ++b) {
            const double phase = -2.0 * kPi * (static_cast<double>(b) / static_cast<double>(nxu) * fx + vy * fy);
            spectrum[a * nh + b] *= std::complex<double>(std::cos(phase), std::sin(phase));
        }
    }
    const bool want_x = planes && planes[0], want_y = planes && planes[1];
    std::vector<double> value(nyu * nxu), dx(want_x ? nyu * nxu : 0), dy(want_y ? nyu * nxu : 0);
    std::vector<std::complex<double>> work;
    const double scale = 1.0 / static_cast<double>(nyu * nxu);
    // One inverse transform of the shifted spectrum times factor(row frequency, column frequency).
    auto inverse = [&](std::vector<double>& out, int axis) {
        work = spectrum;
        if (axis >= 0)
            for (std::size_t a = 0; a < nyu; ++a)
                for (std::size_t b = 0; b < nh; ++b) {
                    const double nu = axis == 0 ? static_cast<double>(b) / static_cast<double>(nxu) : frequency(a, nyu);
                    work[a * nh + b] *= std::complex<double>(0.0, -2.0 * kPi * nu);  // d/dx0 of exp(-2 pi i nu x0)
                }
        fft::fft_columns(work.data(), nyu, nh, false, 1);
        fft::irfft_rows(work.data(), static_cast<std::ptrdiff_t>(nh), out.data(), nx, nyu, nxu, scale, 1);
    };
    inverse(value, -1);
    if (want_x) inverse(dx, 0);
    if (want_y) inverse(dy, 1);
    const double flux = p[2];
    for (std::ptrdiff_t a = std::max<std::ptrdiff_t>(0, -t0); a < ny && t0 + a < view.ny; ++a)
        for (std::ptrdiff_t b = std::max<std::ptrdiff_t>(0, -l0); b < nx && l0 + b < view.nx; ++b) {
            const std::ptrdiff_t m = (t0 + a) * view.nx + l0 + b, k = a * nx + b;
            view.data[m] += flux * value[k];
            if (want_x) planes[0][m] += static_cast<float>(flux * dx[k]);
            if (want_y) planes[1][m] += static_cast<float>(flux * dy[k]);
            if (planes && planes[2]) planes[2][m] += static_cast<float>(value[k]);
        }
}

void render(const ImageView& view, const ComponentSpec& spec, const double* p, const KernelContext& ctx) {
    gradient(view, nullptr, spec, p, ctx);
}

}  // namespace

const ComponentKernel kPointSourceKernel{"point", false, -1, -1, count, check, render, gradient, 2};

}  // namespace galforge

// Sersic profile with a generalised-ellipse radius, and its pixel-integrated rendering.
//
// Conventions (DESIGN.md section 3): pa in radians, major axis counter-clockwise from +y;
// u = -dx sin(pa) + dy cos(pa), v = (dx cos(pa) + dy sin(pa)) / q, R = (|u|^c + |v|^c)^(1/c);
// I(R) = ie exp(-b_n ((R / r_e)^(1/n) - 1)), r_e the semi-major half-light radius in pixels.
#pragma once
#include "galforge/image.hpp"

namespace galforge {

enum class BnMethod { exact, cb99 };

struct SersicParams {
    double x0 = 0.0, y0 = 0.0;  // centre, pixels
    double ie = 1.0;            // surface brightness at r_e, per pixel
    double r_e = 1.0;           // half-light semi-major radius, pixels
    double n = 1.0;             // Sersic index
    double q = 1.0;             // axis ratio b/a, (0, 1]
    double pa = 0.0;            // radians, counter-clockwise from +y
    double c = 2.0;             // generalised-ellipse exponent (2 ellipse, >2 boxy, <2 disky)
    BnMethod bn = BnMethod::exact;
};

// Supported ranges, checked by validate(); the adaptive accuracy is stated for 0.3 <= n <= 8.
constexpr double kSersicMinN = 0.2;
constexpr double kSersicMaxN = 10.0;
constexpr double kSersicMinC = 0.5;
constexpr double kSersicMaxC = 10.0;

// Throws std::invalid_argument naming the first bad parameter.
void validate(const SersicParams& p);

double sersic_bn(const SersicParams& p);

// Surface brightness at the centre, ie exp(b_n); throws std::invalid_argument if it overflows.
double sersic_central_brightness(const SersicParams& p);

// Analytic total flux (integral over the plane), boxiness included.
double sersic_total_flux(const SersicParams& p);

// Area of the unit generalised circle |u|^c + |v|^c <= 1 divided by pi (1 for c = 2).
double generalized_ellipse_area_factor(double c);

struct RenderOptions {
    // 0: adaptive pixel integration to `tolerance` (relative, per pixel).
    // k >= 1: uniform k x k sub-pixel mean (k = 1 samples pixel centres).
    int oversample = 0;
    double tolerance = 1e-4;
    int threads = 1;
};

// Throws std::invalid_argument naming the first bad option.
void validate(const RenderOptions& options);

// Adds the pixel values of the profile to `image` inside `window`.
void render_sersic(const ImageView& image, const Window& window, const SersicParams& p,
                   const RenderOptions& options);

// Number of Sersic parameters, in the order x0, y0, ie, r_e, n, q, pa, c.
inline constexpr int kSersicParams = 8;

// d b_n / d n for the method of `p`.
double sersic_bn_derivative(const SersicParams& p);

// Adds the pixel values (as render_sersic) to `image` and their derivatives with respect to the
// parameters (order above) to gradient[k] inside `window`. gradient[k] points to an image of the
// same shape as `image`, in single precision (null: skipped). Each pixel's derivatives are integrated by the rule that
// integrated its value, so they are the derivatives of the rendered image.
void render_sersic_gradient(const ImageView& image, float* const gradient[kSersicParams], const Window& window,
                            const SersicParams& p, const RenderOptions& options);

}  // namespace galforge

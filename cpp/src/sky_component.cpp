// The sky component kind: level + dx (x - x_ref) + dy (y - y_ref) per pixel; constants x_ref, y_ref
// (both 0 when no constants are given).
#include <cmath>
#include <stdexcept>

#include "galforge/component.hpp"
#include "kernels.hpp"

namespace galforge {

namespace {

int count(const ComponentSpec&) { return 3; }

void check(const ComponentSpec& spec, const double* p) {
    if (spec.constants.size() != 0 && spec.constants.size() != 2)
        throw std::invalid_argument("sky takes 0 or 2 constants (x_ref, y_ref)");
    const char* names[] = {"level", "dx", "dy"};
    for (int k = 0; k < 3; ++k)
        if (!std::isfinite(p[k])) throw std::invalid_argument(std::string("sky ") + names[k] + " must be finite");
    if (spec.constants.size() == 2 && (!std::isfinite(spec.constants[0]) || !std::isfinite(spec.constants[1])))
        throw std::invalid_argument("sky x_ref and y_ref must be finite");
}

void gradient(const ImageView& view, float* const* planes, const ComponentSpec& spec, const double* p,
              const KernelContext&) {
    const bool given = spec.constants.size() == 2;
    const double x_ref = given ? spec.constants[0] : 0.0, y_ref = given ? spec.constants[1] : 0.0;
    for (std::ptrdiff_t i = 0; i < view.ny; ++i) {
        const double y = view.y_origin + static_cast<double>(i) - y_ref;
        for (std::ptrdiff_t j = 0; j < view.nx; ++j) {
            const double x = view.x_origin + static_cast<double>(j) - x_ref;
            const std::ptrdiff_t m = i * view.nx + j;
            view.data[m] += p[0] + p[1] * x + p[2] * y;
            if (planes[0]) planes[0][m] += 1.0f;
            if (planes[1]) planes[1][m] += static_cast<float>(x);
            if (planes[2]) planes[2][m] += static_cast<float>(y);
        }
    }
}

void render(const ImageView& view, const ComponentSpec& spec, const double* p, const KernelContext& ctx) {
    float* none[3] = {nullptr, nullptr, nullptr};
    gradient(view, none, spec, p, ctx);
}

}  // namespace

const ComponentKernel kSkyKernel{"sky", false, -1, -1, count, check, render, gradient};

}  // namespace galforge

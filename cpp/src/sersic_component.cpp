// The Sersic component kind: parameters x0, y0, ie, r_e, n, q, pa, c (see sersic.hpp).
#include "galforge/component.hpp"
#include "kernels.hpp"

namespace galforge {

namespace {

SersicParams sersic_from(const ComponentSpec& spec, const double* p) {
    return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], spec.bn};
}

int count(const ComponentSpec&) { return kSersicParams; }

void check(const ComponentSpec& spec, const double* p) { validate(sersic_from(spec, p)); }

void render(const ImageView& view, const ComponentSpec& spec, const double* p, const KernelContext& ctx) {
    render_sersic(view, Window::whole(view), sersic_from(spec, p), ctx.options);
}

void gradient(const ImageView& view, float* const* planes, const ComponentSpec& spec, const double* p,
              const KernelContext& ctx) {
    render_sersic_gradient(view, planes, Window::whole(view), sersic_from(spec, p), ctx.options);
}

}  // namespace

const ComponentKernel kSersicKernel{"sersic", true, 5, 6, count, check, render, gradient, 2};

}  // namespace galforge

// Component models in windows, their Jacobians through the PSF, and the chi2 fit problem.
#include "galforge/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "scratch.hpp"
#include "vector_clones.hpp"

namespace galforge {

namespace {

// sum_j a[j] b[j] in single-precision vector lanes, over chunks of 256 summed in double: each of the 8
// or 16 lanes adds at most 32 terms, so the sum is good to ~1e-6 of sum_j |a[j] b[j]|, at float speed.
GALFORGE_VECTOR_CLONES
double float_dot(const float* __restrict a, const float* __restrict b, std::ptrdiff_t n) {
    double total = 0.0;
    for (std::ptrdiff_t j0 = 0; j0 < n; j0 += 256) {
        const std::ptrdiff_t j1 = std::min<std::ptrdiff_t>(j0 + 256, n);
        float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
        for (std::ptrdiff_t j = j0; j < j1; ++j) sum += a[j] * b[j];
        total += static_cast<double>(sum);
    }
    return total;
}

// out[k] = float_dot(a, b[k], n) for k < 4, in one pass over a (four independent sums per lane).
GALFORGE_VECTOR_CLONES
void float_dot4(const float* __restrict a, const float* __restrict b0, const float* __restrict b1,
                const float* __restrict b2, const float* __restrict b3, std::ptrdiff_t n, double* out) {
    double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0;
    for (std::ptrdiff_t j0 = 0; j0 < n; j0 += 256) {
        const std::ptrdiff_t j1 = std::min<std::ptrdiff_t>(j0 + 256, n);
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
        for (std::ptrdiff_t j = j0; j < j1; ++j) {
            s0 += a[j] * b0[j];
            s1 += a[j] * b1[j];
            s2 += a[j] * b2[j];
            s3 += a[j] * b3[j];
        }
        t0 += static_cast<double>(s0);
        t1 += static_cast<double>(s1);
        t2 += static_cast<double>(s2);
        t3 += static_cast<double>(s3);
    }
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
}

// out[j] = a[j] w[j].
GALFORGE_VECTOR_CLONES
void weighted_row(const float* __restrict a, const float* __restrict w, float* __restrict out, std::ptrdiff_t n) {
#pragma omp simd
    for (std::ptrdiff_t j = 0; j < n; ++j) out[j] = a[j] * w[j];
}

// sum_j a[j] b[j], likewise.
GALFORGE_VECTOR_CLONES
double dot(const float* __restrict a, const double* __restrict b, std::ptrdiff_t n) {
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (std::ptrdiff_t j = 0; j < n; ++j) sum += static_cast<double>(a[j]) * b[j];
    return sum;
}

// A component with a linear parameter (an amplitude A, params[lin]) is differentiated at A / 2^e ~ 1:
// its value and its other derivatives come out divided by exactly 2^e, so that single precision holds
// them whatever the image's units (a flux of 1e39 overflows a float); the derivative by A (value / A)
// is unchanged. Sets params[lin] to A / 2^e and returns 2^e (1 without a usable amplitude).
double to_unit_amplitude(int lin, std::vector<double>& params) {
    if (lin < 0 || params[lin] == 0.0 || !std::isfinite(params[lin])) return 1.0;
    const int e = std::ilogb(params[lin]);
    params[lin] = std::ldexp(params[lin], -e);
    return std::ldexp(1.0, e);
}

}  // namespace

ImageModel::ImageModel(std::ptrdiff_t ny, std::ptrdiff_t nx, std::vector<ComponentSpec> components, const double* psf,
                       std::size_t ky, std::size_t kx, const RenderOptions& options, bool extend,
                       double x_origin, double y_origin)
    : ny_(ny), nx_(nx), x_origin_(x_origin), y_origin_(y_origin), specs_(std::move(components)) {
    if (!std::isfinite(x_origin) || !std::isfinite(y_origin)) throw std::invalid_argument("origin must be finite");
    if (ny <= 0 || nx <= 0) throw std::invalid_argument("model image shape must be positive");
    if (psf && (ky == 0 || kx == 0)) throw std::invalid_argument("psf must be non-empty");
    validate(options);
    context_.options = options;
    if (psf) {
        psf_.assign(psf, psf + ky * kx);
        context_.psf = psf_.data();
        context_.psf_ny = ky;
        context_.psf_nx = kx;
        if (extend) {
            my_ = static_cast<std::ptrdiff_t>(ky / 2);
            mx_ = static_cast<std::ptrdiff_t>(kx / 2);
        }
    }
    double unused = 0.0;  // check_window needs a view; only its shape matters here
    const ImageView frame{&unused, ny, nx};
    offsets_.push_back(0);
    correlatable_ = extend || psf == nullptr;
    std::map<std::pair<std::ptrdiff_t, std::ptrdiff_t>, std::shared_ptr<const Convolver>> convolvers;
    for (std::size_t c = 0; c < specs_.size(); ++c) {
        const ComponentSpec& s = specs_[c];
        check_window(frame, s.window);
        if (s.window.empty())
            throw std::invalid_argument("component " + std::to_string(c) + " has an empty window");
        offsets_.push_back(offsets_.back() + static_cast<std::size_t>(parameter_count(s)));
        region_of_.push_back(0);
        if (!component_kernel(s.kind).convolved) continue;
        const Window grown{s.window.y_begin - my_, s.window.y_end + my_, s.window.x_begin - mx_, s.window.x_end + mx_};
        std::size_t found = regions_.size();
        for (std::size_t r = 0; r < regions_.size(); ++r) {
            const Window& w = regions_[r].window;
            if (w.y_begin == grown.y_begin && w.y_end == grown.y_end && w.x_begin == grown.x_begin &&
                w.x_end == grown.x_end)
                found = r;
        }
        if (found == regions_.size()) {
            Region r{grown, grown.height(), grown.width(), nullptr, grown.width()};
            if (psf) {
                auto& conv = convolvers[{r.height, r.width}];
                if (!conv)
                    conv = std::make_shared<const Convolver>(psf, ky, kx, static_cast<std::size_t>(r.height),
                                                             static_cast<std::size_t>(r.width), false, !extend);
                r.convolver = conv;
                if (extend) r.row_length = static_cast<std::ptrdiff_t>(conv->padded_nx());
            }
            regions_.push_back(r);
        }
        region_of_.back() = found;
    }
}

ImageView ImageModel::region_view(const Region& r, double* data) const {
    return ImageView{data, r.height, r.row_length, x_origin_ + static_cast<double>(r.window.x_begin),
                     y_origin_ + static_cast<double>(r.window.y_begin)};
}

void ImageModel::check(const double* params) const {
    for (std::size_t c = 0; c < specs_.size(); ++c) {
        try {
            component_kernel(specs_[c].kind).check(specs_[c], params + offsets_[c]);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("component " + std::to_string(c) + ": " + e.what());
        }
    }
}

void ImageModel::render(const double* params, double* out, const std::vector<std::size_t>& which) const {
    std::vector<std::size_t> all;
    const std::vector<std::size_t>* list = &which;
    if (which.empty()) {
        for (std::size_t c = 0; c < specs_.size(); ++c) all.push_back(c);
        list = &all;
    }
    // Convolved components sharing a region are rendered together and convolved once.
    thread_local std::vector<std::vector<double>> grids;  // reused between calls
    thread_local std::vector<double> patch;
    grids.resize(regions_.size());
    for (auto& grid : grids) grid.clear();
    for (std::size_t c : *list) {
        const ComponentSpec& s = specs_[c];
        const ComponentKernel& kernel = component_kernel(s.kind);
        const double* p = params + offsets_[c];
        if (!kernel.convolved) {
            const Window& w = s.window;
            patch.assign(static_cast<std::size_t>(w.height() * w.width()), 0.0);
            const Region own{w, w.height(), w.width(), nullptr, w.width()};
            kernel.render(region_view(own, patch.data()), s, p, context_);
            for (std::ptrdiff_t i = 0; i < w.height(); ++i)
                for (std::ptrdiff_t j = 0; j < w.width(); ++j)
                    out[(w.y_begin + i) * nx_ + w.x_begin + j] += patch[i * w.width() + j];
            continue;
        }
        const Region& r = regions_[region_of_[c]];
        auto& grid = grids[region_of_[c]];
        if (grid.empty()) grid.assign(static_cast<std::size_t>(r.height * r.row_length), 0.0);
        kernel.render(region_view(r, grid.data()), s, p, context_);
    }
    for (std::size_t k = 0; k < regions_.size(); ++k) {
        if (grids[k].empty()) continue;
        const Region& r = regions_[k];
        if (r.convolver)  // (its output rows are r.width long; without a convolver, row_length is the width)
            r.convolver->convolve(grids[k].data(), grids[k].data(), context_.options.threads,
                                  static_cast<std::size_t>(r.row_length));
        for (std::ptrdiff_t i = my_; i < r.height - my_; ++i)
            for (std::ptrdiff_t j = mx_; j < r.width - mx_; ++j)
                out[(r.window.y_begin + i) * nx_ + r.window.x_begin + j] += grids[k][i * r.width + j];
    }
}

void ImageModel::region_derivatives(std::size_t component, const double* params, const std::vector<bool>& want,
                                    ComponentDerivatives& d) const {
    const ComponentSpec& s = specs_.at(component);
    const ComponentKernel& kernel = component_kernel(s.kind);
    const int np = parameter_count(s);
    std::vector<double> unit(params + offsets_[component], params + offsets_[component] + np);
    const int lin = kernel.linear_index;
    d.scale = to_unit_amplitude(lin, unit);
    const double* p = unit.data();
    const Region region = region_for(component);
    const std::size_t grid_size = static_cast<std::size_t>(region.height * region.row_length);
    // The derivative with respect to a parameter the component is proportional to is value / parameter.
    d.linear = lin >= 0 && want[lin] && p[lin] != 0.0 ? lin : -1;
    d.amplitude = d.linear >= 0 ? p[d.linear] : 0.0;
    d.grid.assign(grid_size, 0.0);
    float* const storage = detail::grown(d.storage, static_cast<std::size_t>(np) * grid_size);
    d.planes.assign(static_cast<std::size_t>(np), nullptr);
    for (int k = 0; k < np; ++k) {
        if (!want[k] || k == d.linear) continue;
        d.planes[k] = storage + static_cast<std::size_t>(k) * grid_size;
        std::fill(d.planes[k], d.planes[k] + grid_size, 0.0f);
    }
    kernel.gradient(region_view(region, d.grid.data()), d.planes.data(), s, p, context_);
}

ImageModel::Region ImageModel::region_for(std::size_t component) const {
    // Kinds after the PSF are evaluated on the window itself; profiles on their grown, convolved region.
    const ComponentSpec& s = specs_.at(component);
    if (component_kernel(s.kind).convolved) return regions_[region_of_[component]];
    return Region{s.window, s.window.height(), s.window.width(), nullptr, s.window.width()};
}

void ImageModel::component_jacobian(std::size_t component, const double* params, const std::vector<bool>& want,
                                    ComponentJacobian& out) const {
    const ComponentSpec& s = specs_.at(component);
    const int np = parameter_count(s);
    thread_local ComponentDerivatives d;  // (kept between calls: fresh large allocations cost page faults)
    region_derivatives(component, params, want, d);
    const Region region = region_for(component);
    const std::ptrdiff_t h = s.window.height(), w = s.window.width();
    const std::ptrdiff_t my = s.window.y_begin - region.window.y_begin, mx = s.window.x_begin - region.window.x_begin;
    out.column_scale.assign(static_cast<std::size_t>(np), d.scale);
    // Convolved planes keep the FFT's rows (padded_nx() long, the window's columns from its offset).
    const Convolver* const convolver = region.convolver.get();
    out.stride = convolver ? static_cast<std::ptrdiff_t>(convolver->padded_nx()) : w;
    out.offset = convolver ? static_cast<std::ptrdiff_t>(convolver->column_offset()) + mx : 0;
    out.plane_size = h * out.stride;
    out.value.resize(static_cast<std::size_t>(h * w));  // every wanted plane is overwritten below
    out.planes.resize(static_cast<std::size_t>(out.plane_size * np));
    const double* const values = d.grid.data();  // (the threads below have thread_locals of their own)
    const std::vector<float*>& planes = d.planes;
    const Window crop{my, my + h, mx, mx + w};
    const int threads = context_.options.threads;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (threads > 1)
    for (int k = -1; k < np; ++k) {
        if (k >= 0 && planes[k] == nullptr) continue;
        if (convolver) {
            const auto stride = static_cast<std::size_t>(region.row_length);
            if (k < 0) convolver->convolve_window(values, out.value.data(), crop, 1, stride);
            else convolver->convolve_rows(planes[k], out.planes.data() + k * out.plane_size, crop, 1, stride);
            continue;
        }
        for (std::ptrdiff_t i = 0; i < h; ++i) {
            const std::ptrdiff_t row = (i + my) * region.row_length + mx;
            if (k < 0) std::copy(values + row, values + row + w, out.value.data() + i * w);
            else std::copy(planes[k] + row, planes[k] + row + w, out.row(static_cast<std::size_t>(k), i));
        }
    }
    if (d.linear >= 0) {
        const double inv = 1.0 / d.amplitude;
        for (std::ptrdiff_t i = 0; i < h; ++i) {
            float* dest = out.row(static_cast<std::size_t>(d.linear), i);
            const double* v = out.value.data() + i * w;
            for (std::ptrdiff_t j = 0; j < w; ++j) dest[j] = static_cast<float>(v[j] * inv);
        }
        out.column_scale[static_cast<std::size_t>(d.linear)] = 1.0;
    }
    if (d.scale != 1.0)
        for (double& v : out.value) v *= d.scale;  // exact: a power of two
}

void ImageModel::add_value(std::size_t component, const ComponentDerivatives& d, double* image) const {
    const ComponentSpec& s = specs_.at(component);
    const Region region = region_for(component);
    const std::ptrdiff_t h = s.window.height(), w = s.window.width();
    const std::ptrdiff_t my = s.window.y_begin - region.window.y_begin, mx = s.window.x_begin - region.window.x_begin;
    thread_local std::vector<double> value;
    const double* rows = d.grid.data() + my * region.row_length + mx;  // the window's rows, unconvolved
    std::ptrdiff_t stride = region.row_length;
    if (region.convolver) {
        double* const v = detail::grown(value, static_cast<std::size_t>(h * w));
        region.convolver->convolve_window(d.grid.data(), v, Window{my, my + h, mx, mx + w}, context_.options.threads,
                                          static_cast<std::size_t>(region.row_length));
        rows = v;
        stride = w;
    }
    for (std::ptrdiff_t i = 0; i < h; ++i) {
        double* dst = image + (s.window.y_begin + i) * nx_ + s.window.x_begin;
        for (std::ptrdiff_t j = 0; j < w; ++j) dst[j] += d.scale * rows[i * stride + j];
    }
}

void ImageModel::component_gradient(std::size_t component, const ComponentDerivatives& d, const double* wr,
                                    std::vector<double>& g) const {
    if (!correlatable_) throw std::logic_error("component_gradient needs a model with extended windows");
    const ComponentSpec& s = specs_.at(component);
    const Region region = region_for(component);
    const std::ptrdiff_t h = s.window.height(), w = s.window.width(), rl = region.row_length;
    const std::ptrdiff_t my = s.window.y_begin - region.window.y_begin, mx = s.window.x_begin - region.window.x_begin;
    const std::size_t grid_size = d.grid.size();
    // What each region pixel is dotted with: wr where the window is, correlated with the PSF if the
    // component is convolved (its rows are then those of the FFT period: rl = padded_nx()).
    thread_local std::vector<float> residual, correlated, value;
    const float* weight_of = nullptr;
    if (region.convolver) {
        float* const e = detail::grown(residual, grid_size);
        std::fill(e, e + grid_size, 0.0f);
        for (std::ptrdiff_t i = 0; i < h; ++i) {
            const double* src = wr + (s.window.y_begin + i) * nx_ + s.window.x_begin;
            float* dst = e + (i + my) * rl + mx;
            for (std::ptrdiff_t j = 0; j < w; ++j) dst[j] = static_cast<float>(src[j]);
        }
        float* const c = detail::grown(correlated, grid_size);
        region.convolver->correlate_rows(e, c, context_.options.threads);
        weight_of = c;
    }
    // The sum over the window (the whole region, convolved) of a plane times its weights.
    auto total = [&](const float* plane) {
        if (weight_of) return float_dot(plane, weight_of, static_cast<std::ptrdiff_t>(grid_size));
        double sum = 0.0;
        for (std::ptrdiff_t i = 0; i < h; ++i)
            sum += dot(plane + (i + my) * rl + mx, wr + (s.window.y_begin + i) * nx_ + s.window.x_begin, w);
        return sum;
    };
    g.assign(d.planes.size(), 0.0);
    for (std::size_t k = 0; k < d.planes.size(); ++k)
        if (d.planes[k] != nullptr) g[k] = d.scale * total(d.planes[k]);
    if (d.linear >= 0) {  // the value (at unit amplitude) over the amplitude
        float* const v = detail::grown(value, grid_size);
        std::copy(d.grid.begin(), d.grid.end(), v);
        g[static_cast<std::size_t>(d.linear)] = total(v) / d.amplitude;
    }
}

// ---- the fit problem -------------------------------------------------------------------------

ImageFitProblem::ImageFitProblem(const ImageModel& model, const double* data, const double* weight,
                                 std::vector<double> params, std::vector<bool> free, std::vector<double> lower,
                                 std::vector<double> upper, bool ellipticity_vector, std::vector<double> prior_mean,
                                 std::vector<double> prior_sigma)
    : model_(model), data_(data), weight_(weight), params_(std::move(params)) {
    const std::size_t n = model.n_params();
    if (params_.size() != n || free.size() != n || lower.size() != n || upper.size() != n)
        throw std::invalid_argument("params, free, lower and upper must have one entry per model parameter");
    if (prior_mean.size() != prior_sigma.size() || (!prior_mean.empty() && prior_mean.size() != n))
        throw std::invalid_argument("prior mean and sigma must have one entry per model parameter");
    std::vector<double> precision(n, 0.0);
    for (std::size_t k = 0; k < prior_sigma.size(); ++k) {
        const double s = prior_sigma[k];
        if (std::isnan(s) || s < 0.0) throw std::invalid_argument("prior sigma must be >= 0 (0 or inf: no prior)");
        if (s > 0.0 && std::isfinite(s)) {
            if (!std::isfinite(prior_mean[k])) throw std::invalid_argument("prior mean must be finite");
            precision[k] = 1.0 / (s * s);
        }
    }
    std::vector<std::size_t> fixed;
    for (std::size_t c = 0; c < model.n_components(); ++c) {
        Block b;
        const int np = parameter_count(model.spec(c));
        for (int k = 0; k < np; ++k) {
            const std::size_t index = model.offset(c) + static_cast<std::size_t>(k);
            b.want.push_back(free[index]);
            if (free[index]) {
                b.columns.push_back(free_index_.size());
                free_index_.push_back(index);
                free_lower_.push_back(lower[index]);
                free_upper_.push_back(upper[index]);
                prior_mean_.push_back(prior_mean.empty() ? 0.0 : prior_mean[index]);
                prior_precision_.push_back(precision[index]);
            }
        }
        if (b.columns.empty()) {
            fixed.push_back(c);
            continue;
        }
        const ComponentKernel& kernel = component_kernel(model.spec(c).kind);
        const std::size_t iq = model.offset(c) + static_cast<std::size_t>(kernel.q_index);
        const std::size_t ipa = model.offset(c) + static_cast<std::size_t>(kernel.pa_index);
        if (ellipticity_vector && kernel.q_index >= 0 && free[iq] && free[ipa] && upper[iq] >= 1.0 &&
            lower[iq] > 0.0 && std::isinf(lower[ipa]) && std::isinf(upper[ipa]) && precision[iq] == 0.0 &&
            precision[ipa] == 0.0) {
            b.ellipticity = true;
            b.iq = static_cast<std::size_t>(kernel.q_index);
            b.ipa = static_cast<std::size_t>(kernel.pa_index);
            b.e_max = (1.0 - lower[iq]) / (1.0 + lower[iq]);
            std::size_t seen = 0;
            for (int k = 0; k < np; ++k) {
                if (!b.want[k]) continue;
                if (k == kernel.q_index) b.e1 = b.columns[seen];
                if (k == kernel.pa_index) b.e2 = b.columns[seen];
                ++seen;
            }
            free_lower_[b.e1] = free_lower_[b.e2] = -b.e_max;
            free_upper_[b.e1] = free_upper_[b.e2] = b.e_max;
        }
        b.jacobian.planes = detail::BufferPool<float>::take();
        b.jacobian.value = detail::BufferPool<double>::take();
        b.derivatives.storage = detail::BufferPool<float>::take();
        b.derivatives.grid = detail::BufferPool<double>::take();
        active_.push_back(c);
        blocks_.push_back(std::move(b));
    }
    const std::size_t npix = static_cast<std::size_t>(model.ny() * model.nx());
    for (std::vector<double>* v : {&background_, &image_, &weighted_residual_}) *v = detail::BufferPool<double>::take();
    double max_weight = 0.0;
    for (std::size_t m = 0; m < npix; ++m) max_weight = std::fmax(max_weight, weight[m]);
    weight_exponent_ = max_weight > 0.0 && std::isfinite(max_weight) ? std::ilogb(max_weight) + 1 : 0;
    weight_float_ = detail::BufferPool<float>::take();
    weight_float_.resize(npix);
    for (std::size_t m = 0; m < npix; ++m)
        weight_float_[m] = static_cast<float>(std::ldexp(weight[m], -weight_exponent_));
    background_.assign(npix, 0.0);
    if (!fixed.empty()) model.render(params_.data(), background_.data(), fixed);
    image_.resize(npix);
}

ImageFitProblem::~ImageFitProblem() {
    for (Block& b : blocks_) {
        detail::BufferPool<float>::give(std::move(b.jacobian.planes));
        detail::BufferPool<double>::give(std::move(b.jacobian.value));
        detail::BufferPool<float>::give(std::move(b.derivatives.storage));
        detail::BufferPool<double>::give(std::move(b.derivatives.grid));
    }
    for (std::vector<double>* v : {&background_, &image_, &weighted_residual_})
        detail::BufferPool<double>::give(std::move(*v));
    detail::BufferPool<float>::give(std::move(weight_float_));
}

std::vector<double> ImageFitProblem::full_parameters(const std::vector<double>& x) const {
    std::vector<double> full = params_;
    for (std::size_t k = 0; k < free_index_.size(); ++k) full[free_index_[k]] = x[k];
    for (std::size_t a = 0; a < blocks_.size(); ++a) {
        const Block& b = blocks_[a];
        if (!b.ellipticity) continue;
        const double r = std::fmin(std::hypot(x[b.e1], x[b.e2]), b.e_max);
        const std::size_t iq = model_.offset(active_[a]) + b.iq, ipa = model_.offset(active_[a]) + b.ipa;
        full[iq] = (1.0 - r) / (1.0 + r);
        full[ipa] = r > 0.0 ? 0.5 * std::atan2(x[b.e2], x[b.e1]) : params_[ipa];
    }
    return full;
}

std::vector<double> ImageFitProblem::free_parameters() const {
    std::vector<double> x;
    for (std::size_t index : free_index_) x.push_back(params_[index]);
    for (std::size_t a = 0; a < blocks_.size(); ++a) {
        const Block& b = blocks_[a];
        if (!b.ellipticity) continue;
        const std::size_t iq = model_.offset(active_[a]) + b.iq, ipa = model_.offset(active_[a]) + b.ipa;
        // A round start (q = 1, e = 0) is moved to |e| = 1e-3 along its pa: at e = 0 the model depends on
        // |e| only, so both derivatives vanish there and the fit could never leave it.
        const double r = std::fmax(std::fmin((1.0 - params_[iq]) / (1.0 + params_[iq]), b.e_max), 1e-3);
        x[b.e1] = r * std::cos(2.0 * params_[ipa]);
        x[b.e2] = r * std::sin(2.0 * params_[ipa]);
    }
    return x;
}

void ImageFitProblem::fill_model(const std::vector<double>& full) {
    image_ = background_;
    if (!active_.empty()) model_.render(full.data(), image_.data(), active_);
}

const std::vector<double>& ImageFitProblem::image_at(const std::vector<double>& x) {
    if (x != image_x_) {
        image_x_.clear();
        fill_model(full_parameters(x));
        image_x_ = x;
    }
    return image_;
}

std::vector<double> ImageFitProblem::model_image(const std::vector<double>& x) { return image_at(x); }

double ImageFitProblem::chi2_at(const std::vector<double>& x) {
    const std::vector<double>& image = image_at(x);
    double chi2 = 0.0;
    for (std::size_t m = 0; m < image.size(); ++m) {
        const double r = data_[m] - image[m];
        chi2 += weight_[m] * r * r;
    }
    return chi2 + prior_chi2(x);
}

void ImageFitProblem::to_natural(const std::vector<double>& x, std::vector<double>& H, std::vector<double>& g) const {
    const std::size_t n = size();
    for (std::size_t a = 0; a < blocks_.size(); ++a) {
        const Block& b = blocks_[a];
        if (!b.ellipticity) continue;
        // M = d(e1, e2) / d(q, pa); J_natural = J_e M, so H <- M^T H M and g <- M^T g on the two slots.
        const double e1 = x[b.e1], e2 = x[b.e2], r = std::hypot(e1, e2);
        const double pa = full_parameters(x)[model_.offset(active_[a]) + b.ipa];
        const double q = (1.0 - r) / (1.0 + r), dr_dq = r < b.e_max ? -2.0 / ((1.0 + q) * (1.0 + q)) : 0.0;
        const double c2 = std::cos(2.0 * pa), s2 = std::sin(2.0 * pa);
        const double M[2][2] = {{dr_dq * c2, -2.0 * r * s2}, {dr_dq * s2, 2.0 * r * c2}};  // rows e1, e2
        const std::size_t slot[2] = {b.e1, b.e2};
        for (std::size_t i = 0; i < n; ++i) {  // columns: H <- H M
            const double h1 = H[i * n + slot[0]], h2 = H[i * n + slot[1]];
            H[i * n + slot[0]] = h1 * M[0][0] + h2 * M[1][0];
            H[i * n + slot[1]] = h1 * M[0][1] + h2 * M[1][1];
        }
        for (std::size_t j = 0; j < n; ++j) {  // rows: H <- M^T H
            const double h1 = H[slot[0] * n + j], h2 = H[slot[1] * n + j];
            H[slot[0] * n + j] = M[0][0] * h1 + M[1][0] * h2;
            H[slot[1] * n + j] = M[0][1] * h1 + M[1][1] * h2;
        }
        const double g1 = g[slot[0]], g2 = g[slot[1]];
        g[slot[0]] = M[0][0] * g1 + M[1][0] * g2;
        g[slot[1]] = M[0][1] * g1 + M[1][1] * g2;
    }
}

double ImageFitProblem::normal_equations(const std::vector<double>& x, std::vector<double>& H,
                                         std::vector<double>& g) {
    const std::vector<double> full = full_parameters(x);
    const std::size_t n = size();
    const std::ptrdiff_t nx = model_.nx();
    image_x_.clear();
    image_ = background_;
    for (std::size_t a = 0; a < active_.size(); ++a) {
        Block& b = blocks_[a];
        model_.component_jacobian(active_[a], full.data(), b.want, b.jacobian);
        const Window& w = model_.spec(active_[a]).window;
        if (b.ellipticity) {  // columns q, pa -> e1, e2 by the chain rule
            const auto [dq1, dq2, dpa1, dpa2] = ellipticity_derivatives(b, x);
            for (std::ptrdiff_t i = 0; i < w.height(); ++i) {
                float* jq = b.jacobian.row(b.iq, i);
                float* jpa = b.jacobian.row(b.ipa, i);
                for (std::ptrdiff_t j = 0; j < w.width(); ++j) {
                    const double q = jq[j], pa = jpa[j];
                    jq[j] = static_cast<float>(q * dq1 + pa * dpa1);
                    jpa[j] = static_cast<float>(q * dq2 + pa * dpa2);
                }
            }
        }
        for (std::ptrdiff_t i = 0; i < w.height(); ++i)
            for (std::ptrdiff_t j = 0; j < w.width(); ++j)
                image_[(w.y_begin + i) * nx + w.x_begin + j] += b.jacobian.value[i * w.width() + j];
    }
    image_x_ = x;
    const double chi2 = weigh_residuals(image_);
    const std::vector<double>& wr = weighted_residual_;
    H.assign(n * n, 0.0);
    g.assign(n, 0.0);
    // The wanted columns of each block: (parameter slot, free index).
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> columns(active_.size());
    for (std::size_t a = 0; a < active_.size(); ++a) {
        std::size_t seen = 0;
        for (std::size_t k = 0; k < blocks_[a].want.size(); ++k)
            if (blocks_[a].want[k]) columns[a].push_back({k, blocks_[a].columns[seen++]});
    }
    // J^T W J and J^T W r from pairs of blocks whose windows overlap, in tasks of up to 32 rows of the
    // overlap: a task sums every pair of the two blocks' columns row by row, so that a row of each
    // column is read from cache for all its pairs. The tasks' partial sums are added in task order:
    // H and g do not depend on the number of threads.
    struct Task { std::size_t a, b; std::ptrdiff_t y0, y1, x0, x1; std::size_t offset; };
    std::vector<Task> tasks;
    std::size_t total = 0;
    for (std::size_t a = 0; a < active_.size(); ++a)
        for (std::size_t b = a; b < active_.size(); ++b) {
            const Window& wa = model_.spec(active_[a]).window;
            const Window& wb = model_.spec(active_[b]).window;
            const std::ptrdiff_t y0 = std::max(wa.y_begin, wb.y_begin), y1 = std::min(wa.y_end, wb.y_end);
            const std::ptrdiff_t x0 = std::max(wa.x_begin, wb.x_begin), x1 = std::min(wa.x_end, wb.x_end);
            if (y0 >= y1 || x0 >= x1) continue;
            // H entries of the pair, then (a block with itself) its J^T W r entries.
            const std::size_t entries = columns[a].size() * columns[b].size() + (a == b ? columns[a].size() : 0);
            for (std::ptrdiff_t y = y0; y < y1; y += 32, total += entries)
                tasks.push_back({a, b, y, std::min(y + 32, y1), x0, x1, total});
        }
    std::vector<double>& partial = partial_sums_;
    partial.assign(total, 0.0);
    const std::ptrdiff_t ntasks = static_cast<std::ptrdiff_t>(tasks.size());
    const int threads = model_.threads();
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (threads > 1)
    for (std::ptrdiff_t t = 0; t < ntasks; ++t) {
        const Task& task = tasks[t];
        const Window& wa = model_.spec(active_[task.a]).window;
        const Window& wb = model_.spec(active_[task.b]).window;
        const auto& ca = columns[task.a];
        const auto& cb = columns[task.b];
        const ComponentJacobian& ja = blocks_[task.a].jacobian;
        const ComponentJacobian& jb = blocks_[task.b].jacobian;
        const std::ptrdiff_t width = task.x1 - task.x0;
        double* out = partial.data() + task.offset;
        double* out_g = out + ca.size() * cb.size();
        thread_local std::vector<float> scratch;
        float* const weighted = detail::grown(scratch, static_cast<std::size_t>(width));  // a row of J_a u times w
        for (std::ptrdiff_t i = task.y0; i < task.y1; ++i) {
            const float* pw = weight_float_.data() + i * nx + task.x0;
            for (std::size_t u = 0; u < ca.size(); ++u) {
                const float* pu = ja.row(ca[u].first, i - wa.y_begin) + task.x0 - wa.x_begin;
                weighted_row(pu, pw, weighted, width);
                auto column = [&](std::size_t v) { return jb.row(cb[v].first, i - wb.y_begin) + task.x0 - wb.x_begin; };
                std::size_t v = task.a == task.b ? u : 0;
                for (; v + 4 <= cb.size(); v += 4) {
                    double sums[4];
                    float_dot4(weighted, column(v), column(v + 1), column(v + 2), column(v + 3), width, sums);
                    for (int k = 0; k < 4; ++k) out[u * cb.size() + v + k] += sums[k];
                }
                for (; v < cb.size(); ++v) out[u * cb.size() + v] += float_dot(weighted, column(v), width);
                if (task.a == task.b) out_g[u] += dot(pu, wr.data() + i * nx + task.x0, width);
            }
        }
    }
    for (const Task& task : tasks) {
        const auto& ca = columns[task.a];
        const auto& cb = columns[task.b];
        const double* out = partial.data() + task.offset;
        for (std::size_t u = 0; u < ca.size(); ++u) {
            for (std::size_t v = task.a == task.b ? u : 0; v < cb.size(); ++v) {
                const std::size_t fu = ca[u].second, fv = cb[v].second;
                H[fu * n + fv] += std::ldexp(blocks_[task.a].jacobian.column_scale[ca[u].first] *
                                                 blocks_[task.b].jacobian.column_scale[cb[v].first] *
                                                 out[u * cb.size() + v], weight_exponent_);
                if (fu != fv) H[fv * n + fu] = H[fu * n + fv];
            }
            if (task.a == task.b)
                g[ca[u].second] += blocks_[task.a].jacobian.column_scale[ca[u].first] * out[ca.size() * cb.size() + u];
        }
    }
    for (std::size_t k = 0; k < n; ++k) {
        if (prior_precision_[k] == 0.0) continue;
        H[k * n + k] += prior_precision_[k];
        g[k] += (prior_mean_[k] - x[k]) * prior_precision_[k];
    }
    return chi2 + prior_chi2(x);
}

std::array<double, 4> ImageFitProblem::ellipticity_derivatives(const Block& b, const std::vector<double>& x) const {
    // (r clamped at e_max: q no longer moves)
    const double e1 = x[b.e1], e2 = x[b.e2], r_raw = std::hypot(e1, e2), r = std::fmax(r_raw, 1e-12);
    const double dq_dr = r_raw < b.e_max ? -2.0 / ((1.0 + r) * (1.0 + r)) : 0.0;
    return {dq_dr * e1 / r, dq_dr * e2 / r, -0.5 * e2 / (r * r), 0.5 * e1 / (r * r)};
}

double ImageFitProblem::weigh_residuals(const std::vector<double>& image) {
    std::vector<double>& wr = weighted_residual_;
    wr.resize(image.size());
    double chi2 = 0.0;
    for (std::size_t m = 0; m < image.size(); ++m) {
        const double r = data_[m] - image[m];
        wr[m] = weight_[m] * r;
        chi2 += wr[m] * r;
    }
    return chi2;
}

double ImageFitProblem::gradient_at(const std::vector<double>& x, std::vector<double>& g) {
    // The components' values and unconvolved derivatives (one pass each), the model image from the
    // values, then each component's gradient against the weighted residuals.
    const std::vector<double> full = full_parameters(x);
    image_x_.clear();
    image_ = background_;
    for (std::size_t a = 0; a < active_.size(); ++a) {
        model_.region_derivatives(active_[a], full.data(), blocks_[a].want, blocks_[a].derivatives);
        model_.add_value(active_[a], blocks_[a].derivatives, image_.data());
    }
    image_x_ = x;
    const double chi2 = weigh_residuals(image_);
    g.assign(size(), 0.0);
    std::vector<double> component_g;
    for (std::size_t a = 0; a < active_.size(); ++a) {
        const Block& b = blocks_[a];
        model_.component_gradient(active_[a], b.derivatives, weighted_residual_.data(), component_g);
        if (b.ellipticity) {  // the q, pa slots -> e1, e2 by the chain rule, as normal_equations' columns
            const auto [dq1, dq2, dpa1, dpa2] = ellipticity_derivatives(b, x);
            const double q = component_g[b.iq], pa = component_g[b.ipa];
            component_g[b.iq] = q * dq1 + pa * dpa1;
            component_g[b.ipa] = q * dq2 + pa * dpa2;
        }
        std::size_t seen = 0;
        for (std::size_t k = 0; k < b.want.size(); ++k)
            if (b.want[k]) g[b.columns[seen++]] = component_g[k];
    }
    for (std::size_t k = 0; k < g.size(); ++k) g[k] += (prior_mean_[k] - x[k]) * prior_precision_[k];
    return chi2 + prior_chi2(x);
}

double ImageFitProblem::prior_chi2(const std::vector<double>& x) const {
    double sum = 0.0;
    for (std::size_t k = 0; k < prior_precision_.size(); ++k) {
        const double r = x[k] - prior_mean_[k];
        sum += r * r * prior_precision_[k];
    }
    return sum;
}

}  // namespace galforge

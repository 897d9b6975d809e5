// A model image made of components, each rendered inside its own window, and the weighted
// least-squares fit of its parameters to data (the problem solved by levenberg_marquardt).
//
// A PSF-convolved component (Sersic) is rendered on its window grown by the PSF half-size on each
// side (so light from just outside the window is scattered in), convolved, and added inside its
// window only; the whole image is the window by default (AstroPhot's group-model semantics, and
// imfit's extended grid when the window is the frame). Kinds rendered after the PSF (sky, point
// sources) are added on their window directly. Component kinds are listed in component.hpp.
#pragma once
#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include "galforge/component.hpp"
#include "galforge/convolve.hpp"
#include "galforge/image.hpp"
#include "galforge/lm.hpp"
#include "galforge/sersic.hpp"

namespace galforge {

// One component's value in its window (h x w) and its derivatives there, for the fit. The derivative
// with respect to parameter k at window pixel (i, j) is
//     column_scale[k] * planes[k * plane_size + i * stride + offset + j]  (= column_scale[k] * row(k, i)[j])
// in single precision (see ComponentKernel::gradient): a power-of-two scale keeps the stored values
// within single precision whatever the image's units, and convolved rows are kept as the FFT leaves
// them (stride >= w, no crop copy).
struct ComponentJacobian {
    std::vector<double> value;
    std::vector<float> planes;
    std::vector<double> column_scale;
    std::ptrdiff_t stride = 0, offset = 0, plane_size = 0;

    const float* row(std::size_t k, std::ptrdiff_t i) const {
        return planes.data() + static_cast<std::ptrdiff_t>(k) * plane_size + i * stride + offset;
    }
    float* row(std::size_t k, std::ptrdiff_t i) {
        return planes.data() + static_cast<std::ptrdiff_t>(k) * plane_size + i * stride + offset;
    }
};

// A component's value and derivatives before the PSF, on its region (ImageModel::region_derivatives).
struct ComponentDerivatives {
    std::vector<double> grid;    // the value at unit amplitude, on the region's rows
    std::vector<float> storage;  // the wanted derivatives' planes, of the grid's size
    std::vector<float*> planes;  // per parameter: its plane in storage, or null (not wanted, or linear)
    double scale = 1.0;          // the power of two value and derivatives were divided by
    int linear = -1;             // the amplitude's slot if its derivative is value / amplitude, else -1
    double amplitude = 0.0;      // that amplitude at unit scale
};

class ImageModel {
public:
    // psf: (ky, kx) C-contiguous or null (no convolution), used as given (not normalised). extend: grow
    // each window by the PSF half-size before convolving (false: convolve the window alone). Pixel
    // [i, j] of the model image has its centre at (x_origin + j, y_origin + i) in the components'
    // coordinates (a model of a cutout keeps the parent image's coordinates).
    ImageModel(std::ptrdiff_t ny, std::ptrdiff_t nx, std::vector<ComponentSpec> components, const double* psf,
               std::size_t ky, std::size_t kx, const RenderOptions& options, bool extend = true,
               double x_origin = 0.0, double y_origin = 0.0);

    std::ptrdiff_t ny() const { return ny_; }
    std::ptrdiff_t nx() const { return nx_; }
    std::size_t n_params() const { return offsets_.back(); }
    std::size_t n_components() const { return specs_.size(); }
    std::size_t offset(std::size_t component) const { return offsets_[component]; }
    const ComponentSpec& spec(std::size_t component) const { return specs_[component]; }
    int threads() const { return context_.options.threads; }

    // Adds the components in `which` (all if empty) with parameters `params` (n_params()) to `out` (ny x nx).
    void render(const double* params, double* out, const std::vector<std::size_t>& which = {}) const;

    // Throws std::invalid_argument naming the component and its first bad parameter.
    void check(const double* params) const;

    // The contribution of one component inside its window (h x w, overwritten) and, for each k with
    // want[k], the derivative with respect to its k-th parameter (see ComponentJacobian).
    void component_jacobian(std::size_t component, const double* params, const std::vector<bool>& want,
                            ComponentJacobian& out) const;
    // The value and wanted derivatives of a component before the PSF, on its region (component_jacobian
    // convolves them; component_gradient uses them unconvolved).
    void region_derivatives(std::size_t component, const double* params, const std::vector<bool>& want,
                            ComponentDerivatives& d) const;
    // Adds the component's value (convolved where its kind is) from d into image (ny x nx).
    void add_value(std::size_t component, const ComponentDerivatives& d, double* image) const;
    // Whether component_gradient is available: no component is convolved on its window alone (extend).
    bool has_component_gradient() const { return correlatable_; }
    // g[k] = sum over the window of component_jacobian's k-th derivative times wr (ny x nx), for each
    // parameter d holds (np entries; 0 elsewhere), without convolving the derivatives: by the adjoint,
    // the unconvolved derivatives are dotted with wr correlated with the PSF (one transform, not one
    // per parameter). To single precision, as J^T W r from component_jacobian's float planes.
    void component_gradient(std::size_t component, const ComponentDerivatives& d, const double* wr,
                            std::vector<double>& g) const;

private:
    struct Region {  // a window grown by the PSF margin, with its convolver
        Window window;
        std::ptrdiff_t height, width;
        std::shared_ptr<const Convolver> convolver;
        // Row length of the region's images: the FFT period where the margins allow (the columns past
        // the region, rendered too, then need no zero padding nor copy), else the width.
        std::ptrdiff_t row_length;
    };
    std::ptrdiff_t ny_, nx_, my_ = 0, mx_ = 0;
    bool correlatable_ = true;  // every convolver can correlate (none has exact edges)
    double x_origin_, y_origin_;
    std::vector<ComponentSpec> specs_;
    std::vector<std::size_t> offsets_;
    std::vector<std::size_t> region_of_;  // per component: index in regions_ (convolved kinds)
    std::vector<Region> regions_;
    std::vector<double> psf_;  // the model's PSF, for kinds that render it themselves
    KernelContext context_;

    ImageView region_view(const Region& r, double* data) const;
    // The region a component is rendered on: its grown, convolved region, or (kinds after the PSF) its
    // window itself. (The window's offset in it: the difference of their first rows and columns.)
    Region region_for(std::size_t component) const;
};

// chi2 = sum w (data - model)^2 over the image, as a function of the free parameters, with box
// bounds on them. Components whose parameters are all fixed are rendered once.
//
// With `ellipticity_vector`, a component with an axis ratio (q_index in its kernel) whose q and pa are both free and whose q may reach 1
// is fitted in e = (1 - q) / (1 + q) (cos 2 pa, sin 2 pa) instead: no singular direction near q = 1
// (where pa is undefined and (q, pa) makes the normal equations singular) and no pa wrap. Its two
// free slots then hold (e1, e2) in the box |e1|, |e2| <= (1 - q_min) / (1 + q_min), |e| clamped to that
// radius (q to q_min). A round start (e = 0, where the model depends on |e| only) starts at |e| = 1e-3.
//
// Gaussian priors (optional, one entry per model parameter; sigma inf or 0 = none) add
// sum ((p - mean) / sigma)^2 over the free parameters to chi2 (Galaxy Builder's objective): g gets
// (mean - p) / sigma^2 and H 1 / sigma^2 on the diagonal. A component with a prior on q or pa is fitted
// in (q, pa), not in the ellipticity vector.
class ImageFitProblem : public LeastSquaresProblem {
public:
    ImageFitProblem(const ImageModel& model, const double* data, const double* weight, std::vector<double> params,
                    std::vector<bool> free, std::vector<double> lower, std::vector<double> upper,
                    bool ellipticity_vector = false, std::vector<double> prior_mean = {},
                    std::vector<double> prior_sigma = {});
    ~ImageFitProblem() override;  // (keeps its large buffers' pages for the thread's next problem)
    ImageFitProblem(const ImageFitProblem&) = delete;
    ImageFitProblem& operator=(const ImageFitProblem&) = delete;

    std::size_t size() const override { return free_index_.size(); }
    double normal_equations(const std::vector<double>& x, std::vector<double>& H, std::vector<double>& g) override;
    // chi2 from the model image alone (rendered, no derivatives).
    double chi2_at(const std::vector<double>& x) override;
    // chi2 and g of normal_equations without J^T W J: each component's derivatives dotted with the
    // weighted residuals correlated with the PSF (ImageModel::component_gradient).
    bool has_gradient_at() const override { return model_.has_component_gradient(); }
    double gradient_at(const std::vector<double>& x, std::vector<double>& g) override;
    // H and g of normal_equations at x turned into the natural parameters (q, pa) by the chain rule.
    void to_natural(const std::vector<double>& x, std::vector<double>& H, std::vector<double>& g) const;
    // The prior term sum ((p - mean) / sigma)^2 at free parameters x (0 without priors).
    double prior_chi2(const std::vector<double>& x) const;

    // Free-parameter vector <-> all model parameters (natural units: q, pa).
    std::vector<double> full_parameters(const std::vector<double>& x) const;
    std::vector<double> free_parameters() const;
    const std::vector<double>& free_lower() const { return free_lower_; }
    const std::vector<double>& free_upper() const { return free_upper_; }
    // The model image at free parameters x (ny x nx); that of the last normal_equations if at the same x.
    std::vector<double> model_image(const std::vector<double>& x);

private:
    const ImageModel& model_;
    const double* data_;
    const double* weight_;
    std::vector<double> params_;
    std::vector<std::size_t> free_index_;    // full index of each free parameter
    std::vector<double> free_lower_, free_upper_;
    std::vector<double> prior_mean_, prior_precision_;  // per free parameter; precision 0 = no prior
    std::vector<std::size_t> active_;        // components with at least one free parameter
    std::vector<double> background_, image_;  // fixed components; scratch model image
    std::vector<double> image_x_;             // the free parameters image_ holds the model at (empty: none)
    std::vector<double> weighted_residual_;
    // The weights as floats, times 2^-weight_exponent_ (so that the largest is in [0.5, 1)): the
    // Jacobian's rows are weighted in single precision for J^T W J.
    std::vector<float> weight_float_;
    int weight_exponent_ = 0;
    std::vector<double> partial_sums_;        // normal_equations' per-task sums
    struct Block {  // one active component's value and free-parameter derivatives in its window
        ComponentJacobian jacobian;
        ComponentDerivatives derivatives;  // for gradient_at
        std::vector<bool> want;
        std::vector<std::size_t> columns;  // index among free parameters of each wanted derivative
        bool ellipticity = false;          // q, pa slots hold e1, e2
        std::size_t iq = 0, ipa = 0;       // slots of q and pa in the component's parameters
        std::size_t e1 = 0, e2 = 0;        // their free indices
        double e_max = 1.0;
    };
    std::vector<Block> blocks_;

    void fill_model(const std::vector<double>& full);
    // w (d - m) into weighted_residual_ from the model image m; returns the data's chi2.
    double weigh_residuals(const std::vector<double>& image);
    // d(q, pa) / d(e1, e2) of an ellipticity block at x: {dq/de1, dq/de2, dpa/de1, dpa/de2}.
    std::array<double, 4> ellipticity_derivatives(const Block& b, const std::vector<double>& x) const;
    const std::vector<double>& image_at(const std::vector<double>& x);  // model_image without a copy
};

}  // namespace galforge

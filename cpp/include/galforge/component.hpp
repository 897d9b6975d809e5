// Model component kinds: what a component renders, how many parameters it has, and its derivatives.
//
// Each kind is one ComponentKernel (defined in its own source file) listed in component_kernel();
// ImageModel handles windows, the PSF and the fit for every kind alike. Adding a kind: a new enum value,
// a kernel in its own file, one line in components.cpp, and its name in the Python component class.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "galforge/image.hpp"
#include "galforge/sersic.hpp"

namespace galforge {

enum class ComponentKind { sersic, sky, gaussian, moffat, edge_on_disk, point_source, spline, spiral_arm };

struct ComponentSpec {
    ComponentKind kind = ComponentKind::sersic;
    Window window;                   // pixels of the data image the component covers
    BnMethod bn = BnMethod::exact;   // Sersic
    std::vector<double> constants;   // kind-specific values that are not fitted (sky: x_ref, y_ref)
};

// What a kernel may use besides its parameters: the render options and the model's PSF (null if none).
struct KernelContext {
    RenderOptions options;
    const double* psf = nullptr;
    std::size_t psf_ny = 0, psf_nx = 0;
};

struct ComponentKernel {
    const char* name;  // as in the Python component's `kind`
    bool convolved;    // rendered before the PSF (profiles) or after it (sky, point sources)
    int q_index = -1, pa_index = -1;  // slots of an axis ratio in (0, 1] and its position angle, if any
    // Number of parameters of a component (may depend on its constants, e.g. spline nodes).
    int (*parameter_count)(const ComponentSpec& spec);
    // Throws std::invalid_argument naming the first bad parameter or constant.
    void (*check)(const ComponentSpec& spec, const double* params);
    // Adds the component's pixel values to the whole of `view`.
    void (*render)(const ImageView& view, const ComponentSpec& spec, const double* params, const KernelContext& ctx);
    // Adds the pixel values to `view` and, for each k with gradient[k] non-null, the derivative with respect
    // to parameter k to gradient[k] (an image of the shape of `view`, in single precision: 7 digits are
    // ample for fit steps and errors, and half the memory traffic of double planes).
    void (*gradient)(const ImageView& view, float* const* gradient, const ComponentSpec& spec, const double* params,
                     const KernelContext& ctx);
    // A parameter the component is proportional to (its derivative is value / parameter, so a fit
    // needs no convolution for it), or -1.
    int linear_index = -1;
};

const ComponentKernel& component_kernel(ComponentKind kind);

// The kind called `name`; throws std::invalid_argument listing the known names.
ComponentKind component_kind(const std::string& name);

inline int parameter_count(const ComponentSpec& spec) { return component_kernel(spec.kind).parameter_count(spec); }

}  // namespace galforge

// Image views and pixel windows shared by every kernel of the core.
#pragma once
#include <cstddef>

namespace galforge {

// A C-contiguous (ny, nx) float64 image owned by the caller. Pixel [i, j] has its centre at
// x = x_origin + j, y = y_origin + i (the defaults put the first pixel centre at (0, 0)).
struct ImageView {
    double* data = nullptr;
    std::ptrdiff_t ny = 0;
    std::ptrdiff_t nx = 0;
    double x_origin = 0.0;
    double y_origin = 0.0;

    double* row(std::ptrdiff_t i) const { return data + i * nx; }
};

// A half-open box of pixel indices [y_begin, y_end) x [x_begin, x_end) inside an image.
struct Window {
    std::ptrdiff_t y_begin = 0;
    std::ptrdiff_t y_end = 0;
    std::ptrdiff_t x_begin = 0;
    std::ptrdiff_t x_end = 0;

    static Window whole(const ImageView& image) { return {0, image.ny, 0, image.nx}; }
    std::ptrdiff_t height() const { return y_end - y_begin; }
    std::ptrdiff_t width() const { return x_end - x_begin; }
    bool empty() const { return height() <= 0 || width() <= 0; }
};

// Throws std::invalid_argument unless the window lies inside the image and the image is usable.
void check_window(const ImageView& image, const Window& window);

}  // namespace galforge

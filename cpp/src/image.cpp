#include "galforge/image.hpp"

#include <stdexcept>
#include <string>

namespace galforge {

void check_window(const ImageView& image, const Window& window) {
    if (image.data == nullptr || image.ny <= 0 || image.nx <= 0)
        throw std::invalid_argument("image must be a non-empty 2-d array");
    if (window.y_begin < 0 || window.x_begin < 0 || window.y_end > image.ny || window.x_end > image.nx ||
        window.y_begin > window.y_end || window.x_begin > window.x_end)
        throw std::invalid_argument("window [" + std::to_string(window.y_begin) + ":" + std::to_string(window.y_end) +
                                    ", " + std::to_string(window.x_begin) + ":" + std::to_string(window.x_end) +
                                    "] is not inside the image of shape (" + std::to_string(image.ny) + ", " +
                                    std::to_string(image.nx) + ")");
}

}  // namespace galforge

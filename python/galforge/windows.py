"""Fitting windows from segmentation maps, with AstroPhot's semantics in galforge's window format.

A window is (y_begin, y_end, x_begin, x_end): the pixels image[y_begin:y_end, x_begin:x_end].
(AstroPhot v0.16 writes [[xmin, xmax], [ymin, ymax]] with an exclusive end; its
``windows_from_segmentation_map`` takes the largest index as the end, dropping the last row and
column of each segment. Here the box holds every pixel of the segment.)
"""
import numpy as np

from .errors import GalforgeValueError


def windows_from_segmentation(segmap, skip_index=(0,)):
    """{segment id: window}: the bounding box of each segment's pixels (ids in ``skip_index`` skipped)."""
    seg = np.asarray(segmap)
    if seg.ndim != 2 or seg.size == 0:
        raise GalforgeValueError(f"segmap must be a non-empty 2-d array, got shape {seg.shape}")
    if not np.issubdtype(seg.dtype, np.integer):
        if not np.issubdtype(seg.dtype, np.floating) or not np.all(np.isfinite(seg)) or np.any(seg != np.round(seg)):
            raise GalforgeValueError(f"segmap must hold integer segment ids, got dtype {seg.dtype}")
        seg = seg.astype(np.int64)
    windows = {}
    skip = set(int(s) for s in skip_index)
    for index in np.unique(seg):
        if int(index) in skip:
            continue
        ys, xs = np.nonzero(seg == index)
        windows[int(index)] = (int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1)
    return windows


def scale_windows(windows, image_shape, expand_scale=1.0, expand_border=0.0):
    """Grow each window about its centre: size x ``expand_scale`` + 2 x ``expand_border`` pixels, clipped
    to the image (AstroPhot's ``scale_windows``; new edges int(centre -+ (scale size / 2 + border)))."""
    if not expand_scale > 0:
        raise GalforgeValueError(f"expand_scale = {expand_scale!r} is invalid: expected > 0")
    ny, nx = image_shape
    out = {}
    for key, (y0, y1, x0, x1) in windows.items():
        cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
        hy, hx = expand_scale * (y1 - y0) / 2 + expand_border, expand_scale * (x1 - x0) / 2 + expand_border
        y_begin, x_begin = max(0, int(cy - hy)), max(0, int(cx - hx))
        # at least one pixel, even when expand_scale shrinks a small window to nothing
        out[key] = (y_begin, max(min(ny, int(cy + hy)), y_begin + 1), x_begin, max(min(nx, int(cx + hx)), x_begin + 1))
    return out


def filter_windows(windows, min_size=None, max_size=None, min_area=None, max_area=None, min_flux=None,
                   max_flux=None, image=None):
    """Windows passing every given criterion (AstroPhot's ``filter_windows``): size is the shorter side for
    ``min_size`` and the longer for ``max_size``, area = height x width, flux = image[window].sum()."""
    if (min_flux is not None or max_flux is not None) and image is None:
        raise GalforgeValueError("min_flux / max_flux need the image")
    kept = {}
    for key, (y0, y1, x0, x1) in windows.items():
        h, w = y1 - y0, x1 - x0
        if min_size is not None and min(h, w) < min_size:
            continue
        if max_size is not None and max(h, w) > max_size:
            continue
        if min_area is not None and h * w < min_area:
            continue
        if max_area is not None and h * w > max_area:
            continue
        if min_flux is not None or max_flux is not None:
            flux = float(np.asarray(image)[y0:y1, x0:x1].sum())
            if (min_flux is not None and flux < min_flux) or (max_flux is not None and flux > max_flux):
                continue
        kept[key] = (y0, y1, x0, x1)
    return kept


__all__ = ["filter_windows", "scale_windows", "windows_from_segmentation"]

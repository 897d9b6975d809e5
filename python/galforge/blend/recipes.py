"""Training targets made from the products of ``produce``, with candels-blender's layouts.

Inputs, stacked over n blends of k sources (k = 2 in candels-blender), both channels first:
  stamps  (n, k, ny, nx) float32: the isolated (masked, shifted) stamps;
  segmaps (n, k, ny, nx) uint8 0/1: each source's (undilated) segmentation map;
  source 0 is the central galaxy, 1..k-1 the shifted companions.

Recipes (``METHODS``), the names and semantics of candels-blender's ``blender.segmap``:
  ``blends``        (n, ny, nx) float32: the blend image, the plain sum of the k stamps;
  ``gg_masks``      (n, k, ny, nx) uint8, channels first: the segmaps as they are (a pixel in two
                    sources is 1 in both);
  ``ogg_masks``     (n, ny, nx, 1 + k) uint8, channels last: [overlap, s_1, ..., s_k] with overlap
                    = pixels in at least two sources (k = 2: s_1 & s_2); not mutually exclusive;
  ``bogg_masks``    (n, ny, nx, 2 + k) uint8, channels last, one-hot: [background (no source),
                    overlap (>= 2 sources), s_1 only, ..., s_k only]; every pixel in exactly one class;
  ``single_images`` (n, ny, nx, k) float32, channels last: the isolated stamps (the deblending
                    regression target).
The outputs keep candels-blender's mixed layouts: gg_masks channels first, the others channels last.
"""
import numpy as np

from ..errors import GalforgeValueError

METHODS = ("gg_masks", "ogg_masks", "bogg_masks", "single_images")


def _sources(segmaps):
    """The k per-source boolean maps (n, ny, nx) and the per-pixel source count (uint8)."""
    s = np.asarray(segmaps)
    if s.ndim != 4:
        raise GalforgeValueError(f"segmaps must be (n, k, ny, nx), got shape {s.shape}")
    planes = [s[:, j] != 0 for j in range(s.shape[1])]
    count = np.zeros(s.shape[:1] + s.shape[2:], np.uint8)
    for p in planes:
        count += p
    return planes, count


def _stack_last(planes):
    """(n, ny, nx, len(planes)) uint8 from boolean planes, written channel by channel (no transpose)."""
    out = np.empty(planes[0].shape + (len(planes),), np.uint8)
    for j, p in enumerate(planes):
        out[..., j] = p
    return out


def _stamps(stamps):
    s = np.asarray(stamps)
    if s.ndim != 4:
        raise GalforgeValueError(f"stamps must be (n, k, ny, nx), got shape {s.shape}")
    return s


def blend_images(stamps):
    """(n, ny, nx) float32: the sum of the k isolated stamps (n, k, ny, nx) of each blend."""
    s = _stamps(stamps)
    out = s[:, 0].astype(np.float32)
    for j in range(1, s.shape[1]):
        out += s[:, j]
    return out


def gg_masks(segmaps):
    """(n, k, ny, nx) uint8: each source's segmap (channels first)."""
    s = np.asarray(segmaps)
    if s.ndim != 4:
        raise GalforgeValueError(f"segmaps must be (n, k, ny, nx), got shape {s.shape}")
    return (s != 0).astype(np.uint8)


def ogg_masks(segmaps):
    """(n, ny, nx, 1 + k) uint8: [overlap, s_1, ..., s_k] (channels last)."""
    planes, count = _sources(segmaps)
    return _stack_last([count >= 2] + planes)


def bogg_masks(segmaps):
    """(n, ny, nx, 2 + k) uint8 one-hot: [background, overlap, s_1 only, ..., s_k only] (channels last)."""
    planes, count = _sources(segmaps)
    alone = count == 1
    return _stack_last([count == 0, count >= 2] + [p & alone for p in planes])


def single_images(stamps):
    """(n, ny, nx, k) float32: the isolated stamps (n, k, ny, nx), channels last."""
    s = _stamps(stamps)
    out = np.empty((s.shape[0], *s.shape[2:], s.shape[1]), np.float32)
    for j in range(s.shape[1]):
        out[..., j] = s[:, j]
    return out


def make_target(method, stamps, segmaps):
    """The ``method`` recipe (one of ``METHODS``) of the blends given by ``stamps`` and ``segmaps``."""
    if method not in METHODS:
        raise GalforgeValueError(f"method = {method!r} is invalid: expected one of {METHODS}")
    if method == "single_images":
        return single_images(stamps)
    return {"gg_masks": gg_masks, "ogg_masks": ogg_masks, "bogg_masks": bogg_masks}[method](segmaps)


__all__ = ["METHODS", "blend_images", "bogg_masks", "gg_masks", "make_target", "ogg_masks", "single_images"]

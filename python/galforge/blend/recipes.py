"""Training targets made from the products of ``produce``, with candels-blender's layouts.

Inputs, stacked over n blends of k sources (k = 2 in candels-blender):
  stamps  (n, ny, nx, k) float32: the isolated (masked, shifted) stamps, channels last;
  segmaps (n, k, ny, nx) uint8 0/1: each source's (undilated) segmentation map, channels first;
  source 0 is the central galaxy, 1..k-1 the shifted companions.

Recipes (``METHODS``), the names and semantics of candels-blender's ``blender.segmap``:
  ``blends``        (n, ny, nx) float32: the blend image, the plain sum of the k stamps;
  ``gg_masks``      (n, k, ny, nx) uint8, channels first: the segmaps as they are (a pixel in two
                    sources is 1 in both);
  ``ogg_masks``     (n, ny, nx, 1 + k) uint8, channels last: [overlap, s_1, ..., s_k] with overlap
                    = pixels in at least two sources (k = 2: s_1 & s_2); not mutually exclusive;
  ``bogg_masks``    (n, ny, nx, 2 + k) uint8, channels last, one-hot: [background (no source),
                    overlap (>= 2 sources), s_1 only, ..., s_k only]; every pixel in exactly one class;
  ``single_images`` (n, ny, nx, k) float32: the isolated stamps (the deblending regression target).
"""
import numpy as np

from ..errors import GalforgeValueError

METHODS = ("gg_masks", "ogg_masks", "bogg_masks", "single_images")


def _segmaps(segmaps):
    s = np.asarray(segmaps)
    if s.ndim != 4:
        raise GalforgeValueError(f"segmaps must be (n, k, ny, nx), got shape {s.shape}")
    return s.astype(bool)


def blend_images(stamps):
    """(n, ny, nx) float32: the sum of the k isolated stamps of each blend."""
    s = np.asarray(stamps)
    if s.ndim != 4:
        raise GalforgeValueError(f"stamps must be (n, ny, nx, k), got shape {s.shape}")
    return s.sum(axis=-1, dtype=np.float32)


def gg_masks(segmaps):
    """(n, k, ny, nx) uint8: each source's segmap (channels first)."""
    return _segmaps(segmaps).astype(np.uint8)


def ogg_masks(segmaps):
    """(n, ny, nx, 1 + k) uint8: [overlap, s_1, ..., s_k] (channels last)."""
    s = _segmaps(segmaps)
    overlap = s.sum(axis=1, dtype=np.int32) >= 2
    return np.concatenate([overlap[:, None], s], axis=1).transpose(0, 2, 3, 1).astype(np.uint8)


def bogg_masks(segmaps):
    """(n, ny, nx, 2 + k) uint8 one-hot: [background, overlap, s_1 only, ..., s_k only] (channels last)."""
    s = _segmaps(segmaps)
    count = s.sum(axis=1, dtype=np.int32)
    only = s & (count == 1)[:, None]
    return np.concatenate([(count == 0)[:, None], (count >= 2)[:, None], only], axis=1) \
        .transpose(0, 2, 3, 1).astype(np.uint8)


def single_images(stamps):
    """(n, ny, nx, k) float32: the isolated stamps (channels last)."""
    s = np.asarray(stamps)
    if s.ndim != 4:
        raise GalforgeValueError(f"stamps must be (n, ny, nx, k), got shape {s.shape}")
    return s.astype(np.float32)


def make_target(method, stamps, segmaps):
    """The ``method`` recipe (one of ``METHODS``) of the blends given by ``stamps`` and ``segmaps``."""
    if method not in METHODS:
        raise GalforgeValueError(f"method = {method!r} is invalid: expected one of {METHODS}")
    if method == "single_images":
        return single_images(stamps)
    return {"gg_masks": gg_masks, "ogg_masks": ogg_masks, "bogg_masks": bogg_masks}[method](segmaps)


__all__ = ["METHODS", "blend_images", "bogg_masks", "gg_masks", "make_target", "ogg_masks", "single_images"]

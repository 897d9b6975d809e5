"""Neighbour masking: every source but the central galaxy replaced by background noise.

candels-blender's recipe (``segmap.mask_out_pixels``, n_iter = 5): dilate the map of all sources
and the map of the central source (label at ``[ny // 2, nx // 2]``) ``n_iter`` times with the
3x3 cross (so by the L1 disc of radius ``n_iter``); the pixels in the first but not the second are
the neighbours, refilled with ``N(0, sigma)``, sigma the background standard deviation.
Differences, each a fix of a candels-blender flaw: sigma is the standard deviation of the
background pixels themselves (candels-blender includes the masked pixels as zeros, which biases it
low); the extra noise over the whole stamp (candels-blender's ``noise_factor = 1``, which doubles
the noise variance) is an option, ``noise_factor = 0`` by default; the noise comes from the
caller's seeded generator (candels-blender uses the unseeded global one).
The masks depend on the galaxy only, so they are computed once per galaxy, for a whole stack.
"""
import numpy as np

from ..errors import GalforgeValueError

BLOCK = 32  # stamps per block of the per-galaxy preparation


def cross_dilation(masks, iterations):
    """Binary dilation of each (ny, nx) plane of ``masks`` by the 3x3 cross, ``iterations`` times.

    Equal to ``scipy.ndimage.binary_dilation(mask, iterations=iterations)`` per plane (outside the
    frame counts as empty), done with shifted ORs over the whole stack (~20x faster here).
    """
    out = np.array(masks, dtype=bool)
    for _ in range(iterations):
        prev = out.copy()
        out[..., 1:, :] |= prev[..., :-1, :]
        out[..., :-1, :] |= prev[..., 1:, :]
        out[..., :, 1:] |= prev[..., :, :-1]
        out[..., :, :-1] |= prev[..., :, 1:]
    return out


def _background_sigma(images, background, first, n_iter):
    """Standard deviation of each image over its ``background`` pixels (two passes, float64 sums)."""
    n_bg = np.count_nonzero(background.reshape(len(background), -1), axis=1)
    empty = np.flatnonzero(n_bg == 0)
    if empty.size:
        raise GalforgeValueError(f"stamps {(empty[:5] + first).tolist()} have no background pixel left after "
                                 f"dilating their sources {n_iter} times: their noise level is unknown")
    img = images.astype(np.float32, copy=False)
    mean = (img * background).sum(axis=(1, 2), dtype=np.float64) / n_bg
    dev = (img - mean[:, None, None].astype(np.float32)) * background
    return np.sqrt(np.einsum("ijk,ijk->i", dev, dev, dtype=np.float64) / n_bg)


def central_segmaps(segmaps):
    """(N, ny, nx) uint8: 1 where a stamp's label equals the label at its central pixel (undilated)."""
    segmaps = np.asarray(segmaps)
    cy, cx = segmaps.shape[-2] // 2, segmaps.shape[-1] // 2
    return (segmaps == segmaps[..., cy, cx][..., None, None]).astype(np.uint8)


class NeighbourMasks:
    """Per-galaxy neighbour masks, background sigma and central segmap for the stamps ``images``.

    Attributes: ``neighbours`` (N, ny, nx) bool (the pixels to refill), ``sigma`` (N,) background
    standard deviation (over the pixels outside the dilated sources), ``central`` (N, ny, nx) uint8.
    The flat indices of each galaxy's pixels to refill are kept, so that ``fill`` touches only them.
    """

    def __init__(self, images, segmaps, n_iter=5):
        if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or n_iter < 0:
            raise GalforgeValueError(f"n_iter = {n_iter!r} is invalid: expected an integer >= 0")
        images, segmaps = np.asarray(images), np.asarray(segmaps)
        n = len(images)
        self.central = central_segmaps(segmaps)
        self.neighbours = np.empty(segmaps.shape, bool)
        self.sigma = np.empty(n)
        for lo in range(0, n, BLOCK):  # blocks of stamps that stay in cache through every step
            hi = min(lo + BLOCK, n)
            sources = cross_dilation(segmaps[lo:hi] != 0, n_iter)
            self.neighbours[lo:hi] = sources & ~cross_dilation(self.central[lo:hi].view(bool), n_iter)
            self.sigma[lo:hi] = _background_sigma(images[lo:hi], ~sources, lo, n_iter)
        flat = self.neighbours.reshape(n, -1)
        self._counts = np.count_nonzero(flat, axis=1)
        self._offsets = np.concatenate([[0], np.cumsum(self._counts)])
        self._index = np.flatnonzero(flat) % flat.shape[1]

    def fill(self, stamps, rows, rng, noise_factor=0.0):
        """Refill, in place, the neighbours of the (c, k, ny, nx) float32 ``stamps`` of galaxies ``rows`` (c, k).

        Same draws, in the same order, as ``masked_stamps(stamps, neighbours[rows], sigma[rows], ...)``.
        """
        rows = rows.ravel()
        plane = stamps[0, 0].size
        lens = self._counts[rows]
        first = np.repeat(self._offsets[rows] - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        where = self._index[first + np.arange(lens.sum())] + np.repeat(np.arange(rows.size) * plane, lens)
        sig = self.sigma[rows].astype(np.float32)
        flat = stamps.reshape(-1)
        flat[where] = rng.standard_normal(where.size, dtype=np.float32) * np.repeat(sig, lens)
        if noise_factor:
            stamps += (np.float32(noise_factor) * sig.reshape(stamps.shape[:2])[..., None, None]
                       * rng.standard_normal(stamps.shape, dtype=np.float32))


def masked_stamps(images, neighbours, sigma, rng, noise_factor=0.0):
    """Copies of ``images`` (..., ny, nx) with the ``neighbours`` pixels replaced by ``N(0, sigma)``.

    sigma: one value per image (shape ``images.shape[:-2]``); noise_factor: add
    ``noise_factor * N(0, sigma)`` to every pixel afterwards (candels-blender: 1).
    The draws are taken in C order of the pixels to fill, then of all pixels.
    """
    out = np.array(images, dtype=np.float32)
    sig = np.broadcast_to(np.asarray(sigma, np.float32)[..., None, None], out.shape)
    out[neighbours] = rng.standard_normal(int(neighbours.sum()), dtype=np.float32) * sig[neighbours]
    if noise_factor:
        out += np.float32(noise_factor) * sig * rng.standard_normal(out.shape, dtype=np.float32)
    return out


__all__ = ["NeighbourMasks", "central_segmaps", "cross_dilation", "masked_stamps"]

"""``produce``: blends of k galaxies from a StampSet, with their isolated stamps, segmaps and truth.

Order of the random draws, all from one ``numpy.random.Generator`` (``seed``): the train/test
permutation of the galaxies left after the cuts, the train groups and shifts, the test groups and
shifts, then the noise of the train blends and of the test blends (chunk by chunk, in blend order).
The same seed and options give the same bytes.

Per blend (``plan.py`` for the choice of galaxies and shifts, ``masking.py`` for the neighbours):
each galaxy's stamp gets its neighbours replaced by noise, then the companions (sources 1..k-1)
are shifted by (dy, dx) with zero fill -- integer shifts move pixels exactly; sub-pixel shifts use
Keys cubic convolution (``shift_image``; it smooths the noise a little) and move the segmap by the
shift rounded to the nearest pixel. The central galaxy (source 0) stays centred at pixel
``(cy, cx) = (ny // 2, nx // 2)``.

Truth catalogue (one row per blend; CSV by ``files.write_catalogue``): candels-blender's columns
``id, distance, shift_x, shift_y, g1_id, g1_mag, g1_rad, g1_z, g1_type, g2_...`` with ``shift_x``
the column (x) shift and ``shift_y`` the row (y) shift of g2 (candels-blender swaps them), then for
every source gK: ``gK_x, gK_y`` (its centre in the blend, pixels: cx + shift_x, cy + shift_y),
``gK_shift_x, gK_shift_y``, ``gK_distance`` (from g1, pixels), ``gK_blendedness``
(``1 - sum(S_k^2) / sum(S_k * sum_j S_j)``, S_j the stamp of source j clipped at 0 and cut to its
segmap: 0 alone, towards 1 when buried) and ``gK_snr`` (flux in its segmap / (sigma sqrt(N pixels)),
sigma the stamp's noise: background sigma x sqrt(1 + noise_factor^2)).
"""
import numbers

import numpy as np

from .._checks import finite
from ..errors import GalforgeValueError
from .masking import NeighbourMasks
from .plan import apply_cuts, draw_groups, split_galaxies
from .recipes import blend_images
from .stamps import StampSet

CHUNK = 16  # blends per chunk of pixel work: small enough to stay in cache; fixed, as it orders the noise draws
SPLITS = ("train", "test")
GALAXY_COLUMNS = ("id", "mag", "rad", "z", "type")


class BlendSet:
    """The blends of one split: ``stamps`` (n, k, ny, nx) float32 isolated stamps, ``segmaps``
    (n, k, ny, nx) uint8 central-source segmaps, ``catalogue`` (dict of column arrays, in order);
    ``blends`` is their sum (n, ny, nx)."""

    def __init__(self, stamps, segmaps, catalogue):
        self.stamps, self.segmaps, self.catalogue = stamps, segmaps, catalogue

    def __len__(self):
        return len(self.catalogue["id"])

    @property
    def blends(self):
        """(n, ny, nx) float32, computed at each access."""
        return blend_images(self.stamps)


class ProduceResult:
    """``train`` and ``test`` BlendSets (None when written by a writer) and a ``summary`` dict."""

    def __init__(self, train, test, summary):
        self.train, self.test, self.summary = train, test, summary

    def __getitem__(self, split):
        return {"train": self.train, "test": self.test}[split]


def _keys_weights(f):
    """Keys (a = -1/2, Catmull-Rom) cubic weights of the samples at -1, 0, 1, 2 for a point at 0 <= f < 1."""
    return np.array([((-0.5 * f + 1.0) * f - 0.5) * f, (1.5 * f - 2.5) * f * f + 1.0,
                     ((-1.5 * f + 2.0) * f + 0.5) * f, (0.5 * f - 0.5) * f * f])


def _integer_shift(image, dy, dx, out):
    out.fill(0)
    ny, nx = image.shape
    if abs(dy) < ny and abs(dx) < nx:
        out[max(dy, 0):ny + min(dy, 0), max(dx, 0):nx + min(dx, 0)] = \
            image[max(-dy, 0):ny - max(dy, 0), max(-dx, 0):nx - max(dx, 0)]
    return out


def shift_image(image, dy, dx, out=None):
    """``image`` (ny, nx) moved by (dy, dx) pixels, zero outside (into ``out`` when given).

    Integer shifts move the pixels exactly. Otherwise ``out(y, x) = image(y - dy, x - dx)`` by
    separable Keys cubic convolution (Catmull-Rom: 4 x 4 samples, interpolating, weights summing to
    1 so flux is kept, exact for linear ramps), then the integer part by slicing.
    """
    if out is None:
        out = np.empty_like(image)
    ay, ax = int(np.floor(-dy)), int(np.floor(-dx))
    fy, fx = -dy - ay, -dx - ax
    if fy == 0 and fx == 0:
        return _integer_shift(image, -ay, -ax, out)
    ny, nx = image.shape
    padded = np.zeros((ny + 3, nx + 3), np.float64)
    padded[1:ny + 1, 1:nx + 1] = image
    wy, wx = _keys_weights(fy), _keys_weights(fx)
    rows = sum(wy[t] * padded[t:t + ny] for t in range(4))
    tmp = sum(wx[t] * rows[:, t:t + nx] for t in range(4))
    return _integer_shift(tmp.astype(out.dtype, copy=False), -ay, -ax, out)


def _shift_segmap(seg, dy, dx, out):
    """The segmap moved by the shift rounded to the nearest pixel."""
    return _integer_shift(seg, int(np.floor(dy + 0.5)), int(np.floor(dx + 0.5)), out)


def _truth(stamps, segs, sigma):
    """(blendedness, snr) per source of a chunk: stamps (c, k, ny, nx), segs (c, k, ny, nx) uint8 0/1.

    Sums over the segmap pixels only: for each pixel p of source s in blend b, S_s(p) and the
    total sum_j S_j(p) are gathered, then summed per (b, s) with ``bincount`` (float64).
    """
    c, k = stamps.shape[:2]
    size = stamps[0, 0].size
    img, seg = stamps.reshape(-1), segs.reshape(-1)
    q = np.flatnonzero(segs.view(bool))  # flat indices of the segmap pixels of every (blend, source)
    plane = q // size
    base = q - (plane % k) * size  # the same pixel in source 0 of the blend
    vals = img[q]
    pos = np.maximum(vals, 0.0)
    total = sum(np.maximum(img[base + j * size], 0.0) * seg[base + j * size] for j in range(k))
    per = dict(minlength=c * k)
    npix = np.bincount(plane, **per).reshape(c, k).astype(np.float64)
    flux = np.bincount(plane, weights=vals, **per).reshape(c, k)
    num = np.bincount(plane, weights=pos.astype(np.float64) ** 2, **per).reshape(c, k)
    den = np.bincount(plane, weights=pos.astype(np.float64) * total, **per).reshape(c, k)
    blendedness = 1.0 - np.divide(num, den, out=np.ones_like(num), where=den > 0)
    noise = sigma * np.sqrt(npix)
    snr = np.divide(flux, noise, out=np.where(npix > 0, np.inf * np.sign(flux), 0.0), where=noise > 0)
    return np.clip(blendedness, 0.0, 1.0), snr


def _check(name, value, low=None, high=None, integer=False, low_open=False):
    if integer:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise GalforgeValueError(f"{name} = {value!r} is invalid: expected an integer")
        value = int(value)
    else:
        value = finite(name, value)
    if low is not None and (value < low or (low_open and value == low)):
        raise GalforgeValueError(f"{name} = {value!r} is invalid: expected {'>' if low_open else '>='} {low}")
    if high is not None and value > high:
        raise GalforgeValueError(f"{name} = {value!r} is invalid: expected <= {high}")
    return value


def _catalogue(stamps, groups, shifts, centre, blendedness, snr):
    n, k = groups.shape
    cy, cx = centre
    cols = {"id": np.arange(n), "distance": np.hypot(shifts[:, 1, 0], shifts[:, 1, 1]),
            "shift_x": shifts[:, 1, 1], "shift_y": shifts[:, 1, 0]}
    fields = {"id": stamps.ids, "mag": stamps.mag, "rad": stamps.radius, "z": stamps.z, "type": stamps.galtype}
    for j in range(k):
        for name in GALAXY_COLUMNS:
            cols[f"g{j + 1}_{name}"] = fields[name][groups[:, j]]
    for j in range(k):
        dy, dx = shifts[:, j, 0], shifts[:, j, 1]
        cols.update({f"g{j + 1}_x": cx + dx, f"g{j + 1}_y": cy + dy, f"g{j + 1}_shift_x": dx,
                     f"g{j + 1}_shift_y": dy, f"g{j + 1}_distance": np.hypot(dx, dy),
                     f"g{j + 1}_blendedness": blendedness[:, j], f"g{j + 1}_snr": snr[:, j]})
    return cols


class _MemoryWriter:
    """The writer protocol: ``open`` a split, get ``buffers`` (c, k, ny, nx) to fill for blends
    ``start..start+c``, ``commit`` them, ``close`` with the catalogue."""

    def __init__(self):
        self.sets = {}

    def open(self, split, n, shape, k):
        self.sets[split] = BlendSet(np.empty((n, k, *shape), np.float32), np.empty((n, k, *shape), np.uint8), None)

    def buffers(self, split, start, count):
        s = self.sets[split]
        return s.stamps[start:start + count], s.segmaps[start:start + count]

    def commit(self, split, start, stamps, segmaps):
        pass

    def close(self, split, catalogue):
        self.sets[split].catalogue = catalogue


def produce(stamps, n_blends=100, mag_low=0.0, mag_high=100.0, mag_diff=2.0, rad_diff=4.0, test_ratio=0.2,
            excluded_types=(), seed=42, n_sources=2, subpixel=False, n_iter=5, noise_factor=0.0,
            writer=None, progress=None):
    """Make ``n_blends`` blends of ``n_sources`` galaxies from ``stamps`` (a StampSet).

    ``int(test_ratio * n_blends)`` are test blends, the rest train blends; their galaxies come from
    disjoint galaxy splits (see ``plan.py`` for the cuts, pairs and shifts, the module docstring
    for the products). seed: int or ``numpy.random.Generator`` (every draw, noise included);
    subpixel: real-valued shifts; n_iter: dilations of the segmaps before masking neighbours;
    noise_factor: extra noise over each stamp, in background sigmas (candels-blender: 1).
    writer: where the chunks go (``files.StackedWriter``, ``files.CandelsWriter``; default: memory);
    progress: a callable ``(iterable, total, desc) -> iterable`` for progress bars.
    Returns a ProduceResult (``train``, ``test``, ``summary``).
    """
    if not isinstance(stamps, StampSet):
        raise GalforgeValueError(f"stamps must be a galforge.blend.StampSet, got {type(stamps).__name__}")
    n_blends = _check("n_blends", n_blends, 1, integer=True)
    n_sources = _check("n_sources", n_sources, 2, integer=True)
    mag_low, mag_high = _check("mag_low", mag_low), _check("mag_high", mag_high)
    mag_diff = _check("mag_diff", mag_diff, 0.0, low_open=True)
    rad_diff = _check("rad_diff", rad_diff, 0.0, low_open=True)
    test_ratio = _check("test_ratio", test_ratio, 0.0, 1.0)
    noise_factor = _check("noise_factor", noise_factor, 0.0)
    n_iter = _check("n_iter", n_iter, 0, integer=True)
    excluded_types = tuple(excluded_types)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    progress = progress or (lambda it, total, desc: it)

    kept = apply_cuts(stamps.mag, stamps.galtype, mag_low, mag_high, excluded_types)
    if not kept.size:
        raise GalforgeValueError(f"no galaxy is left after the cuts {mag_low} < mag < {mag_high}, "
                                 f"excluded types {list(excluded_types)} (of {len(stamps)} galaxies)")
    train_pos, test_pos = split_galaxies(kept.size, test_ratio, rng)
    pools = {"train": kept[train_pos], "test": kept[test_pos]}
    n_test = int(test_ratio * n_blends)
    counts = {"train": n_blends - n_test, "test": n_test}
    ny, nx = stamps.shape
    half = min(ny, nx) // 2
    plans, skipped = {}, {}
    for split in SPLITS:
        if counts[split] == 0:
            continue
        if pools[split].size == 0:
            raise GalforgeValueError(f"the {split} split holds no galaxy: {kept.size} galaxies left after the "
                                     f"cuts, test_ratio = {test_ratio}")
        groups, shifts, skipped[split] = draw_groups(pools[split], stamps.mag, stamps.radius, counts[split],
                                                     n_sources, mag_diff, rad_diff, half, subpixel, rng)
        plans[split] = groups, shifts

    used = np.unique(np.concatenate([g.ravel() for g, _ in plans.values()]))
    row = np.full(len(stamps), -1, np.int64)
    row[used] = np.arange(used.size)
    masks = NeighbourMasks(stamps.images[used], stamps.segmaps[used], n_iter)
    noise_scale = np.sqrt(1.0 + noise_factor**2)

    writer = writer or _MemoryWriter()
    for split, (groups, shifts) in plans.items():
        n = len(groups)
        writer.open(split, n, (ny, nx), n_sources)
        blendedness, snr = np.empty((n, n_sources)), np.empty((n, n_sources))
        starts = range(0, n, CHUNK)
        for start in progress(starts, len(starts), f"{split} blends"):
            g = groups[start:start + CHUNK]
            r = row[g]
            sh = shifts[start:start + CHUNK]
            work = stamps.images[g]  # (c, k, ny, nx) copies of the galaxies' stamps
            masks.fill(work, r, rng, noise_factor)
            imgs, segs = writer.buffers(split, start, len(g))
            imgs[:, 0], segs[:, 0] = work[:, 0], masks.central[r[:, 0]]
            for i in range(len(g)):
                for j in range(1, n_sources):
                    shift_image(work[i, j], *sh[i, j], out=imgs[i, j])
                    _shift_segmap(masks.central[r[i, j]], *sh[i, j], out=segs[i, j])
            b, s = _truth(imgs, segs, masks.sigma[r] * noise_scale)
            blendedness[start:start + len(g)], snr[start:start + len(g)] = b, s
            writer.commit(split, start, imgs, segs)
        writer.close(split, _catalogue(stamps, groups, shifts, (ny // 2, nx // 2), blendedness, snr))

    summary = {"n_galaxies": len(stamps), "n_after_cuts": int(kept.size),
               "n_train_galaxies": int(pools["train"].size), "n_test_galaxies": int(pools["test"].size),
               "n_train_blends": counts["train"], "n_test_blends": counts["test"],
               "skipped_no_shift": int(sum(skipped.values())), "n_sources": n_sources}
    sets = getattr(writer, "sets", {})
    return ProduceResult(sets.get("train"), sets.get("test"), summary)


__all__ = ["BlendSet", "ProduceResult", "produce", "shift_image"]

"""Which galaxies are blended, and where: cuts, the galaxy-level train/test split, groups, shifts.

Everything here works on the catalogue only (no pixels), vectorised over all blends. Shifts are
``(dy, dx)`` in pixels (rows, columns) of a companion's centre relative to the central galaxy's.

candels-blender's rules, and where galforge differs (``../shared/reference/ml_blend.md`` §2.2):
  - cuts ``mag_low < mag < mag_high`` (strict) and ``galtype not in excluded``, then a random
    permutation of the galaxies left: the first ``int(n * test_ratio)`` are the test galaxies;
  - the central galaxy is drawn uniformly (with replacement) from its split; each companion
    uniformly among the split's galaxies with ``|mag - mag_central| < mag_diff`` -- here never the
    central galaxy itself nor another companion of the same blend (candels-blender allows a galaxy
    to be paired with itself);
  - shift radius between ``rad_min = max(r_central, r_companion)`` and
    ``rad_max = min(rad_diff * min(r_central, r_companion), size // 2)``; if ``rad_min >= rad_max``
    then ``rad_min = 0.8 rad_max``. Integer shifts are uniform over the lattice points of that
    annulus (candels-blender: 25 tries of ``randint(-rad_max, rad_max, 2)``, which never draws
    ``+floor(rad_max)``, then a new pair);
    sub-pixel shifts are uniform over the annulus's area. A group whose annulus holds no lattice
    point is redrawn and counted in ``skipped``.
"""
import numpy as np

from ..errors import GalforgeValueError

ROUNDS = 64  # vectorised rejection rounds before the exact per-row fallback


def apply_cuts(mag, galtype, mag_low=0.0, mag_high=100.0, excluded_types=()):
    """Indices of the galaxies kept by ``mag_low < mag < mag_high`` and ``galtype not in excluded_types``."""
    mag, galtype = np.asarray(mag, float), np.asarray(galtype).astype(str)
    keep = (mag > mag_low) & (mag < mag_high)
    for t in excluded_types:
        keep &= galtype != t
    return np.flatnonzero(keep)


def split_galaxies(n_gal, test_ratio, rng):
    """(train, test) galaxy indices: a random permutation, its first ``int(n_gal * test_ratio)`` to test."""
    if not 0.0 <= test_ratio <= 1.0:
        raise GalforgeValueError(f"test_ratio = {test_ratio!r} is invalid: expected 0 <= test_ratio <= 1")
    perm = rng.permutation(n_gal)
    n_test = int(n_gal * test_ratio)
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def _lattice_norms(half):
    a = np.arange(-half, half + 1)
    return np.unique(np.hypot(a[:, None], a[None, :]))


def shift_range(r1, r2, rad_diff, half_size):
    """(rad_min, rad_max) of the shift between galaxies of radii r1 and r2 (arrays), as candels-blender."""
    rad_min = np.maximum(r1, r2)
    rad_max = np.minimum(np.minimum(r1, r2) * rad_diff, half_size)
    rad_min = np.where(rad_min >= rad_max, 0.8 * rad_max, rad_min)
    return rad_min, rad_max


def _integer_shifts(rad_min, rad_max, rng):
    m = np.floor(rad_max).astype(np.int64)
    out = np.zeros((len(m), 2), np.int64)
    todo = np.arange(len(m))
    for _ in range(ROUNDS):
        if not todo.size:
            return out
        d = rng.integers(-m[todo, None], m[todo, None], endpoint=True, size=(todo.size, 2))
        r = np.hypot(d[:, 0], d[:, 1])
        ok = (rad_min[todo] <= r) & (r <= rad_max[todo])
        out[todo[ok]] = d[ok]
        todo = todo[~ok]
    for i in todo:  # thin annuli: choose among the lattice points exactly
        a = np.arange(-m[i], m[i] + 1)
        dy, dx = (g.ravel() for g in np.meshgrid(a, a, indexing="ij"))
        r = np.hypot(dy, dx)
        k = np.flatnonzero((rad_min[i] <= r) & (r <= rad_max[i]))
        j = k[rng.integers(k.size)]
        out[i] = dy[j], dx[j]
    return out


def draw_shifts(rad_min, rad_max, subpixel, rng):
    """(n, 2) shifts (dy, dx) uniform in the annuli rad_min <= r <= rad_max (each must be drawable)."""
    rad_min, rad_max = np.asarray(rad_min, float), np.asarray(rad_max, float)
    if subpixel:
        r = np.sqrt(rng.uniform(rad_min**2, rad_max**2))
        phi = rng.uniform(0.0, 2.0 * np.pi, size=r.shape)
        return np.stack([r * np.sin(phi), r * np.cos(phi)], axis=-1)
    return _integer_shifts(rad_min, rad_max, rng).astype(np.float64)


def _shift_possible(rad_min, rad_max, subpixel, norms):
    if subpixel:
        return rad_max > 0
    lo = np.searchsorted(norms, rad_min, side="left")
    return (lo < norms.size) & (norms[np.minimum(lo, norms.size - 1)] <= rad_max) & (rad_max > 0)


def _draw_companions(order_pos, lo, hi, n_companions, rng):
    """Distinct positions in [lo, hi) other than order_pos, uniformly (sequential, vectorised)."""
    taken = (order_pos - lo)[:, None]
    drawn = []
    for _ in range(n_companions):
        u = rng.integers(0, (hi - lo) - taken.shape[1])
        for col in range(taken.shape[1]):  # skip the positions already taken, in increasing order
            u = u + (u >= taken[:, col])
        drawn.append(u)
        taken = np.sort(np.concatenate([taken, u[:, None]], axis=1), axis=1)
    return np.stack(drawn, axis=1) + lo[:, None]


def draw_groups(pool, mag, radius, n_blends, n_sources=2, mag_diff=2.0, rad_diff=4.0, half_size=64,
                subpixel=False, rng=None, max_rounds=100):
    """Draw ``n_blends`` groups of ``n_sources`` galaxies from ``pool`` and their shifts.

    pool: galaxy indices of one split; mag, radius: per-galaxy arrays (indexed by pool's values).
    Returns ``(groups, shifts, skipped)``: groups (n, k) galaxy indices, column 0 the central galaxy;
    shifts (n, k, 2) (dy, dx), zero for the central galaxy; skipped: groups redrawn because no shift
    fits their annulus.
    """
    pool = np.asarray(pool, np.int64)
    k = n_sources
    sorted_pool = pool[np.argsort(mag[pool], kind="stable")]
    m = mag[sorted_pool]
    lo = np.searchsorted(m, m - mag_diff, side="right")  # strict |dm| < mag_diff
    hi = np.searchsorted(m, m + mag_diff, side="left")
    eligible = np.flatnonzero(hi - lo - 1 >= k - 1)
    if not eligible.size:
        raise GalforgeValueError(
            f"no galaxy of a split of {pool.size} has {k - 1} other galaxies within mag_diff = {mag_diff} "
            f"magnitudes: loosen mag_diff or the cuts, or lower n_sources")
    norms = _lattice_norms(int(half_size))
    groups = np.zeros((n_blends, k), np.int64)
    shifts = np.zeros((n_blends, k, 2))
    todo = np.arange(n_blends)
    skipped = 0
    for _ in range(max_rounds):
        central = eligible[rng.integers(0, eligible.size, size=todo.size)]
        pos = np.concatenate([central[:, None],
                              _draw_companions(central, lo[central], hi[central], k - 1, rng)], axis=1)
        gal = sorted_pool[pos]
        r = radius[gal]
        rmin, rmax = shift_range(r[:, :1], r[:, 1:], rad_diff, half_size)
        ok = _shift_possible(rmin, rmax, subpixel, norms).all(axis=1)
        skipped += int((~ok).sum())
        rows = todo[ok]
        groups[rows] = gal[ok]
        shifts[rows, 1:] = draw_shifts(rmin[ok].ravel(), rmax[ok].ravel(), subpixel, rng).reshape(-1, k - 1, 2)
        todo = todo[~ok]
        if not todo.size:
            return groups, shifts, skipped
    raise GalforgeValueError(
        f"{todo.size} of {n_blends} groups found no possible shift after {max_rounds} draws: the radii of "
        f"this split leave no room between rad_min and rad_max (rad_diff = {rad_diff}, stamp half-size "
        f"{half_size})")


__all__ = ["apply_cuts", "draw_groups", "draw_shifts", "shift_range", "split_galaxies"]

"""Blends per second, produce + concatenate (blend images and bogg masks), 128x128 stamps:
galforge.blend vs a faithful numpy/scipy re-implementation of candels-blender's per-blend loop
(candels-blender is not on PyPI; its behaviour as documented in reference/ml_blend.md §2).
In memory (no file I/O for either), and through the disk as each tool works: candels-blender saves
two .npy files per blend and concatenate loads them back; galforge writes stacked memory-mapped
files and concatenates from them. ``GALFORGE_BENCH_BLENDS`` sets the number of blends (default 1000;
the issue's figure is 20000)."""
import os
import tempfile

import numpy as np
import pytest
from scipy.ndimage import binary_dilation

from galforge.blend import bogg_masks, concatenate, produce, synthetic_stamps
from galforge.blend.files import make_writer

N_BLENDS = int(os.environ.get("GALFORGE_BENCH_BLENDS", "1000"))
ROUNDS = dict(rounds=3, warmup_rounds=1) if N_BLENDS <= 5000 else dict(rounds=1, warmup_rounds=0)
STAMPS = synthetic_stamps(300, size=128, seed=0)


class CandelsLoop:
    """candels-blender's Blender: RandomState(seed), galaxy split by permutation, per-blend pair, shift,
    neighbour masking (two cross dilations x5, std of img * background, normal fill, extra normal noise),
    pad + roll + crop; then concatenate's per-blend sum and bogg recipe."""

    def __init__(self, stamps, test_ratio=0.2, mag_diff=2.0, rad_diff=4.0, seed=42):
        self.img, self.seg, self.mag, self.rad = stamps.images, stamps.segmaps, stamps.mag, stamps.radius
        self.mag_diff, self.rad_diff = mag_diff, rad_diff
        self.rng = np.random.RandomState(seed)
        perm = self.rng.permutation(len(self.img))
        k = int(len(self.img) * test_ratio)
        self.test, self.train = perm[:k], perm[k:]
        self.size = self.img.shape[-1]

    def masked(self, i):
        img, seg = self.img[i].copy(), self.seg[i]
        c = self.size // 2
        sources = binary_dilation(seg, iterations=5)
        central = binary_dilation(np.where(seg == seg[c, c], 1, 0), iterations=5)
        others = np.logical_xor(sources, central)
        std = np.std(img * ~sources)
        img[others] = np.random.normal(scale=std, size=img.shape)[others]
        img += np.random.normal(scale=std, size=img.shape)
        return img.astype(np.float32), np.where(seg == seg[c, c], 1, 0).astype(np.uint8)

    def shift(self, a, dy, dx):
        p = self.size // 2
        a = np.roll(np.roll(np.pad(a, p), dx, axis=1), dy, axis=0)
        return a[p:p + self.size, p:p + self.size]

    def random_shift(self, r1, r2):
        rmin, rmax = max(r1, r2), min(min(r1, r2) * self.rad_diff, self.size // 2)
        if rmin >= rmax:
            rmin = 0.8 * rmax
        for _ in range(25):
            d = self.rng.randint(-int(rmax), int(rmax), size=2)
            if rmin <= np.hypot(*d) <= rmax:
                return d
        return None

    def next_blend(self, pool):
        g1 = self.rng.choice(pool)
        g2 = self.rng.choice(pool)
        while not abs(self.mag[g1] - self.mag[g2]) < self.mag_diff:
            g2 = self.rng.choice(pool)
        img1, seg1 = self.masked(g1)
        img2, seg2 = self.masked(g2)
        d = self.random_shift(self.rad[g1], self.rad[g2])
        if d is None:
            return None
        img2, seg2 = self.shift(img2, *d), self.shift(seg2, *d)
        return np.concatenate([img1[..., None], img2[..., None]], -1), np.concatenate([seg1[None], seg2[None]])

    @staticmethod
    def bogg(seg):
        s1, s2 = seg.astype(bool)
        return np.concatenate([a[..., None] for a in (~s1 & ~s2, s1 & s2, s1 ^ s1 & s2, s2 ^ s1 & s2)],
                              -1).astype(np.uint8)

    def run(self, n_blends, test_ratio=0.2, folder=None):
        n_test = int(test_ratio * n_blends)
        out = []
        for prefix, pool, n in (("train", self.train, n_blends - n_test), ("test", self.test, n_test)):
            blends = np.empty((n, self.size, self.size), np.float32)
            masks = np.empty((n, self.size, self.size, 4), np.uint8)
            for i in range(n):
                b = None
                while b is None:
                    b = self.next_blend(pool)
                if folder is None:
                    img, seg = b
                    blends[i], masks[i] = img.sum(axis=-1), self.bogg(seg)
                else:  # produce saves the blend, concatenate loads it back (both per blend)
                    np.save(f"{folder}/{prefix}_blend_{i:06d}.npy", b[0])
                    np.save(f"{folder}/{prefix}_blend_seg_{i:06d}.npy", b[1])
            if folder is not None:
                for i in range(n):
                    blends[i] = np.load(f"{folder}/{prefix}_blend_{i:06d}.npy").sum(axis=-1)
                for i in range(n):
                    masks[i] = self.bogg(np.load(f"{folder}/{prefix}_blend_seg_{i:06d}.npy"))
                np.save(f"{folder}/{prefix}_blends.npy", blends)
                np.save(f"{folder}/{prefix}_bogg_masks.npy", masks)
            out.append((blends, masks))
        return out


def galforge_run(**kw):
    res = produce(STAMPS, n_blends=N_BLENDS, seed=42, **kw)
    return [(s.blends, bogg_masks(s.segmaps)) for s in (res.train, res.test)]


def galforge_disk():
    with tempfile.TemporaryDirectory() as folder:
        produce(STAMPS, n_blends=N_BLENDS, seed=42, writer=make_writer(folder))
        concatenate(folder, "bogg_masks")
        return [tuple(np.load(f"{folder}/{p}_{n}.npy", mmap_mode="r") for n in ("blends", "bogg_masks"))
                for p in ("train", "test")]  # memory-mapped: read only by the checks, after the timing


def candels_disk():
    with tempfile.TemporaryDirectory() as folder:
        return CandelsLoop(STAMPS).run(N_BLENDS, folder=folder)


RUNS = {
    "galforge": lambda: galforge_run(),
    "galforge-subpixel": lambda: galforge_run(subpixel=True),
    "galforge-noise_factor1": lambda: galforge_run(noise_factor=1.0),
    "galforge-3-sources": lambda: galforge_run(n_sources=3),
    "candels-blender-loop": lambda: CandelsLoop(STAMPS).run(N_BLENDS),
}
DISK_RUNS = {"galforge-disk": galforge_disk, "candels-blender-loop-disk": candels_disk}


def _check(benchmark, out):
    (blends, masks), _ = out
    assert blends.shape == (N_BLENDS - int(0.2 * N_BLENDS), 128, 128) and (masks.sum(axis=-1) == 1).all()
    benchmark.extra_info["blends_per_second"] = N_BLENDS / benchmark.stats.stats.mean


@pytest.mark.parametrize("code", RUNS)
def test_blend_produce_concatenate(benchmark, code):
    benchmark.group = f"blend-{N_BLENDS}-128px-memory"
    _check(benchmark, benchmark.pedantic(RUNS[code], iterations=1, **ROUNDS))


@pytest.mark.parametrize("code", DISK_RUNS)
def test_blend_produce_concatenate_disk(benchmark, code):
    benchmark.group = f"blend-{N_BLENDS}-128px-disk"
    _check(benchmark, benchmark.pedantic(DISK_RUNS[code], iterations=1, **ROUNDS))

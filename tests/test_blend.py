"""galforge.blend: recipes, neighbour masks, pairs, shifts and produce, against independent references
(hand-made segmaps, brute-force L1 dilations, centroids of noiseless stamps, candels-blender's rules
re-derived here from its documented behaviour)."""
import math

import numpy as np
import pytest
from scipy import ndimage

from galforge.blend import (NeighbourMasks, StampSet, blend_images, bogg_masks, draw_groups, draw_shifts,
                            gg_masks, make_target, masked_stamps, ogg_masks, produce, shift_image, shift_range,
                            single_images, split_galaxies, synthetic_stamps)
from galforge.errors import GalforgeValueError

CANDELS_HEADER = ["id", "distance", "shift_x", "shift_y", "g1_id", "g1_mag", "g1_rad", "g1_z", "g1_type",
                  "g2_id", "g2_mag", "g2_rad", "g2_z", "g2_type"]


# ------------------------------------------------------------------------------------ inputs

def gaussian_stamps(n=40, size=48, seed=0, noise=0.0, neighbour=True):
    """Noiseless (or Gaussian-noise) stamps of round Gaussians, built with plain numpy.

    Central Gaussian at the centre pixel (flux 1e3 * 10^(-0.4 (mag - 20))), sigma = radius / 1.1774
    (half-light radius of a Gaussian); an optional neighbour 15 px away; labels 3 (central), 7.
    """
    rng = np.random.default_rng(seed)
    c = size // 2
    y, x = np.mgrid[:size, :size]
    images = np.zeros((n, size, size))
    segmaps = np.zeros((n, size, size), np.int32)
    mag = rng.uniform(20.0, 22.0, n)
    radius = rng.uniform(2.0, 4.0, n)
    for i in range(n):
        s = radius[i] / 1.1774
        g = np.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * s * s))
        g *= 1e3 * 10 ** (-0.4 * (mag[i] - 20)) / g.sum()
        images[i] += g
        segmaps[i][g > 1e-3 * g.max()] = 3
        if neighbour:
            h = np.exp(-((x - c - 15) ** 2 + (y - c + 2) ** 2) / 2.0) * 50.0
            images[i] += h
            segmaps[i][(h > 1e-3 * h.max()) & (segmaps[i] == 0)] = 7
    images += noise * rng.standard_normal(images.shape)
    types = np.array(["disk", "sph", "sphd", "irr"])[np.arange(n) % 4]
    return StampSet(images, segmaps, np.arange(100, 100 + n), mag, radius, types)


@pytest.fixture(scope="module")
def rendered():
    return synthetic_stamps(40, size=64, seed=3)


# ------------------------------------------------------------------------------------ recipes

S1 = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0]], np.uint8)
S2 = np.array([[0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]], np.uint8)


def test_recipes_on_hand_made_segmaps():
    seg = np.stack([S1, S2])[None]  # (1, 2, 3, 4)
    gg = gg_masks(seg)
    assert gg.shape == (1, 2, 3, 4) and gg.dtype == np.uint8
    np.testing.assert_array_equal(gg[0, 0], S1)
    ogg = ogg_masks(seg)
    assert ogg.shape == (1, 3, 4, 3) and ogg.dtype == np.uint8
    expected_overlap = [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(ogg[0, ..., 0], expected_overlap)
    np.testing.assert_array_equal(ogg[0, ..., 1], S1)
    np.testing.assert_array_equal(ogg[0, ..., 2], S2)
    bogg = bogg_masks(seg)
    assert bogg.shape == (1, 3, 4, 4)
    # pixel by pixel: the class is background / overlap / galaxy 1 only / galaxy 2 only
    for i in range(3):
        for j in range(4):
            a, b = S1[i, j], S2[i, j]
            cls = 0 if not (a or b) else 1 if (a and b) else 2 if a else 3
            np.testing.assert_array_equal(bogg[0, i, j], np.eye(4, dtype=np.uint8)[cls])


def test_recipes_match_candels_formulas_for_two_sources():
    rng = np.random.default_rng(1)
    seg = (rng.random((5, 2, 16, 16)) < 0.4).astype(np.uint8)
    for n in range(5):
        s1, s2 = seg[n].astype(bool)
        ogg = np.concatenate([np.expand_dims(a, -1) for a in (np.logical_and(s1, s2), s1, s2)], axis=-1)
        bogg = np.concatenate([np.expand_dims(a, -1) for a in (~s1 & ~s2, s1 & s2, s1 ^ s1 & s2, s2 ^ s1 & s2)], -1)
        np.testing.assert_array_equal(ogg_masks(seg)[n], ogg.astype(np.uint8))
        np.testing.assert_array_equal(bogg_masks(seg)[n], bogg.astype(np.uint8))
        np.testing.assert_array_equal(gg_masks(seg)[n], seg[n])


def test_recipes_three_sources_overlap_is_two_or_more():
    seg = np.zeros((1, 3, 1, 4), np.uint8)
    seg[0, :, 0, 0] = [1, 1, 1]  # all three
    seg[0, :, 0, 1] = [0, 1, 1]  # two
    seg[0, :, 0, 2] = [0, 0, 1]  # one
    bogg = bogg_masks(seg)[0, 0]
    np.testing.assert_array_equal(bogg, [[0, 1, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0]])
    assert (bogg.sum(axis=-1) == 1).all()
    np.testing.assert_array_equal(ogg_masks(seg)[0, 0, :, 0], [1, 1, 0, 0])


def test_blend_is_sum_and_single_images_layout():
    rng = np.random.default_rng(2)
    stamps = rng.standard_normal((4, 3, 8, 9)).astype(np.float32)
    np.testing.assert_allclose(blend_images(stamps), stamps[:, 0] + stamps[:, 1] + stamps[:, 2], rtol=1e-6)
    single = single_images(stamps)
    assert single.shape == (4, 8, 9, 3)
    for n, k, i, j in [(0, 0, 0, 0), (3, 2, 7, 8), (1, 1, 4, 2)]:
        assert single[n, i, j, k] == stamps[n, k, i, j]
    with pytest.raises(GalforgeValueError, match="method"):
        make_target("rgb_masks", stamps, None)
    with pytest.raises(GalforgeValueError, match="segmaps"):
        gg_masks(np.zeros((3, 3)))


# ------------------------------------------------------------------------------------ neighbour masks

def l1_dilation(mask, r):
    """Brute force: pixels within L1 distance r of a True pixel (the 3x3 cross iterated r times)."""
    out = np.zeros_like(mask)
    for i, j in np.argwhere(mask):
        for di in range(-r, r + 1):
            for dj in range(-(r - abs(di)), r - abs(di) + 1):
                if 0 <= i + di < mask.shape[0] and 0 <= j + dj < mask.shape[1]:
                    out[i + di, j + dj] = True
    return out


def test_neighbour_masks_equal_independent_dilations():
    seg = np.zeros((2, 40, 40), np.int32)
    seg[:, 18:23, 17:22] = 5  # central (label at [20, 20])
    seg[0, 2:5, 30:38] = 2
    seg[0, 35:40, 0:3] = 9  # touches the border
    seg[1, 20:22, 27:30] = 1  # 5 px from the central source: the dilations meet
    rng = np.random.default_rng(4)
    images = rng.standard_normal(seg.shape) + 10.0 * (seg > 0)
    m = NeighbourMasks(images, seg, n_iter=5)
    for n in range(2):
        sources, central = l1_dilation(seg[n] > 0, 5), l1_dilation(seg[n] == 5, 5)
        np.testing.assert_array_equal(m.neighbours[n], sources & ~central)
        # candels-blender's own calls give the same pixels
        cb = np.logical_xor(ndimage.binary_dilation(seg[n], iterations=5),
                            ndimage.binary_dilation(np.where(seg[n] == 5, 1, 0), iterations=5))
        np.testing.assert_array_equal(m.neighbours[n], cb)
        np.testing.assert_array_equal(m.central[n], (seg[n] == 5).astype(np.uint8))
        assert m.sigma[n] == pytest.approx(np.std(images[n][~sources]), rel=1e-6)


def test_masked_stamps_fill_only_neighbours_with_background_noise():
    st = gaussian_stamps(n=2, size=64, noise=0.5)
    m = NeighbourMasks(st.images, st.segmaps)
    out = masked_stamps(st.images, m.neighbours, m.sigma, np.random.default_rng(0))
    np.testing.assert_array_equal(out[~m.neighbours], st.images[~m.neighbours])
    filled = out[m.neighbours]
    assert abs(filled.mean()) < 4 * 0.5 / math.sqrt(filled.size)
    assert filled.std() == pytest.approx(0.5, rel=0.1)
    again = masked_stamps(st.images, m.neighbours, m.sigma, np.random.default_rng(0))
    np.testing.assert_array_equal(out, again)
    doubled = masked_stamps(st.images, m.neighbours, m.sigma, np.random.default_rng(0), noise_factor=1.0)
    diff = (doubled - st.images)[~m.neighbours]
    assert diff.std() == pytest.approx(m.sigma.mean(), rel=0.1)  # candels-blender's extra noise


@pytest.mark.parametrize("noise_factor", [0.0, 0.7])
def test_fill_by_index_equals_masked_stamps(noise_factor):
    st = gaussian_stamps(n=5, size=40, noise=0.3)
    m = NeighbourMasks(st.images, st.segmaps)
    rows = np.array([[0, 3], [4, 4], [2, 1]])
    work = st.images[rows]
    m.fill(work, rows, np.random.default_rng(3), noise_factor)
    ref = masked_stamps(st.images[rows], m.neighbours[rows], m.sigma[rows], np.random.default_rng(3), noise_factor)
    assert work.tobytes() == ref.tobytes()


def test_masks_reject_stamps_without_background():
    seg = np.ones((1, 12, 12), np.int32)
    with pytest.raises(GalforgeValueError, match="no background"):
        NeighbourMasks(np.zeros((1, 12, 12)), seg, n_iter=1)


# ------------------------------------------------------------------------------------ plan

def lattice_annulus(rmin, rmax):
    m = int(rmax)
    return {(a, b) for a in range(-m, m + 1) for b in range(-m, m + 1) if rmin <= math.hypot(a, b) <= rmax}


def test_integer_shifts_are_uniform_over_the_annulus_lattice():
    rng = np.random.default_rng(5)
    n = 20000
    d = draw_shifts(np.full(n, 3.0), np.full(n, 5.0), False, rng).astype(int)
    points = lattice_annulus(3.0, 5.0)
    got, counts = np.unique(d, axis=0, return_counts=True)
    assert {tuple(p) for p in got} == points
    expected = n / len(points)
    assert counts.min() > 0.75 * expected and counts.max() < 1.25 * expected
    thin = draw_shifts(np.full(50, 5.0), np.full(50, 5.0), False, rng).astype(int)  # exact fallback path
    assert {tuple(p) for p in thin} <= lattice_annulus(5.0, 5.0)
    assert len({tuple(p) for p in thin}) > 6


def test_subpixel_shifts_fill_the_annulus_area():
    rng = np.random.default_rng(6)
    d = draw_shifts(np.full(40000, 2.0), np.full(40000, 6.0), True, rng)
    r = np.hypot(d[:, 0], d[:, 1])
    assert r.min() >= 2.0 and r.max() <= 6.0
    assert np.mean(r**2) == pytest.approx((4 + 36) / 2, rel=0.01)  # r^2 uniform for a uniform area density
    assert np.mean(d[:, 1] > 0) == pytest.approx(0.5, abs=0.01)
    assert not np.all(d == np.round(d))


def test_shift_range_follows_candels_rules():
    for r1, r2, rad_diff, half in [(3.0, 5.0, 4.0, 64), (10.0, 2.0, 4.0, 64), (30.0, 20.0, 4.0, 64), (2.0, 2.0, 1.0, 64)]:
        rmin, rmax = shift_range(np.array([r1]), np.array([r2]), rad_diff, half)
        exp_max = min(min(r1, r2) * rad_diff, half)
        exp_min = max(r1, r2) if max(r1, r2) < exp_max else 0.8 * exp_max
        assert (rmin[0], rmax[0]) == pytest.approx((exp_min, exp_max))


def test_split_is_a_permutation_with_int_ratio_test_galaxies():
    train, test = split_galaxies(101, 0.3, np.random.default_rng(0))
    assert len(test) == int(101 * 0.3) and len(train) == 101 - len(test)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(101))


def test_groups_distinct_within_mag_diff():
    rng = np.random.default_rng(7)
    mag = rng.uniform(20, 24, 50)
    radius = rng.uniform(2, 5, 50)
    pool = np.arange(10, 50)
    groups, shifts, skipped = draw_groups(pool, mag, radius, 3000, n_sources=4, mag_diff=1.0, rng=rng)
    assert np.isin(groups, pool).all()
    assert all(len(set(g)) == 4 for g in groups.tolist())
    assert (np.abs(mag[groups[:, 1:]] - mag[groups[:, :1]]) < 1.0).all()
    assert (shifts[:, 0] == 0).all()
    rmin, rmax = shift_range(radius[groups[:, :1]], radius[groups[:, 1:]], 4.0, 64)
    d = np.hypot(shifts[:, 1:, 0], shifts[:, 1:, 1])
    assert ((rmin <= d) & (d <= rmax)).all()
    # every galaxy of the pool takes part, as the central galaxy and as a companion
    assert set(groups[:, 0]) == set(pool) and set(groups[:, 1:].ravel()) == set(pool)


def test_companions_uniform_among_candidates():
    mag = np.zeros(5)
    groups, _, _ = draw_groups(np.arange(5), mag, np.full(5, 3.0), 20000, n_sources=2, rng=np.random.default_rng(8))
    pairs, counts = np.unique(groups, axis=0, return_counts=True)
    assert len(pairs) == 20 and (pairs[:, 0] != pairs[:, 1]).all()
    assert counts.min() > 0.8 * 1000 and counts.max() < 1.2 * 1000


def test_groups_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(GalforgeValueError, match="mag_diff"):
        draw_groups(np.arange(3), np.array([20.0, 23.0, 26.0]), np.ones(3) * 3, 5, mag_diff=2.0, rng=rng)
    with pytest.raises(GalforgeValueError, match="no possible shift"):
        draw_groups(np.arange(3), np.zeros(3), np.full(3, 0.4), 5, rad_diff=1.5, rng=rng)


# ------------------------------------------------------------------------------------ produce

def centroid(image):
    y, x = np.mgrid[:image.shape[0], :image.shape[1]]
    return (image * y).sum() / image.sum(), (image * x).sum() / image.sum()


@pytest.mark.parametrize("subpixel", [False, True])
def test_shifts_recovered_from_centroids_and_blend_conserves_flux(subpixel):
    st = gaussian_stamps(n=30, size=48, neighbour=False)
    res = produce(st, n_blends=60, test_ratio=0.25, seed=1, subpixel=subpixel, rad_diff=3.0)
    cat, stamps, blends = res.train.catalogue, res.train.stamps, res.train.blends
    by_id = {int(i): k for k, i in enumerate(st.ids)}
    for n in range(len(res.train)):
        g1, g2 = by_id[int(cat["g1_id"][n])], by_id[int(cat["g2_id"][n])]
        np.testing.assert_array_equal(stamps[n, 0], st.images[g1])  # centred, untouched
        cy, cx = centroid(stamps[n, 1].astype(np.float64))
        oy, ox = centroid(st.images[g2].astype(np.float64))
        tol = 1e-3 if not subpixel else 2e-2
        assert cx - ox == pytest.approx(cat["shift_x"][n], abs=tol)  # x is the column shift
        assert cy - oy == pytest.approx(cat["shift_y"][n], abs=tol)
        assert cat["g2_x"][n] == pytest.approx(cx, abs=tol + abs(ox - 24)) and cat["g1_x"][n] == 24
        assert cat["distance"][n] == pytest.approx(math.hypot(cat["shift_x"][n], cat["shift_y"][n]))
        # flux conservation: the blend holds both galaxies' light
        blend = blends[n].astype(np.float64)
        total = st.images[g1].sum() + st.images[g2].sum()
        assert blend.sum() == pytest.approx(total, rel=2e-3)
        # the companion's segmap moved with it
        sy, sx = centroid(res.train.segmaps[n, 1].astype(float))
        assert sx - 24 == pytest.approx(cat["shift_x"][n], abs=0.6) and sy - 24 == pytest.approx(cat["shift_y"][n], abs=0.6)


def test_shift_image_integer_is_exact_and_subpixel_moves_centroid():
    rng = np.random.default_rng(3)
    img = rng.random((20, 30))
    out = shift_image(img, 3, -4)
    np.testing.assert_array_equal(out[3:, :26], img[:17, 4:])
    assert (out[:3] == 0).all() and (out[:, 26:] == 0).all()
    padded = np.pad(img, 10)
    np.testing.assert_array_equal(shift_image(padded, -2, 5)[10:30, 10:40],
                                  np.roll(np.roll(padded, 5, 1), -2, 0)[10:30, 10:40])
    y, x = np.mgrid[:40, :40]
    g = np.exp(-((x - 20) ** 2 + (y - 20) ** 2) / 8.0)
    moved = shift_image(g, 1.3, -2.7)
    cy, cx = centroid(moved)
    assert (cy - 20, cx - 20) == pytest.approx((1.3, -2.7), abs=2e-3)
    assert moved.sum() == pytest.approx(g.sum(), rel=1e-9)  # the weights sum to 1
    exact = np.exp(-((x - 17.3) ** 2 + (y - 21.3) ** 2) / 8.0)  # the Gaussian drawn at its new place
    assert np.abs(moved - exact).max() < 0.02
    ramp = 0.5 * x + 0.25 * y  # cubic convolution is exact for linear functions (away from the edges)
    np.testing.assert_allclose(shift_image(ramp, 0.4, 0.75)[3:-3, 3:-3], (0.5 * (x - 0.75) + 0.25 * (y - 0.4))[3:-3, 3:-3],
                               atol=1e-12)


def test_produce_candels_semantics(rendered):
    res = produce(rendered, n_blends=50, test_ratio=0.3, seed=42)
    assert list(res.train.catalogue)[:14] == CANDELS_HEADER
    assert len(res.train) == 50 - int(0.3 * 50) and len(res.test) == int(0.3 * 50)
    assert res.summary["n_test_galaxies"] == int(len(rendered) * 0.3)
    assert res.train.stamps.shape == (35, 2, 64, 64) and res.train.stamps.dtype == np.float32
    assert res.train.segmaps.shape == (35, 2, 64, 64) and res.train.segmaps.dtype == np.uint8
    by_id = {int(i): k for k, i in enumerate(rendered.ids)}
    for split in (res.train, res.test):
        cat = split.catalogue
        assert (cat["g1_id"] != cat["g2_id"]).all()
        assert (np.abs(cat["g1_mag"] - cat["g2_mag"]) < 2.0).all()
        for n in range(len(split)):
            g1 = by_id[int(cat["g1_id"][n])]
            # channel 0 of the segmaps: the central source of g1, undilated
            np.testing.assert_array_equal(split.segmaps[n, 0], rendered.segmaps[g1] == rendered.segmaps[g1, 32, 32])
            # outside the dilated neighbours, g1's stamp is its original stamp
            seg = rendered.segmaps[g1]
            keep = ~ndimage.binary_dilation((seg > 0) & (seg != seg[32, 32]), iterations=5)
            np.testing.assert_array_equal(split.stamps[n, 0][keep], rendered.images[g1][keep])
            rmin, rmax = shift_range(rendered.radius[g1], rendered.radius[by_id[int(cat["g2_id"][n])]], 4.0, 32)
            assert rmin <= cat["distance"][n] <= rmax
            assert float(cat["shift_x"][n]).is_integer() and float(cat["shift_y"][n]).is_integer()


def test_train_and_test_share_no_galaxy(rendered):
    res = produce(rendered, n_blends=200, test_ratio=0.5, seed=9, mag_diff=3.0, n_sources=3)
    ids = {s: set(np.concatenate([getattr(res, s).catalogue[f"g{k}_id"] for k in (1, 2, 3)]).tolist())
           for s in ("train", "test")}
    assert ids["train"] and ids["test"] and not ids["train"] & ids["test"]
    assert len(ids["test"]) <= res.summary["n_test_galaxies"]


def test_same_seed_same_bytes(rendered):
    kw = dict(n_blends=40, seed=11, noise_factor=1.0, subpixel=True, n_sources=3)
    a, b = produce(rendered, **kw), produce(rendered, **kw)
    c = produce(rendered, **{**kw, "seed": 12})
    for s in ("train", "test"):
        assert a[s].stamps.tobytes() == b[s].stamps.tobytes()
        assert a[s].segmaps.tobytes() == b[s].segmaps.tobytes()
        for k in a[s].catalogue:
            np.testing.assert_array_equal(a[s].catalogue[k], b[s].catalogue[k])
    assert a.train.stamps.tobytes() != c.train.stamps.tobytes()
    g = np.random.default_rng(11)
    np.testing.assert_array_equal(produce(rendered, **{**kw, "seed": g}).train.stamps, a.train.stamps)


def test_cuts_and_excluded_types():
    st = gaussian_stamps(n=40)
    res = produce(st, n_blends=30, mag_low=20.3, mag_high=21.7, excluded_types=("sph", "irr"), seed=2, test_ratio=0.2)
    keep = (st.mag > 20.3) & (st.mag < 21.7) & ~np.isin(st.galtype, ["sph", "irr"])
    assert res.summary["n_after_cuts"] == keep.sum()
    for s in ("train", "test"):
        cat = res[s].catalogue
        for k in (1, 2):
            assert set(cat[f"g{k}_type"]) <= {"disk", "sphd"}
            assert ((cat[f"g{k}_mag"] > 20.3) & (cat[f"g{k}_mag"] < 21.7)).all()


def test_blendedness_and_snr(rendered):
    res = produce(rendered, n_blends=20, seed=4, test_ratio=0.0)
    cat, stamps, segs = res.train.catalogue, res.train.stamps.astype(np.float64), res.train.segmaps
    assert res.test is None
    for n in range(20):
        s = [np.clip(stamps[n, k], 0, None) * segs[n, k] for k in (0, 1)]
        for k in (0, 1):
            expected = 1 - (s[k] ** 2).sum() / (s[k] * (s[0] + s[1])).sum()
            assert cat[f"g{k + 1}_blendedness"][n] == pytest.approx(expected, rel=1e-4, abs=1e-6)
            if not (segs[n, 0] & segs[n, 1]).any():
                assert cat[f"g{k + 1}_blendedness"][n] == pytest.approx(0.0, abs=1e-6)
        # snr: flux in the segmap over the noise of that many pixels (the stamp's background sigma)
        g1 = int(np.flatnonzero(rendered.ids == cat["g1_id"][n])[0])
        m = NeighbourMasks(rendered.images[g1:g1 + 1], rendered.segmaps[g1:g1 + 1])
        flux = stamps[n, 0][segs[n, 0] > 0].sum()
        assert cat["g1_snr"][n] == pytest.approx(flux / (m.sigma[0] * math.sqrt(segs[n, 0].sum())), rel=1e-4)


def test_produce_bad_input(rendered):
    st = gaussian_stamps(n=10)
    with pytest.raises(GalforgeValueError, match="no galaxy is left"):
        produce(st, mag_high=10.0)
    with pytest.raises(GalforgeValueError, match="test split holds no galaxy"):
        produce(st, n_blends=100, test_ratio=0.05)
    with pytest.raises(GalforgeValueError, match="mag_diff"):
        produce(st, mag_diff=0.0)
    with pytest.raises(GalforgeValueError, match="n_sources"):
        produce(st, n_sources=1)
    with pytest.raises(GalforgeValueError, match="test_ratio"):
        produce(st, test_ratio=1.5)
    with pytest.raises(GalforgeValueError, match="no possible shift"):
        produce(st, rad_diff=0.1)
    with pytest.raises(GalforgeValueError, match="StampSet"):
        produce(st.images)
    with pytest.raises(GalforgeValueError, match="shape"):
        StampSet(np.zeros((2, 8, 8)), np.ones((2, 8, 9)), [1, 2], [20, 21], [2, 2], ["disk", "sph"])
    with pytest.raises(GalforgeValueError, match="central"):
        StampSet(np.zeros((2, 8, 8)), np.zeros((2, 8, 8)), [1, 2], [20, 21], [2, 2], ["disk", "sph"])
    with pytest.raises(GalforgeValueError, match="radius"):
        StampSet(np.zeros((2, 8, 8)), np.ones((2, 8, 8)), [1, 2], [20, 21], [2, -1], ["disk", "sph"])
    with pytest.raises(GalforgeValueError, match="non-finite"):
        StampSet(np.full((2, 8, 8), np.nan), np.ones((2, 8, 8)), [1, 2], [20, 21], [2, 2], ["disk", "sph"])
    with pytest.raises(GalforgeValueError, match="one value per stamp"):
        StampSet(np.zeros((2, 8, 8)), np.ones((2, 8, 8)), [1, 2, 3], [20, 21], [2, 2], ["disk", "sph"])


# ------------------------------------------------------------------------------------ rendered stamps

def test_synthetic_stamps_flux_radius_and_segmaps():
    st = synthetic_stamps(12, size=96, seed=5, neighbours=0.0, sky_sigma=1e-6, gain=1e12, mag_range=(20, 21))
    c = 48
    y, x = np.mgrid[:96, :96]
    r = np.hypot(y - c, x - c)
    for i in range(len(st)):
        img = st.images[i].astype(np.float64)
        flux = 10 ** (-0.4 * (st.mag[i] - 25.96))
        assert img.sum() == pytest.approx(flux, rel=0.05)  # light outside the frame: a few per cent at most
        # half of the frame's light within `radius` (pixelised circle: +-1 px in radius)
        inner = img[r <= st.radius[i] - 1].sum() / img.sum()
        outer = img[r <= st.radius[i] + 1].sum() / img.sum()
        assert inner < 0.5 < outer
        assert st.segmaps[i, c, c] > 0
    again = synthetic_stamps(12, size=96, seed=5, neighbours=0.0, sky_sigma=1e-6, gain=1e12, mag_range=(20, 21))
    assert again.images.tobytes() == st.images.tobytes()
    with pytest.raises(GalforgeValueError, match="mag_range"):
        synthetic_stamps(2, mag_range=(25, 20))
    with pytest.raises(GalforgeValueError, match="size"):
        synthetic_stamps(2, size=8)


def test_synthetic_neighbours_are_segmented_and_masked(rendered):
    labels = [np.unique(s[s > 0]).size for s in rendered.segmaps]
    assert max(labels) >= 2
    m = NeighbourMasks(rendered.images, rendered.segmaps)
    has = np.array(labels) >= 2
    assert m.neighbours[has].any(axis=(1, 2)).all()
    # the noise estimate from the background equals the rendered sky noise (0.005) within 10 %
    assert np.median(m.sigma) == pytest.approx(0.005, rel=0.1)


def test_cross_dilation_equals_scipy_on_random_stacks():
    from galforge.blend import cross_dilation

    rng = np.random.default_rng(12)
    masks = rng.random((6, 33, 47)) < 0.02
    masks[0, 0, :] = True  # a source along the border
    for it in (0, 1, 3, 5):
        expected = np.stack([ndimage.binary_dilation(m, iterations=it) if it else m for m in masks])
        np.testing.assert_array_equal(cross_dilation(masks, it), expected)

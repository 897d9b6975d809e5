"""Windows from segmentation maps (AstroPhot's semantics, full bounding boxes) and initial guesses."""
import math

import numpy as np
import pytest

import galforge as gf


def test_windows_are_the_bounding_boxes_of_each_segment():
    rng = np.random.default_rng(0)
    seg = np.zeros((40, 50), dtype=int)
    seg[3:9, 10:21] = 1
    seg[20:38, 2:5] = 7
    seg[rng.integers(0, 40, 5), rng.integers(0, 50, 5)] = 3
    windows = gf.windows_from_segmentation(seg)
    assert set(windows) == {1, 3, 7}
    for key, (y0, y1, x0, x1) in windows.items():
        ys, xs = np.nonzero(seg == key)
        assert (y0, y1, x0, x1) == (ys.min(), ys.max() + 1, xs.min(), xs.max() + 1)
        assert (seg[y0:y1, x0:x1] == key).sum() == (seg == key).sum()


def test_scale_windows_grows_about_the_centre_and_clips():
    windows = {1: (10, 20, 30, 36), 2: (0, 4, 0, 4)}
    out = gf.scale_windows(windows, (50, 40), expand_scale=2.0, expand_border=1)
    # centre (15, 33), half sizes 2 * 10 / 2 + 1 = 11 and 2 * 6 / 2 + 1 = 7
    assert out[1] == (4, 26, 26, 40)
    assert out[2] == (0, 7, 0, 7)  # centre 2, half size 5: clipped below at 0


def test_filter_windows_applies_every_criterion():
    image = np.ones((50, 50))
    windows = {1: (0, 5, 0, 5), 2: (0, 10, 0, 30), 3: (10, 40, 10, 40)}
    assert set(gf.filter_windows(windows, min_size=6)) == {2, 3}
    assert set(gf.filter_windows(windows, max_size=29)) == {1}
    assert set(gf.filter_windows(windows, min_area=100, max_area=500)) == {2}
    assert set(gf.filter_windows(windows, min_flux=26, max_flux=800, image=image)) == {2}
    with pytest.raises(ValueError, match="need the image"):
        gf.filter_windows(windows, min_flux=1)


def test_initial_guess_recovers_the_geometry_of_a_galaxy():
    truth = dict(x0=40.3, y0=35.6, ie=1.0, r_e=6.0, n=1.0, q=0.55, pa=0.6)
    image = gf.render_sersic((80, 90), **truth) + 0.2
    guess = gf.initial_guess(image, window=(5, 70, 5, 80), sky=0.2)
    assert guess.x0 == pytest.approx(truth["x0"], abs=0.05)
    assert guess.y0 == pytest.approx(truth["y0"], abs=0.05)
    assert guess.pa == pytest.approx(truth["pa"], abs=0.02)
    assert guess.q == pytest.approx(truth["q"], abs=0.05)
    assert guess.r_e == pytest.approx(truth["r_e"], rel=0.15)
    assert guess.total_flux() == pytest.approx(image[5:70, 5:80].sum() - 0.2 * 65 * 75, rel=1e-9)
    assert guess.window == (5, 70, 5, 80)


def test_initial_guess_without_light_is_a_clear_error():
    with pytest.raises(ValueError, match="no light above the sky"):
        gf.initial_guess(np.zeros((20, 20)))
    assert math.isfinite(gf.initial_guess(np.pad(np.ones((3, 3)), 5)).r_e)


def test_scaled_windows_keep_at_least_one_pixel():
    out = gf.scale_windows({1: (5, 6, 7, 8)}, (20, 20), expand_scale=0.1)
    y0, y1, x0, x1 = out[1]
    assert y1 - y0 >= 1 and x1 - x0 >= 1

"""The galforge console script: the demo's products checked against the analytic model flux."""
import subprocess
import sys

import numpy as np
import pytest

import galforge as gf
from galforge import cli, io


def test_demo_writes_fits_and_png_whose_flux_matches_the_components(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path), "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    for name in ("model.fits", "image.fits", "sigma.fits", "psf.fits", "demo.png"):
        assert (tmp_path / name).exists() and str(tmp_path / name) in printed
    model = io.read_model(tmp_path / "model.fits")
    image = io.read_image(tmp_path / "model.fits")
    sky = sum(c.level * image.size for c in model.components if isinstance(c, gf.Sky))
    galaxies = [c for c in model.components if isinstance(c, gf.Sersic)]
    assert len(galaxies) == 3 and any(c.c != 2 for c in galaxies)  # bulge, disk and a boxy bar
    analytic = sum(c.total_flux() for c in galaxies)
    # All but the light beyond the frame: within 1 % of the analytic total, and never above it.
    assert 0.99 * analytic < image.sum() - sky <= analytic * (1 + 1e-6)
    noisy, sigma = io.read_image(tmp_path / "image.fits"), io.read_image(tmp_path / "sigma.fits")
    pulls = (noisy - image) / sigma
    assert abs(pulls.mean()) < 0.05 and pulls.std() == pytest.approx(1.0, abs=0.05)
    # The same seed gives the same noisy image.
    cli.main(["demo", "--out", str(tmp_path / "again"), "--seed", "3", "--no-png"])
    np.testing.assert_array_equal(io.read_image(tmp_path / "again" / "image.fits"), noisy)


def test_help_and_bad_arguments():
    run = [sys.executable, "-m", "galforge"]
    done = subprocess.run(run + ["demo", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--seed" in done.stdout
    bad = subprocess.run(run + ["demo", "--size", "3"], capture_output=True, text=True)
    assert bad.returncode != 0 and "size" in bad.stderr
    nothing = subprocess.run(run, capture_output=True, text=True)
    assert nothing.returncode != 0 and "command" in nothing.stderr

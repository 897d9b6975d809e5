"""FITS input/output: round trips through astropy, headers, and clear errors."""
import numpy as np
import pytest
from astropy.io import fits

import galforge as gf
from galforge import io


def test_image_round_trip_and_header(tmp_path):
    image = np.random.default_rng(0).normal(size=(17, 23))
    path = tmp_path / "image.fits"
    io.write_image(path, image, header={"OBJECT": "test", "GAIN": (2.5, "e-/ADU")})
    back, header = io.read_image(path, header=True)
    np.testing.assert_array_equal(back, image)
    assert back.dtype == np.float64 and back.flags.c_contiguous
    assert header["OBJECT"] == "test" and header["GAIN"] == 2.5
    # Files written by astropy directly (int data, a leading length-1 axis) read as float64 2-d.
    fits.PrimaryHDU(np.arange(12, dtype=np.int16).reshape(1, 3, 4)).writeto(tmp_path / "int.fits")
    np.testing.assert_array_equal(io.read_image(tmp_path / "int.fits"), np.arange(12.0).reshape(3, 4))
    with pytest.raises(OSError):
        io.write_image(path, image)  # no overwrite by default
    io.write_image(path, 2 * image, overwrite=True)
    np.testing.assert_array_equal(io.read_image(path), 2 * image)


def test_model_round_trip(tmp_path):
    psf = gf.psf.moffat(size=11, fwhm=2.5, beta=3.0)
    model = gf.Model((40, 50), [gf.Sersic(20.3, 19.7, 2.0, 4.0, 2.5, 0.7, 0.4, c=2.5, bn="cb99"),
                                gf.Sky(level=0.1, dx=0.01), gf.PointSource(10.0, 30.0, 5.0)],
                     psf=psf, oversample=3)
    path = tmp_path / "model.fits"
    io.write_model(path, model)
    back = io.read_model(path)
    assert back.shape == model.shape and back.oversample == 3 and back.extend
    assert [c.to_dict() for c in back.components] == [c.to_dict() for c in model.components]
    np.testing.assert_array_equal(back.psf, model.psf)
    np.testing.assert_array_equal(back.render(), model.render())
    np.testing.assert_array_equal(io.read_image(path), model.render())  # the primary HDU is the image


def test_bad_files_raise_value_errors_naming_them(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        io.read_image(tmp_path / "missing.fits")
    (tmp_path / "text.fits").write_text("not fits")
    with pytest.raises(ValueError, match="text.fits"):
        io.read_image(tmp_path / "text.fits")
    table = fits.BinTableHDU.from_columns([fits.Column(name="a", format="D", array=np.arange(3.0))])
    fits.HDUList([fits.PrimaryHDU(), table]).writeto(tmp_path / "table.fits")
    with pytest.raises(ValueError, match="not an image"):
        io.read_image(tmp_path / "table.fits", hdu=1)
    with pytest.raises(ValueError, match="no data"):
        io.read_image(tmp_path / "table.fits", hdu=0)
    with pytest.raises(ValueError, match="no HDU"):
        io.read_image(tmp_path / "table.fits", hdu=5)
    with pytest.raises(ValueError, match="COMPONENTS"):
        io.read_model(tmp_path / "table.fits")
    fits.PrimaryHDU(np.zeros((2, 3, 4))).writeto(tmp_path / "cube.fits")
    with pytest.raises(ValueError, match="2-d"):
        io.read_image(tmp_path / "cube.fits")

"""FITS input/output: images and models round-trip; errors name the file and the HDU."""
import numpy as np
import pytest
from astropy.io import fits

import galforge as gf
from galforge import io as gio


def _image(shape=(17, 23), seed=1):
    return np.random.default_rng(seed).normal(size=shape) * 1e3


# ---------------------------------------------------------------------------- images

def test_image_round_trip_exact(tmp_path):
    image = _image()
    path = tmp_path / "a.fits"
    gio.write_image(path, image)
    back = gio.read_image(path)
    assert back.dtype == np.float64 and back.dtype.isnative
    assert back.flags.c_contiguous
    assert back.shape == image.shape
    np.testing.assert_array_equal(back, image)
    # astropy reads the same bytes: row i of the array is FITS row i (NAXIS1 = nx)
    with fits.open(path) as hdul:
        assert hdul[0].header["NAXIS1"] == image.shape[1]
        assert hdul[0].header["NAXIS2"] == image.shape[0]
        np.testing.assert_array_equal(hdul[0].data, image)


def test_image_conversions_at_the_boundary(tmp_path):
    # float32 and a transposed (non-contiguous) view are written as float64 with their values kept
    image = _image((9, 12)).astype(np.float32).T
    path = tmp_path / "b.fits"
    gio.write_image(path, image)
    with fits.open(path) as hdul:
        assert hdul[0].header["BITPIX"] == -64
    back = gio.read_image(str(path))
    np.testing.assert_array_equal(back, image.astype(np.float64))
    assert back.shape == (12, 9)


def test_image_nan_kept(tmp_path):
    image = _image((5, 6))
    image[2, 3] = np.nan
    gio.write_image(tmp_path / "nan.fits", image)
    back = gio.read_image(tmp_path / "nan.fits")
    assert np.isnan(back[2, 3]) and np.isfinite(back).sum() == image.size - 1


def test_read_scaled_integer_image_and_extension(tmp_path):
    raw = np.arange(12, dtype=np.int16).reshape(3, 4)
    ext = fits.ImageHDU(data=raw, name="SCI")
    ext.header["BSCALE"] = 0.5
    ext.header["BZERO"] = 100.0
    path = tmp_path / "scaled.fits"
    fits.HDUList([fits.PrimaryHDU(), ext]).writeto(path)
    expected = 100.0 + 0.5 * raw
    np.testing.assert_array_equal(gio.read_image(path, hdu=1), expected)
    np.testing.assert_array_equal(gio.read_image(path, hdu="SCI"), expected)


def test_header_written_and_read(tmp_path):
    path = tmp_path / "h.fits"
    gio.write_image(path, _image((4, 4)), header={"OBJECT": "NGC 1300", "EXPTIME": (30.5, "seconds"), "NCOMBINE": 3})
    with fits.open(path) as hdul:
        hdr = hdul[0].header
        assert hdr["OBJECT"] == "NGC 1300"
        assert hdr["EXPTIME"] == 30.5 and hdr.comments["EXPTIME"] == "seconds"
        assert hdr["NCOMBINE"] == 3
    image, hdr = gio.read_image(path, header=True)
    assert image.shape == (4, 4)
    assert hdr["OBJECT"] == "NGC 1300" and hdr["EXPTIME"] == 30.5

    header = fits.Header()
    header["GAIN"] = (2.5, "e-/ADU")
    gio.write_image(tmp_path / "h2.fits", _image((3, 3)), header=header)
    assert fits.getheader(tmp_path / "h2.fits")["GAIN"] == 2.5


def test_bad_header_raises(tmp_path):
    with pytest.raises(ValueError, match="header"):
        gio.write_image(tmp_path / "x.fits", _image((3, 3)), header={"OBJECT": object()})


def test_overwrite(tmp_path):
    path = tmp_path / "o.fits"
    gio.write_image(path, np.zeros((3, 3)))
    with pytest.raises(OSError):
        gio.write_image(path, np.ones((3, 3)))
    np.testing.assert_array_equal(gio.read_image(path), np.zeros((3, 3)))
    gio.write_image(path, np.ones((3, 3)), overwrite=True)
    np.testing.assert_array_equal(gio.read_image(path), np.ones((3, 3)))


def test_write_rejects_non_2d(tmp_path):
    with pytest.raises(ValueError, match="2-d"):
        gio.write_image(tmp_path / "x.fits", np.zeros((2, 3, 4)))
    assert not (tmp_path / "x.fits").exists()


def test_degenerate_leading_axes_dropped(tmp_path):
    cube = _image((6, 7))[None, None]
    fits.PrimaryHDU(data=cube).writeto(tmp_path / "c.fits")
    np.testing.assert_array_equal(gio.read_image(tmp_path / "c.fits"), cube[0, 0])


def test_missing_file_raises_value_error(tmp_path):
    path = tmp_path / "nope.fits"
    with pytest.raises(ValueError, match="nope.fits"):
        gio.read_image(path)
    with pytest.raises(FileNotFoundError):  # also a FileNotFoundError
        gio.read_image(path)
    with pytest.raises(ValueError, match="nope.fits"):
        gio.read_model(path)


def test_not_fits_and_directory_raise(tmp_path):
    (tmp_path / "notes.txt").write_text("not a FITS file\n" * 200)
    with pytest.raises(ValueError, match="notes.txt.*FITS"):
        gio.read_image(tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="directory"):
        gio.read_image(tmp_path)


def test_non_image_hdus_raise(tmp_path):
    table = fits.BinTableHDU.from_columns([fits.Column(name="a", format="D", array=np.arange(3.0))], name="TAB")
    cube = fits.ImageHDU(data=np.zeros((2, 3, 4)), name="CUBE")
    line = fits.ImageHDU(data=np.zeros(5), name="LINE")
    path = tmp_path / "multi.fits"
    fits.HDUList([fits.PrimaryHDU(), table, cube, line]).writeto(path)
    with pytest.raises(ValueError, match=r"multi\.fits.*HDU 0.*no data"):
        gio.read_image(path)
    with pytest.raises(ValueError, match=r"multi\.fits.*HDU 1 is a BinTableHDU, not an image"):
        gio.read_image(path, hdu=1)
    with pytest.raises(ValueError, match=r"HDU 'TAB' is a BinTableHDU"):
        gio.read_image(path, hdu="TAB")
    with pytest.raises(ValueError, match=r"HDU 'CUBE' has shape \(2, 3, 4\)"):
        gio.read_image(path, hdu="CUBE")
    with pytest.raises(ValueError, match=r"HDU 3 has shape \(5,\)"):
        gio.read_image(path, hdu=3)
    with pytest.raises(ValueError, match=r"no HDU 7 \(HDUs: 0:PRIMARY, 1:TAB, 2:CUBE, 3:LINE\)"):
        gio.read_image(path, hdu=7)
    with pytest.raises(ValueError, match=r"no HDU 'SCI'"):
        gio.read_image(path, hdu="SCI")


# ---------------------------------------------------------------------------- models

def _full_model():
    psf = gf.psf.gaussian(size=11, fwhm=2.5, normalize=False) * 7.0  # the model normalises it
    comps = [gf.Sersic(x0=20.3, y0=18.7, ie=1.5, r_e=6.0, n=2.5, q=0.7, pa=0.4, c=2.5, bn="cb99"),
             gf.Sersic(x0=21.0, y0=19.0, ie=0.2, r_e=11.0, n=1.0, q=0.5, pa=-1.0),
             gf.Sky(level=0.1, dx=0.001, dy=-0.002, x_ref=20.0, y_ref=15.0),
             gf.PointSource(x0=30.25, y0=9.5, flux=40.0)]
    return gf.Model((36, 41), comps, psf=psf, oversample=3, tolerance=1e-5, extend=False)


def test_model_round_trip(tmp_path):
    model = _full_model()
    path = tmp_path / "model.fits"
    gio.write_model(path, model)
    back = gio.read_model(path)
    assert back.to_dict() == model.to_dict()
    assert back.components[0].bn == "cb99" and back.components[1].bn == "exact"
    assert [type(c) for c in back.components] == [gf.Sersic, gf.Sersic, gf.Sky, gf.PointSource]
    np.testing.assert_array_equal(back.psf, model.psf)
    assert back.psf.sum() == pytest.approx(1.0, rel=1e-14)
    np.testing.assert_array_equal(back.render(), model.render())
    # the primary HDU is the rendered model
    np.testing.assert_array_equal(gio.read_image(path), model.render())


def test_model_file_content_read_with_astropy(tmp_path):
    model = _full_model()
    path = tmp_path / "model.fits"
    gio.write_model(path, model)
    with fits.open(path) as hdul:
        assert [h.name for h in hdul] == ["PRIMARY", "COMPONENTS", "PSF"]
        hdr = hdul["COMPONENTS"].header
        assert (hdr["MODEL_NY"], hdr["MODEL_NX"]) == (36, 41)
        assert hdr["OVERSAMP"] == 3 and hdr["TOLERANC"] == 1e-5 and hdr["MEXTEND"] is False
        assert hdr["NCOMP"] == 4
        table = hdul["COMPONENTS"].data
        assert list(table["kind"]) == ["sersic", "sersic", "sky", "point"]
        assert table["r_e"][0] == 6.0 and table["n"][0] == 2.5 and table["c"][0] == 2.5
        assert table["pa"][1] == -1.0
        assert list(table["bn"]) == ["cb99", "exact", "", ""]
        assert table["level"][2] == 0.1 and table["y_ref"][2] == 15.0
        assert table["flux"][3] == 40.0 and table["x0"][3] == 30.25
        assert np.isnan(table["level"][0]) and np.isnan(table["r_e"][2])  # absent parameters
        psf = gf.psf.gaussian(size=11, fwhm=2.5)
        np.testing.assert_allclose(hdul["PSF"].data, psf, rtol=1e-13, atol=0)


def test_model_without_psf_adaptive(tmp_path):
    model = gf.Model((30, 25), [gf.Sersic(x0=12, y0=14, ie=1.0, r_e=4.0, n=1.5, q=0.8, pa=0.2)])
    path = tmp_path / "m.fits"
    gio.write_model(path, model)
    with fits.open(path) as hdul:
        assert [h.name for h in hdul] == ["PRIMARY", "COMPONENTS"]
        assert hdul["COMPONENTS"].header["OVERSAMP"] == 0
    back = gio.read_model(path)
    assert back.psf is None and back.oversample is None and back.extend is True
    assert back.to_dict() == model.to_dict()
    np.testing.assert_array_equal(back.render(), model.render())


def test_model_without_components(tmp_path):
    model = gf.Model((8, 9), [])
    gio.write_model(tmp_path / "e.fits", model)
    back = gio.read_model(tmp_path / "e.fits")
    assert back.components == [] and back.shape == (8, 9)
    np.testing.assert_array_equal(gio.read_image(tmp_path / "e.fits"), np.zeros((8, 9)))


def test_write_model_with_given_image(tmp_path):
    model = _full_model()
    data = _image(model.shape)
    gio.write_model(tmp_path / "d.fits", model, image=data)
    np.testing.assert_array_equal(gio.read_image(tmp_path / "d.fits"), data)
    with pytest.raises(ValueError, match="shape"):
        gio.write_model(tmp_path / "w.fits", model, image=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="galforge.Model"):
        gio.write_model(tmp_path / "w.fits", model.to_dict())
    with pytest.raises(OSError):
        gio.write_model(tmp_path / "d.fits", model)  # exists, no overwrite
    gio.write_model(tmp_path / "d.fits", model, overwrite=True)
    np.testing.assert_array_equal(gio.read_image(tmp_path / "d.fits"), model.render())


def test_read_model_rejects_other_files(tmp_path):
    gio.write_image(tmp_path / "plain.fits", np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"plain\.fits.*COMPONENTS"):
        gio.read_model(tmp_path / "plain.fits")

    model = gf.Model((10, 10), [gf.Sky(level=1.0)])
    gio.write_model(tmp_path / "m.fits", model)
    with fits.open(tmp_path / "m.fits") as hdul:
        del hdul["COMPONENTS"].header["MODEL_NX"]
        hdul.writeto(tmp_path / "broken.fits")
    with pytest.raises(ValueError, match="MODEL_NX"):
        gio.read_model(tmp_path / "broken.fits")

    with fits.open(tmp_path / "m.fits") as hdul:
        hdul["COMPONENTS"].data["kind"][0] = "box"
        hdul.writeto(tmp_path / "badkind.fits")
    with pytest.raises(ValueError, match=r"row 0.*'box'"):
        gio.read_model(tmp_path / "badkind.fits")

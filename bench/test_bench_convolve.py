"""256x256 image convolved with a 25x25 PSF: galforge (cached PSF transform) vs scipy and astropy."""
import numpy as np
import pytest
import scipy.fft
from scipy import signal

import galforge as gf

astropy_convolution = pytest.importorskip("astropy.convolution")

RNG = np.random.default_rng(0)
IMAGE = RNG.random((256, 256))
PSF = gf.psf.moffat(size=25, fwhm=3.0, beta=3.5)
CONVOLVER = gf.Convolver(PSF, IMAGE.shape)
OUT = np.empty_like(IMAGE)
EXPECTED = signal.fftconvolve(IMAGE, PSF, mode="same")


def scipy_cached():
    """scipy.fft with the PSF's transform computed once, same padding and crop as fftconvolve."""
    shape = [scipy.fft.next_fast_len(s + k - 1, real=True) for s, k in zip(IMAGE.shape, PSF.shape)]
    psf_hat = scipy.fft.rfft2(PSF, shape)
    sy, sx = (PSF.shape[0] - 1) // 2, (PSF.shape[1] - 1) // 2

    def run():
        full = scipy.fft.irfft2(scipy.fft.rfft2(IMAGE, shape) * psf_hat, shape)
        return full[sy:sy + IMAGE.shape[0], sx:sx + IMAGE.shape[1]]
    return run


RUNS = {
    "galforge-cached": lambda: CONVOLVER(IMAGE, out=OUT),
    "galforge-oneoff": lambda: gf.convolve(IMAGE, PSF),
    "scipy-fftconvolve": lambda: signal.fftconvolve(IMAGE, PSF, mode="same"),
    "scipy-fft-cached": scipy_cached(),
    "astropy-convolve_fft": lambda: astropy_convolution.convolve_fft(IMAGE, PSF, boundary="fill", normalize_kernel=False),
}


@pytest.mark.parametrize("code", RUNS)
def test_convolve_256(benchmark, code):
    benchmark.group = "convolve-256-psf25"
    result = benchmark(RUNS[code])
    benchmark.extra_info["max_rel_error"] = float(np.abs(result - EXPECTED).max() / EXPECTED.max())

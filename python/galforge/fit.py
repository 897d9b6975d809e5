"""Fitting a model to an image: the C++ Levenberg-Marquardt solver with analytic Jacobians.

chi2 = sum over unmasked pixels of ((data - model) / sigma)^2. ``mask`` is True where a pixel is
bad (ignored), as in numpy.ma and AstroPhot. The covariance of the free parameters is the inverse
of J^T W J at the optimum (W = 1 / sigma^2); without ``sigma`` every pixel has unit weight and the
covariance is scaled by chi2 / ndf, as ``scipy.optimize.curve_fit`` does without ``absolute_sigma``.

Gaussian priors (``priors={(component, parameter): (mean, sigma)}``, component a label or an index)
add sum ((p - mean) / sigma)^2 to the minimised objective, as Galaxy Builder's fit of the volunteers'
model did; the covariance is then the posterior one, ``chi2`` stays the data's and ``prior_chi2`` is
the prior term at the optimum. A component with a prior on q or pa is fitted in (q, pa) directly.
"""
import math

import numpy as np

from . import _core
from ._checks import finite, image2d, positive_int
from .errors import GalforgeValueError
from .model import Model

METHODS = ("lm", "iterative")
LAMBDA0 = 0.1
_STATUS_NAMES = {0: "max_iter", 1: "ftol", 2: "xtol", 3: "gtol", -1: "no_progress", -2: "singular"}


def _first_bad(bad):
    """The index of the first True pixel of ``bad``."""
    return tuple(int(i) for i in np.argwhere(bad)[0])


def _weights(data, sigma, mask):
    """Validated (data with masked pixels zeroed, weight image 1 / sigma^2 (0 where masked), good pixels)."""
    data = image2d("data", data, allow_nonfinite=True)
    good = np.ones(data.shape, dtype=bool)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != data.shape:
            raise GalforgeValueError(f"mask shape {mask.shape} differs from the data shape {data.shape}")
        if mask.dtype != bool:
            raise GalforgeValueError(f"mask must be a boolean array (True = ignore), got dtype {mask.dtype}")
        good = ~mask
        if not good.any():
            raise GalforgeValueError("every pixel is masked: nothing to fit")
    if not np.isfinite(data[good]).all():
        index = _first_bad(good & ~np.isfinite(data))
        raise GalforgeValueError(f"data has a non-finite value {data[index]!r} at unmasked pixel {index}; "
                                 "mask it (mask=...) or fix it")
    if sigma is None:
        weight = np.ones(data.shape)
    elif np.ndim(sigma) == 0:
        level = float(sigma)
        if not (math.isfinite(level) and level > 0):
            raise GalforgeValueError(f"sigma = {sigma!r} is invalid: expected a finite value > 0")
        weight = np.full(data.shape, 1.0 / level ** 2)
    else:
        sigma = image2d("sigma", sigma, allow_nonfinite=True)
        if sigma.shape != data.shape:
            raise GalforgeValueError(f"sigma shape {sigma.shape} differs from the data shape {data.shape}")
        valid = np.isfinite(sigma) & (sigma > 0)
        if not valid[good].all():
            index = _first_bad(good & ~valid)
            raise GalforgeValueError(f"sigma = {sigma[index]!r} at unmasked pixel {index} is invalid: "
                                     "expected a finite value > 0")
        weight = np.ones(data.shape)
        np.divide(weight, sigma ** 2, out=weight, where=valid)
    if mask is not None:
        weight[~good] = 0.0
        data = np.where(good, data, 0.0)
    return data, weight, good


def _positive(name, value):
    value = finite(name, value)
    if not value > 0:
        raise GalforgeValueError(f"{name} = {value!r} is invalid: expected a finite number > 0")
    return value


def _labels(components):
    """A unique name per component: its ``name`` or kind + index."""
    labels = []
    for i, c in enumerate(components):
        label = c.name if c.name is not None else f"{c.kind}{i}"
        if label in labels:
            raise GalforgeValueError(f"two components are named {label!r}")
        labels.append(label)
    return labels


def _core_components(components, shape, check_bounds=True):
    """(components for the core, free mask, lower, upper, [(component index, parameter name)] per entry)."""
    specs, free, lower, upper, keys = [], [], [], [], []
    ny, nx = shape
    for i, c in enumerate(components):
        window = c.window if c.window is not None else (0, ny, 0, nx)
        if window[1] > ny or window[3] > nx:
            raise GalforgeValueError(f"window {window} of component {i} does not fit in the image of shape {shape}")
        values = [c.params[name] for name in c.fit_parameter_names]
        for name, value in zip(c.fit_parameter_names, values):
            low, high = c.bound(name)
            is_free = name not in c.fixed
            if check_bounds and is_free and not low <= value <= high:
                raise GalforgeValueError(f"component {i} ({c.kind}) starts at {name} = {value!r}, outside its "
                                         f"bounds ({low}, {high})")
            free.append(is_free)
            lower.append(low)
            upper.append(high)
            keys.append((i, name))
        kind = getattr(c, "core_kind", c.kind)  # Exponential, DeVaucouleurs: Sersics with n fixed
        specs.append((kind, values, tuple(window), getattr(c, "bn", "exact"), c.core_constants()))
    return specs, free, lower, upper, keys


def _core_options(model):
    if model.psf is None:
        for i, c in enumerate(model.components):
            if c.kind == "point":
                raise GalforgeValueError(f"component {i} is a PointSource, which draws the model's PSF: the model "
                                         "has no psf (Model(..., psf=...))")
    return dict(psf=model.psf, oversample=0 if model.oversample is None else model.oversample,
                tolerance=model.tolerance, threads=model.threads, extend=model.extend)


def _prior_vectors(priors, model, keys):
    """{(label or index, name): (mean, sigma)} -> (mean, sigma) per core parameter (sigma inf: none)."""
    if not priors:
        return [], []
    labels = _labels(model.components)
    mean, sigma = [0.0] * len(keys), [math.inf] * len(keys)
    position = {key: k for k, key in enumerate(keys)}
    for key, value in dict(priors).items():
        try:
            component, name = key
        except (TypeError, ValueError):
            raise GalforgeValueError(f"priors key {key!r} is invalid: expected (component label or index, "
                                     "parameter)") from None
        index = labels.index(component) if component in labels else component
        if not isinstance(index, int) or not 0 <= index < len(labels):
            raise GalforgeValueError(f"priors key {key!r} names no component: expected one of {labels} or an index")
        if (index, name) not in position:
            raise GalforgeValueError(f"priors key {key!r}: {labels[index]} has no fittable parameter {name!r}")
        if name in model.components[index].fixed:
            raise GalforgeValueError(f"priors key {key!r}: {labels[index]}.{name} is fixed; a prior needs a free "
                                     "parameter")
        try:
            m, s = (float(v) for v in value)
        except (TypeError, ValueError):
            raise GalforgeValueError(f"priors[{key!r}] = {value!r} is invalid: expected (mean, sigma)") from None
        if not (math.isfinite(m) and math.isfinite(s) and s > 0):
            raise GalforgeValueError(f"priors[{key!r}] = {value!r} is invalid: expected a finite mean and sigma > 0")
        mean[position[(index, name)]], sigma[position[(index, name)]] = m, s
    return mean, sigma


def _with_values(model, values):
    """A copy of ``model`` whose components take ``values`` ({(index, name): value}); a free pa with open
    bounds is wrapped to [0, pi) (the profile has period pi in pa)."""
    components = []
    for i, c in enumerate(model.components):
        changes = {name: v for (j, name), v in values.items() if j == i}
        if "pa" in changes and "pa" not in c.fixed and c.bound("pa") == (-math.inf, math.inf):
            changes["pa"] = changes["pa"] % math.pi
        components.append(c.copy(**changes))
    fitted = Model(model.shape, components, psf=model.psf, oversample=model.oversample, tolerance=model.tolerance,
                   extend=model.extend, normalize_psf=False, threads=model.threads)
    return fitted


class FitResult:
    """The outcome of ``galforge.fit``.

    values / errors: {component label: {parameter: value}} (errors 0 for fixed parameters);
    covariance: over the free parameters, in the order of ``free_parameters`` ("label.name");
    chi2, ndf, reduced_chi2 (= chi2 / ndf), n_iter, n_eval, status, message, success;
    log: per iteration (iteration, chi2 / ndf, lambda, accepted), as AstroPhot's verbose output;
    model: the fitted ``Model`` (the input model is left unchanged);
    prior_chi2: the priors' term sum ((p - mean) / sigma)^2 at the optimum (0 without priors; not in chi2).
    """

    def __init__(self, model, data, good, values, errors, covariance, free_parameters, chi2, ndf, n_iter, n_eval,
                 status, message, success, log, model_image, prior_chi2=0.0):
        self.model, self._data, self._good = model, data, good
        self.values, self.errors, self.covariance = values, errors, covariance
        self.free_parameters = free_parameters
        self.chi2, self.ndf = chi2, ndf
        self.reduced_chi2 = chi2 / ndf if ndf > 0 else math.nan
        self.n_iter, self.n_eval = n_iter, n_eval
        self.status, self.message, self.success = status, message, success
        self.log = log
        self._model_image = model_image
        self.prior_chi2 = prior_chi2

    def model_image(self):
        """The fitted model image (ny, nx)."""
        return self._model_image.copy()

    def residuals(self):
        """data - model, NaN where masked."""
        return np.where(self._good, self._data - self._model_image, np.nan)

    def summary(self):
        """A readable table of values +- errors and the fit statistics."""
        lines = [f"{'component':<14}{'parameter':<10}{'value':>16}{'error':>14}"]
        for label, params in self.values.items():
            for name, value in params.items():
                key = f"{label}.{name}"
                err = f"{self.errors[label][name]:>14.6g}" if key in self.free_parameters else f"{'(fixed)':>14}"
                lines.append(f"{label:<14}{name:<10}{value:>16.8g}{err}")
        lines.append(f"chi2 = {self.chi2:.8g}, ndf = {self.ndf}, chi2/ndf = {self.reduced_chi2:.6g}")
        lines.append(f"{self.status}: {self.message} ({self.n_iter} iterations, {self.n_eval} evaluations)")
        return "\n".join(lines)

    def plot(self, fig=None, cmap="viridis"):
        """Data, model and residual panels (needs matplotlib: pip install galforge[plot])."""
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError("FitResult.plot needs matplotlib: pip install 'galforge[plot]'") from None
        fig = fig or plt.figure(figsize=(12, 4))
        axes = fig.subplots(1, 3)
        data = np.where(self._good, self._data, np.nan)
        lo, hi = np.nanpercentile(data, [1, 99.5])
        res = self.residuals()
        span = np.nanpercentile(np.abs(res), 99) or 1.0
        for ax, image, title, kw in ((axes[0], data, "data", dict(vmin=lo, vmax=hi, cmap=cmap)),
                                     (axes[1], self._model_image, "model", dict(vmin=lo, vmax=hi, cmap=cmap)),
                                     (axes[2], res, "residual", dict(vmin=-span, vmax=span, cmap="RdBu_r"))):
            shown = ax.imshow(image, origin="lower", **kw)
            ax.set_title(title)
            fig.colorbar(shown, ax=ax, fraction=0.046)
        return fig


def fit(model, data, sigma=None, mask=None, method="lm", max_iter=None, verbose=False, ftol=1e-8, xtol=1e-10,
        gtol=1e-12, tolerance=1e-3, lambda0=LAMBDA0, priors=None):
    """Fit the free parameters of ``model`` to ``data``; returns a ``FitResult``.

    method: "lm" fits every free parameter jointly; "iterative" fits one component at a time (the
        others held), cycling until the relative chi2 change of a sweep stays below ``tolerance``
        twice, as AstroPhot's ``Iter``. max_iter: LM iterations (default 100), or sweeps for
        "iterative" (default 100, each component's LM capped at 15 iterations).
    ftol, xtol, gtol: LM convergence on the relative chi2 decrease (1e-8, as imfit), the relative step
        and the scaled gradient; lambda0: initial damping relative to diag(J^T W J).
    verbose: print one line per iteration (chi2 / ndf and the damping lambda).
    priors: {(component label or index, parameter): (mean, sigma)} Gaussian priors on free parameters.
    """
    if not isinstance(model, Model):
        raise GalforgeValueError(f"model must be a galforge.Model, got {type(model).__name__}")
    if method not in METHODS:
        raise GalforgeValueError(f"method = {method!r} is invalid: expected one of {METHODS}")
    data, weight, good = _weights(data, sigma, mask)
    if data.shape != model.shape:
        raise GalforgeValueError(f"data shape {data.shape} differs from the model shape {model.shape}")
    specs, free, lower, upper, keys = _core_components(model.components, model.shape)
    options = _core_options(model)
    prior_mean, prior_sigma = _prior_vectors(priors, model, keys)
    n_free = int(sum(free))
    ndf = int(good.sum()) - n_free
    if method == "lm":
        max_iter = 100 if max_iter is None else positive_int("max_iter", max_iter, minimum=0)
        out = _core.fit_lm(data, weight, specs, free=free, lower=lower, upper=upper, max_iter=max_iter, ftol=ftol,
                           xtol=xtol, gtol=gtol, lambda0=_positive("lambda0", lambda0), prior_mean=prior_mean,
                           prior_sigma=prior_sigma, **options)
        log = [(i, chi2 / max(ndf, 1), lam, accepted) for i, chi2, lam, accepted in out["log"]]
        prior_chi2 = out["prior_chi2"]
        params, chi2, hessian = out["params"], out["chi2"], np.asarray(out["hessian"]).reshape(n_free, n_free)
        n_iter, n_eval, message, success = out["n_iter"], out["n_eval"], out["message"], out["success"]
        status = _STATUS_NAMES[out["status"]]
        model_image = out["model"]
    else:
        max_iter = 100 if max_iter is None else positive_int("max_iter", max_iter)
        params, chi2, n_iter, n_eval, status, message, success, log = _iterate(
            model, data, weight, specs, free, lower, upper, options, max_iter, tolerance, ndf, verbose,
            prior_mean, prior_sigma)
        _, hessian, _ = _core.model_jacobian(data, weight, _specs_at(specs, params), free=free, **options)
        hessian = np.asarray(hessian).reshape(n_free, n_free)
        prior_chi2 = 0.0
        if prior_sigma:
            precision = np.array([1.0 / s ** 2 for s, f in zip(prior_sigma, free) if f])
            hessian += np.diag(precision)
            prior_chi2 = float(sum(((p - m) / s) ** 2 for p, m, s in zip(params, prior_mean, prior_sigma)
                                   if math.isfinite(s)))
        model_image = np.zeros(model.shape)
        _core.render_model(model_image, _specs_at(specs, params), **options)
    if verbose and method == "lm":
        for i, reduced, lam, accepted in log:
            print(f"Chi^2/DoF: {reduced:.6g}, L: {lam:.3g}{'' if accepted else ' (step rejected)'}")
        print(f"Final Chi^2/DoF: {chi2 / max(ndf, 1):.6g}. Converged: {message}")
    covariance = _covariance(hessian, chi2 / ndf if sigma is None and ndf > 0 else 1.0)
    labels = _labels(model.components)
    free_keys = [k for k, f in zip(keys, free) if f]
    fitted = _with_values(model, dict(zip(keys, params)))
    values = {label: {name: fitted.components[i].params[name] for name in c.fit_parameter_names}
              for i, (label, c) in enumerate(zip(labels, model.components))}
    errors = {label: {name: 0.0 for name in c.fit_parameter_names} for label, c in zip(labels, model.components)}
    for k, (i, name) in enumerate(free_keys):
        errors[labels[i]][name] = math.sqrt(covariance[k, k]) if covariance[k, k] >= 0 else math.nan
    return FitResult(fitted, data, good, values, errors, covariance, [f"{labels[i]}.{n}" for i, n in free_keys],
                     chi2, ndf, n_iter, n_eval, status, message, success, log, model_image, prior_chi2)


def _covariance(hessian, scale):
    """scale * inverse of the free-parameter J^T W J. Parameters the data do not constrain (a zero
    diagonal, or a share of a null direction of the diagonally scaled matrix) get an infinite variance."""
    n = hessian.shape[0]
    if n == 0:
        return np.zeros((0, 0))
    diag = np.diag(hessian).copy()
    live = diag > 0
    covariance = np.full((n, n), np.nan)
    np.fill_diagonal(covariance, np.inf)
    if live.any():
        d = np.sqrt(diag[live])
        scaled = hessian[np.ix_(live, live)] / np.outer(d, d)  # unit diagonal: well conditioned to invert
        values, vectors = np.linalg.eigh(scaled)
        null = values <= 1e-12 * values.max()
        inverse = (vectors[:, ~null] / values[~null]) @ vectors[:, ~null].T / np.outer(d, d)
        block = inverse * scale
        unconstrained = (np.abs(vectors[:, null]) > 1e-6).any(axis=1)
        block[unconstrained, :] = np.nan
        block[:, unconstrained] = np.nan
        block[unconstrained, unconstrained] = np.inf
        covariance[np.ix_(live, live)] = block
    return covariance


def _specs_at(specs, params):
    out, k = [], 0
    for kind, values, window, bn, constants in specs:
        out.append((kind, list(params[k:k + len(values)]), window, bn, constants))
        k += len(values)
    return out


def _iterate(model, data, weight, specs, free, lower, upper, options, max_sweeps, tolerance, ndf, verbose,
             prior_mean=(), prior_sigma=()):
    """AstroPhot's Iter: LM on one component at a time, against the data minus every other component,
    until a sweep changes chi2 by less than ``tolerance`` twice."""
    sizes = [len(spec[1]) for spec in specs]
    starts = np.cumsum([0] + sizes)
    params = [v for spec in specs for v in spec[1]]

    def image_of(c):
        image = np.zeros(data.shape)
        _core.render_model(image, _specs_at([specs[c]], params[starts[c]:starts[c + 1]]), **options)
        return image

    images = [image_of(c) for c in range(len(specs))]
    total = np.sum(images, axis=0)
    chi2_prev, hits, n_eval, log = None, 0, 0, []
    status, message, success, sweep = "max_iter", "maximum number of sweeps reached", False, 0
    for sweep in range(1, max_sweeps + 1):
        for c in range(len(specs)):
            part = slice(starts[c], starts[c + 1])
            if not any(free[part]):
                continue
            others = total - images[c]
            # Fitted on its window alone (it contributes nowhere else), keeping the image's coordinates.
            kind, values, (y0, y1, x0, x1), bn, constants = _specs_at([specs[c]], params[part])[0]
            spec = (kind, values, (0, y1 - y0, 0, x1 - x0), bn, constants)
            out = _core.fit_lm(np.ascontiguousarray((data - others)[y0:y1, x0:x1]),
                               np.ascontiguousarray(weight[y0:y1, x0:x1]), [spec], free=free[part],
                               lower=lower[part], upper=upper[part], max_iter=15, ftol=1e-5, xtol=1e-10, gtol=1e-12,
                               lambda0=LAMBDA0, origin=(x0, y0), prior_mean=list(prior_mean[part]),
                               prior_sigma=list(prior_sigma[part]), **options)
            fitted = list(out["params"])
            params[part] = fitted
            n_eval += out["n_eval"]
            images[c] = image_of(c)
            total = others + images[c]
        chi2 = float(np.sum(weight * (data - total) ** 2))
        log.append((sweep, chi2 / max(ndf, 1), math.nan, True))
        if verbose:
            print(f"Sweep {sweep}: Chi^2/DoF: {chi2 / max(ndf, 1):.6g}")
        if chi2_prev is not None:
            change = (chi2_prev - chi2) / chi2 if chi2 > 0 else 0.0
            hits = hits + 1 if -tolerance * 1e-3 < change < tolerance else 0
            if hits >= 2:
                status, message, success = "ftol", "converged: chi2 change per sweep below tolerance twice", True
                break
        chi2_prev = chi2
    return params, chi2, sweep, n_eval, status, message, success, log


__all__ = ["FitResult", "fit"]

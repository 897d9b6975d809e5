"""Train galforge's inclination + rejection CNN on synthetic galaxies and export it to ONNX.

    pip install ".[train]"
    python scripts/train_infer.py --minutes 22 --cache /tmp/spiral.npz
    cp scripts/spiral64_torch.npz /tmp/first.npz
    python scripts/train_infer.py --minutes 14 --cache /tmp/spiral.npz --init /tmp/first.npz --lr 1e-3
(the shipped model; the wall-clock budget sets the number of steps, so results vary with the machine).

Data: ``galforge.infer.synthetic`` renders disk + bulge + spiral + stars through a Moffat PSF with
noise (training seeds ``seed * 1000 + chunk``; the held-out set uses seed ``--test-seed``, never
trained on), preprocessed exactly as ``galforge.infer.Predictor`` does (moments-based rotation and
crop, asinh stretch, 64 x 64). Network: a small VGG-style stack (BatchNorm, ReLU, max-pooling),
global average pooling and two heads: inclination in degrees, ``67.5 + 22.5 tanh(z)`` (IncliNET's
label map ``y = 2 (i - 45) / 45 - 1``, MSE on accepted galaxies only), and the rejection probability
(sigmoid, binary cross-entropy on every galaxy). Adam with a one-cycle schedule, random flips.
Writes ``spiral64.onnx`` (one self-contained file, dynamic batch) and ``spiral64.json`` (preprocessing,
outputs, label map, seeds, held-out accuracy), and the torch weights ``scripts/spiral64_torch.npz``
(``load_net`` reads them back). CPU only.
"""
import argparse
import json
import os
import time
from multiprocessing import Pool

import numpy as np
import torch
from torch import nn

from galforge.infer import preprocessing, synthetic

SETTINGS = preprocessing.Settings(input_size=64, channels=1, crop=2.0, stretch=2.0, invert=False)
CHUNK = 250
REJECT_FRACTION = 0.4


def make_chunk(seed):
    """Render and preprocess CHUNK galaxies from one seed; drop those preprocessing refuses."""
    images, truths = synthetic.render_galaxies(CHUNK, seed, reject_fraction=REJECT_FRACTION)
    x, inc, rej, q_mom, cats = [], [], [], [], []
    for image, t in zip(images, truths):
        try:
            arr, shape = preprocessing.preprocess(image, SETTINGS)
        except ValueError:
            continue
        x.append(arr.astype(np.float16))
        inc.append(t["inclination"])
        rej.append(t["reject"])
        q_mom.append(shape.q)
        cats.append(t["category"])
    return np.array(x), np.array(inc), np.array(rej), np.array(q_mom), np.array(cats), CHUNK - len(x)


def make_set(seeds, workers):
    with Pool(workers) as pool:
        parts = pool.map(make_chunk, seeds)
    x, inc, rej, q_mom, cats = (np.concatenate([p[k] for p in parts]) for k in range(5))
    return x, inc, rej, q_mom, cats, sum(p[5] for p in parts)


def conv(ci, co, stride=1, k=3):
    return [nn.Conv2d(ci, co, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm2d(co), nn.ReLU(inplace=True)]


class Net(nn.Module):
    """(N, 1, 64, 64) -> (inclination in degrees (N,), rejection probability (N,))."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *conv(1, 16, 2, 5), *conv(16, 32), nn.MaxPool2d(2),
            *conv(32, 48), *conv(48, 48), nn.MaxPool2d(2),
            *conv(48, 64), *conv(64, 64), nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 64), nn.ReLU(inplace=True))
        self.head = nn.Linear(64, 2)

    def logits(self, x):
        z = self.head(self.features(x))
        return z[:, 0], z[:, 1]

    def forward(self, x):
        z_inc, z_rej = self.logits(x)
        return 67.5 + 22.5 * torch.tanh(z_inc), torch.sigmoid(z_rej)


def load_net(path):
    """The torch network with the weights saved by this script (npz of the state dict)."""
    net = Net()
    with np.load(path) as d:
        net.load_state_dict({k: torch.from_numpy(d[k]) for k in d.files})
    return net.eval()


def predict(net, x, batch=500):
    """Mean over the identity and 180-degree views (the Predictor's default)."""
    net.eval()
    inc, rej = [], []
    with torch.no_grad():
        for s in range(0, len(x), batch):
            xb = torch.from_numpy(x[s:s + batch].astype(np.float32))
            a, b = net(xb), net(torch.flip(xb, dims=(2, 3)))
            inc.append(((a[0] + b[0]) / 2).numpy())
            rej.append(((a[1] + b[1]) / 2).numpy())
    net.train()
    return np.concatenate(inc), np.concatenate(rej)


def evaluate(net, test):
    x, inc, rej, q_mom, cats, _ = test
    p_inc, p_rej = predict(net, x)
    acc = ~rej
    err = p_inc[acc] - inc[acc]
    base = synthetic.inclination_from_q(q_mom[acc]) - inc[acc]
    by_cat = {c: float(np.mean((p_rej[cats == c] > 0.5) == (c != "accept"))) for c in synthetic.CATEGORIES}
    bins = {f"{lo}-{lo + 15}": float(np.sqrt(np.mean(err[(inc[acc] >= lo) & (inc[acc] < lo + 15)] ** 2)))
            for lo in (45, 60, 75)}
    return {"n_accepted": int(acc.sum()), "n_rejected": int(rej.sum()),
            "inclination_rms_deg": float(np.sqrt(np.mean(err ** 2))), "inclination_mae_deg": float(np.mean(np.abs(err))),
            "inclination_bias_deg": float(np.mean(err)), "inclination_rms_by_range_deg": bins,
            "outliers_over_10deg": float(np.mean(np.abs(err) > 10)),
            "moments_baseline_rms_deg": float(np.sqrt(np.mean(base ** 2))),
            "moments_baseline_bias_deg": float(np.mean(base)),
            "rejection_accuracy": float(np.mean((p_rej > 0.5) == rej)), "rejection_accuracy_by_category": by_cat}


def export(net, out_dir, meta):
    net.eval()
    path = os.path.join(out_dir, "spiral64.onnx")
    dummy = torch.zeros(2, 1, 64, 64)
    torch.onnx.export(net, (dummy,), path, input_names=["image"], output_names=["inclination", "rejection"],
                      dynamic_axes={"image": {0: "batch"}, "inclination": {0: "batch"}, "rejection": {0: "batch"}},
                      opset_version=17, dynamo=False)
    import onnx
    onnx.checker.check_model(onnx.load(path))
    with open(os.path.join(out_dir, "spiral64.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=20.0, help="training wall time (default 20)")
    ap.add_argument("--train", type=int, default=40000, help="training galaxies rendered (default 40000)")
    ap.add_argument("--test", type=int, default=3000, help="held-out galaxies (default 3000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--test-seed", type=int, default=987654)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache", default=None, help="npz file to reuse the rendered sets from")
    ap.add_argument("--init", default=None, help="continue from these torch weights (npz written by this script)")
    ap.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (default 3e-3)")
    ap.add_argument("--out", default="python/galforge/infer/models")
    ap.add_argument("--torch-out", default=os.path.join(os.path.dirname(__file__), "spiral64_torch.npz"),
                    help="the torch weights as npz (tests compare onnxruntime with torch on them)")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    if args.cache and os.path.exists(args.cache):
        d = np.load(args.cache)
        train = tuple(d[f"train{k}"] for k in range(6))
        test = tuple(d[f"test{k}"] for k in range(6))
    else:
        train = make_set([args.seed * 1000 + c for c in range(args.train // CHUNK)], args.threads)
        test = make_set([args.test_seed * 1000 + c for c in range(args.test // CHUNK)], args.threads)
        if args.cache:
            np.savez(args.cache, **{f"train{k}": v for k, v in enumerate(train)},
                     **{f"test{k}": v for k, v in enumerate(test)})
    print(f"data: {len(train[0])} train ({train[5]} refused), {len(test[0])} test ({test[5]} refused), "
          f"{time.time() - t0:.0f} s", flush=True)
    x = torch.from_numpy(train[0].astype(np.float32))
    y_inc = torch.from_numpy(((train[1] - 45.0) / 22.5 - 1.0).clip(-0.98, 0.98).astype(np.float32))
    y_rej = torch.from_numpy(train[2].astype(np.float32))
    net = load_net(args.init).train() if args.init else Net()
    batch, budget = 64, args.minutes * 60.0
    steps_per_s = 1.5  # first guess, refined after 30 steps so that the schedule ends on time
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    t1, step, total = time.time(), 0, int(budget * steps_per_s)
    rng = np.random.default_rng(args.seed)
    while True:
        elapsed = time.time() - t1
        if step >= 30 and step % 30 == 0:  # the machine's speed varies: re-aim the schedule at the budget
            total = max(int(step + (budget - elapsed) * step / elapsed), step + 1)
        if step >= total:
            break
        frac = step / total
        lr = args.lr * (frac / 0.1 if frac < 0.1 else 0.5 * (1 + np.cos(np.pi * (frac - 0.1) / 0.9)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = torch.from_numpy(rng.integers(0, len(x), batch))
        xb = x[idx]
        if rng.random() < 0.5:
            xb = torch.flip(xb, dims=(3,))
        if rng.random() < 0.5:
            xb = torch.flip(xb, dims=(2,))
        z_inc, z_rej = net.logits(xb)
        acc = y_rej[idx] == 0
        loss_inc = ((torch.tanh(z_inc) - y_inc[idx]) ** 2)[acc].mean() if acc.any() else 0.0
        loss = loss_inc * 4.0 + nn.functional.binary_cross_entropy_with_logits(z_rej, y_rej[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 500 == 0:
            m = evaluate(net, tuple(a[:1000] for a in test[:5]) + (0,))
            print(f"step {step}/{total} {time.time() - t1:.0f} s lr {lr:.2e} rms {m['inclination_rms_deg']:.2f} "
                  f"rej acc {m['rejection_accuracy']:.3f}", flush=True)
    metrics = evaluate(net, test)
    print(json.dumps(metrics, indent=1))
    meta = {"name": "galforge spiral64", "format": 1,
            "description": "Inclination (45-90 deg) and rejection probability of spiral galaxies; trained on "
                           "synthetic galforge galaxies (galforge.infer.synthetic), not on real images.",
            "preprocess": SETTINGS.to_dict(), "input": "image", "layout": "NCHW float32",
            "outputs": {"inclination": "degrees, 67.5 + 22.5 tanh(z)", "rejection": "probability, sigmoid(z)"},
            "label_map": {"inclination": "y = 2 (i - 45) / 45 - 1 (tanh units), i in [45, 90] deg",
                          "rejection": "1 = reject: i < 45 deg, peak S/N < 5, a star brighter than the "
                                       "galaxy on its disk, or the galaxy at the cutout's edge"},
            "q0": synthetic.Q0, "train_seed": args.seed, "test_seed": args.test_seed,
            "train_galaxies": int(len(train[0])), "train_steps": step, "batch": batch,
            "train_minutes": round((time.time() - t1) / 60, 2), "peak_lr": args.lr,
            "init": None if args.init is None else "the weights of the previous run of this script (same data)", "views": "identity + 180 deg (mean)",
            "heldout": metrics, "torch": torch.__version__}
    print("wrote", export(net, args.out, meta))
    np.savez(args.torch_out, **{k: v.numpy() for k, v in net.state_dict().items()})


if __name__ == "__main__":
    main()

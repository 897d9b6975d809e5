"""Write bench/RESULTS.md from pytest-benchmark JSON files (default: every bench/latest*.json, one
per suite run): median times, and each entry's time relative to the galforge entry of its group
(peer / galforge, > 1 means galforge is faster), with the figures each entry records (extra_info)."""
import json
import re
import platform
import sys
from collections import defaultdict
from pathlib import Path


def _code(benchmark):
    """The entry's name inside the test id's brackets (the test's name if it has none), without a
    profile suffix such as -n2.5."""
    name = benchmark["name"]
    return re.sub(r"-n\d[\d.]*$", "", name.split("[")[1].rstrip("]") if "[" in name else name.removeprefix("test_"))


def _extra(benchmark):
    info = {k: v for k, v in benchmark.get("extra_info", {}).items() if k != "max_rel_error"}
    return ", ".join(f"{k} {v:.6g}" if isinstance(v, float) else f"{k} {v}" for k, v in info.items())


def main(*json_paths, out_path="bench/RESULTS.md"):
    paths = [Path(p) for p in json_paths] or sorted(Path("bench").glob("latest*.json"))
    groups = defaultdict(list)
    runs = []
    for path in paths:
        data = json.loads(path.read_text())
        for b in data["benchmarks"]:
            groups[b["group"]].append(b)
        runs.append(f"`{path.name}` {data['datetime'][:16]} UTC")
    lines = ["# Benchmark results", "",
             f"Machine: {data['machine_info'].get('cpu', {}).get('brand_raw', platform.processor())} (2 cores), "
             f"Python {data['machine_info']['python_version']}; runs: "
             + "; ".join(runs) + ".",
             "Regenerate one suite: `pip install '.[bench]' && python -m pytest bench/test_bench_<suite>.py "
             "--benchmark-json=bench/latest-<suite>.json && python bench/report.py`.", "",
             "`ratio` = median time of the entry / median time of galforge's entry in the group "
             "(> 1: galforge is faster). `max rel error`: largest relative pixel error against a 1e-9 "
             "reference integral (for convolution: against scipy.signal.fftconvolve, relative to the maximum).", ""]
    for group in sorted(groups):
        entries = groups[group]
        base = min((b for b in entries if "galforge" in _code(b)), key=lambda b: len(_code(b)), default=entries[0])
        lines += [f"## {group}", "", "| code | median (ms) | ratio | max rel error | figures |",
                  "|---|---:|---:|---:|---|"]
        for b in sorted(entries, key=lambda b: b["stats"]["median"]):
            code = _code(b)
            err = b.get("extra_info", {}).get("max_rel_error")
            lines.append(f"| {code} | {b['stats']['median'] * 1e3:.3f} | "
                         f"{b['stats']['median'] / base['stats']['median']:.1f} | "
                         f"{'' if err is None else f'{err:.1e}'} | {_extra(b)} |")
        lines.append("")
    reported = Path(out_path).with_name("REPORTED.md")  # hand-kept figures not (yet) in a JSON run
    if reported.exists():
        lines += [reported.read_text()]
    Path(out_path).write_text("\n".join(lines))
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main(*sys.argv[1:])

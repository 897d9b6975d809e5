"""Write bench/RESULTS.md from a pytest-benchmark JSON file: median times, and each entry's time
relative to the galforge entry of its group (peer / galforge, > 1 means galforge is faster)."""
import json
import platform
import sys
from collections import defaultdict
from pathlib import Path


def _code(benchmark):
    """The entry's name inside the test id's brackets, without a profile suffix such as -n2.5."""
    return benchmark["name"].split("[")[1].rstrip("]").split("-n")[0]


def main(json_path="bench/latest.json", out_path="bench/RESULTS.md"):
    data = json.loads(Path(json_path).read_text())
    groups = defaultdict(list)
    for b in data["benchmarks"]:
        groups[b["group"]].append(b)
    lines = ["# Benchmark results", "",
             f"Machine: {data['machine_info'].get('cpu', {}).get('brand_raw', platform.processor())}, "
             f"Python {data['machine_info']['python_version']}; single-threaded; {data['datetime'][:19]} UTC.",
             "Regenerate: `pip install '.[bench]' && python -m pytest bench --benchmark-json=bench/latest.json "
             "&& python bench/report.py`.", "",
             "`ratio` = median time of the entry / median time of galforge's entry in the group "
             "(> 1: galforge is faster). `max rel error`: largest relative pixel error against a 1e-9 "
             "reference integral (for convolution: against scipy.signal.fftconvolve, relative to the maximum).", ""]
    for group in sorted(groups):
        entries = groups[group]
        base = min((b for b in entries if "galforge" in _code(b)), key=lambda b: len(_code(b)), default=entries[0])
        lines += [f"## {group}", "", "| code | median (ms) | ratio | max rel error |", "|---|---:|---:|---:|"]
        for b in sorted(entries, key=lambda b: b["stats"]["median"]):
            code = _code(b)
            err = b.get("extra_info", {}).get("max_rel_error")
            lines.append(f"| {code} | {b['stats']['median'] * 1e3:.3f} | "
                         f"{b['stats']['median'] / base['stats']['median']:.1f} | "
                         f"{'' if err is None else f'{err:.1e}'} |")
        lines.append("")
    Path(out_path).write_text("\n".join(lines))
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main(*sys.argv[1:])

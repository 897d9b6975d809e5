"""Bad drawings are skipped, not fatal: they are counted and reported in one warning per call."""
import threading
import warnings
from collections import Counter
from contextlib import contextmanager

_local = threading.local()  # each thread has its own stack of collectors (batch reductions run in threads)


def _collectors():
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


class SkippedDataWarning(UserWarning):
    """Some annotations, marks or rows could not be used and were skipped (the rest was processed)."""


class SkipCounter:
    """Counts skipped items by reason; :meth:`warn` emits one :class:`SkippedDataWarning` summarising them."""

    def __init__(self):
        self.reasons = Counter()

    def add(self, reason, n=1):
        self.reasons[reason] += n

    def __bool__(self):
        return bool(self.reasons)

    def summary(self):
        return "; ".join(f"{n} {reason}" for reason, n in sorted(self.reasons.items()))

    def warn(self, what, stacklevel=3):
        """One warning naming ``what`` and the counts, or, inside :func:`collecting`, add to its tally."""
        if not self.reasons:
            return
        if _collectors():
            _collectors()[-1].update({(what, reason): n for reason, n in self.reasons.items()})
        else:
            warnings.warn(f"{what}: skipped {self.summary()}", SkippedDataWarning, stacklevel=stacklevel)


@contextmanager
def collecting():
    """Gather the skips of every call inside the block into one Counter keyed by (what, reason).

    The collector belongs to the calling thread: calls made in other threads are not counted in it."""
    tally = Counter()
    _collectors().append(tally)
    try:
        yield tally
    finally:
        _collectors().pop()


def clean_extracts(extracts, skipped):
    """Copies of the extracts without the version key, frames that are not dicts and non-text keys
    (counted); an extract that is not a dict becomes ``{}`` so positions (user indices) are kept."""
    out = []
    for d in extracts:
        if not isinstance(d, dict):
            skipped.add("malformed extracts")
            out.append({})
            continue
        clean = {}
        for key, value in d.items():
            if not isinstance(key, str) or key == "aggregation_version":
                continue
            if key.startswith("frame") and not (isinstance(value, dict) and all(isinstance(k, str) for k in value)):
                skipped.add("malformed frames")
                continue
            clean[key] = value
        out.append(clean)
    return out

"""``map``: one function over many items on a pool of threads or processes, or on a Dask cluster.

Results come back in the order of the items (whatever order the workers finish in), as a
generator, so the caller can write them as they arrive. At most ``4 * workers`` items are in flight
(one when running inline).
An exception raised by ``func`` propagates to the caller (the tasks of galforge.batch catch their
own errors and return them as rows); the pool is shut down and pending items cancelled on exit,
Ctrl-C included.
"""
import collections
import concurrent.futures
import multiprocessing
import sys

from .._checks import positive_int
from ..errors import GalforgeValueError

BACKENDS = ("threads", "processes", "dask")


def _distributed():
    try:
        import dask.distributed
    except ImportError:
        raise ImportError("backend='dask' needs dask.distributed: pip install 'galforge[batch]'") from None
    return dask.distributed


def check_options(workers, backend, scheduler):
    """Validate the pool options (before any work or file is touched); returns ``workers`` as an int."""
    workers = positive_int("workers", workers)
    if backend not in BACKENDS:
        raise GalforgeValueError(f"backend = {backend!r} is invalid: expected one of {BACKENDS}")
    if backend != "dask" and scheduler is not None:
        raise GalforgeValueError(f"scheduler = {scheduler!r} is only used with backend='dask' (backend={backend!r})")
    if backend == "dask" and not (scheduler is None or isinstance(scheduler, (str, _distributed().Client))):
        raise GalforgeValueError(f"scheduler = {scheduler!r} is invalid: expected a dask.distributed.Client, an "
                                 "address string or None")
    return workers


def _dask_client(scheduler):
    """(client, owned): the ``Client`` given, one connected to the address given, or the default client."""
    Client, default_client = _distributed().Client, _distributed().default_client
    if isinstance(scheduler, Client):
        return scheduler, False
    if isinstance(scheduler, str):
        return Client(scheduler), True
    try:
        return default_client(), False
    except ValueError:
        raise GalforgeValueError("backend='dask' needs scheduler= a dask.distributed.Client or a scheduler "
                                 "address such as 'tcp://host:8786' (no default client is running)") from None


class _Inline:
    """The executor interface, running each task at once in the calling thread."""

    def submit(self, func, item):
        future = concurrent.futures.Future()
        try:
            future.set_result(func(item))
        except Exception as exc:  # delivered by future.result(), as a pool would
            future.set_exception(exc)
        return future


def _executor(backend, workers, scheduler):
    """(executor with .submit, number of parallel slots, cleanup callable)."""
    if backend == "threads":
        if workers == 1:
            return _Inline(), 1, lambda: None
        pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="galforge-batch")
        return pool, workers, lambda: pool.shutdown(wait=True, cancel_futures=True)
    if backend == "processes":
        # spawn: a fresh interpreter per worker (fork is unsafe once threads, e.g. BLAS or a pool, exist)
        pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        return pool, workers, lambda: pool.shutdown(wait=True, cancel_futures=True)
    client, owned = _dask_client(scheduler)
    slots = max(workers, sum(client.nthreads().values()) or 1)

    class _Dask:
        def submit(self, func, item):
            return client.submit(func, item, pure=False)

    return _Dask(), slots, (client.close if owned else lambda: None)


def map(func, items, workers=1, backend="threads", scheduler=None, on_error=None):  # noqa: A001 (like Executor.map)
    """Yield ``func(item)`` for each item, in the order of ``items``.

    workers: threads or processes in the local pool (threads with workers=1 run in the calling
        thread); with Dask, at least the cluster's thread count of items are kept in flight.
    backend: "threads" (the C++ core releases the GIL, so fits scale), "processes" (spawned
        interpreters; ``func`` and the items must pickle) or "dask" (``scheduler``: a
        ``dask.distributed.Client``, a scheduler address, or None for the current default client).
    on_error: None (an item's exception propagates and ends the map) or ``on_error(item, exception)``,
        whose value is yielded instead, e.g. for a Dask worker killed while running one item. A broken
        local process pool (a worker process died: every pending item fails) always propagates.
    """
    workers = check_options(workers, backend, scheduler)
    executor, slots, cleanup = _executor(backend, workers, scheduler)
    in_flight = 1 if isinstance(executor, _Inline) else 4 * slots
    pending = collections.deque()

    def result(item, future):
        try:
            return future.result()
        except concurrent.futures.BrokenExecutor:
            raise
        except Exception as exc:
            if on_error is None:
                raise
            return on_error(item, exc)

    try:
        for item in items:
            pending.append((item, executor.submit(func, item)))
            if len(pending) >= in_flight:
                yield result(*pending.popleft())
        while pending:
            yield result(*pending.popleft())
    finally:
        for _, future in pending:
            future.cancel()
        cleanup()


def progress_bar(total, desc, show):
    """A tqdm bar when installed and ``show``; else a plain counter printing to stderr; None when not shown."""
    if not show:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainProgress(total, desc)
    return tqdm(total=total, desc=desc, unit="obj")


class _PlainProgress:
    """The part of tqdm's interface used here, as one line per update on stderr."""

    def __init__(self, total, desc):
        self.total, self.desc, self.n = total, desc, 0

    def update(self, n):
        self.n += n
        print(f"{self.desc}: {self.n}/{self.total}", file=sys.stderr, flush=True)

    def close(self):
        pass

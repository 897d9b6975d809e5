"""Files written whole or not at all: a temporary file beside the target, renamed over it (``os.replace``,
atomic on POSIX and Windows); if writing fails the temporary file is removed and the target left as it was."""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path, suffix=".tmp"):
    """Yield a temporary path beside ``path``, renamed over ``path`` when the block ends without error."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".galforge-", suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def atomic_write(path, write, durable=True):
    """Call ``write(file)`` on a temporary text file (UTF-8, no newline translation), flushed to disk
    (``durable``; else left to the OS: readers still never see a partial file), then rename it to ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            write(f)
            if durable:
                f.flush()
                os.fsync(f.fileno())

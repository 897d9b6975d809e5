"""Files written whole or not at all: a temporary file beside the target, renamed over it (``os.replace``,
atomic on POSIX and Windows); if writing fails the temporary file is removed and the target left as it was.
The file gets the permissions ``open()`` would give it (a replaced file keeps its own), not the temporary
file's owner-only ones."""
import contextlib
import os
import stat
import tempfile


_UMASK = os.umask(0o022)  # reading the umask means setting it: done once, at import, and put straight back
os.umask(_UMASK)


def _mode_for(path):
    """Permission bits for ``path``: its own if it exists, else 0o666 less the umask (as at import)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_path(path, suffix=".tmp"):
    """Yield a temporary path beside ``path``, renamed over ``path`` when the block ends without error."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".galforge-", suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
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

"""Exceptions raised by galforge.

``GalforgeValueError`` is also a ``ValueError`` so that ``except ValueError`` keeps working.
"""


class GalforgeError(Exception):
    """Base class of every galforge error."""


class GalforgeValueError(GalforgeError, ValueError):
    """An argument has a bad value; the message names the argument and its value."""


class GalforgeFileNotFoundError(GalforgeValueError, FileNotFoundError):
    """A file to read does not exist (both a ``ValueError`` and a ``FileNotFoundError``)."""

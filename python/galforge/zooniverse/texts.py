"""Values to and from text, exactly as the standard library does it, sped up by orjson when installed
(it is in the ``zooniverse`` extra; without it the standard library is used).

``loads(text)`` is ``json.loads(text)``: orjson parses the text unless it holds a run of 19 digits
(orjson turns integers beyond 64 bits into floats, ``json`` keeps them) or orjson rejects it (NaN,
Infinity, lone surrogates, which ``json`` accepts), in which case ``json`` does.

``value_text(value)`` is ``str(value)``. A list of numbers, or of lists of numbers (the coordinates
in the CSV cells), is written by orjson (shortest round-trip digits, as ``repr``) with ``', '``
between items, when the lists, floats and ints are of exactly those types (checked by the C++ core:
orjson writes subclasses, enums, tuples as numbers or lists, ``str`` as their ``repr``); the
text is used only if it holds nothing but digits, signs, points, brackets and
commas and no ``0.0000`` (``repr`` writes ``1e-05`` where orjson writes ``0.00001``; exponents,
``nan``, ``inf``, booleans, strings and tuples go to ``str``).
"""
import json

from .. import _core

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is in the zooniverse extra
    orjson = None

_DIGIT_MAP = bytes(57 if b in b"0123456789" else 32 for b in range(256))  # digits -> '9', others -> ' '
_LIST_CHARS = b"0123456789.-[],"


def loads(text):
    """``json.loads(text)`` (a ``str``), through orjson when that gives the same value."""
    if orjson is not None and b"9" * 19 not in text.encode("utf-8", "surrogatepass").translate(_DIGIT_MAP):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def value_text(value):
    """``str(value)``, through orjson for a list of numbers or of lists of numbers."""
    if orjson is None or not _core.number_lists(value):  # exact types: no subclass, enum, tuple, numpy scalar
        return str(value)
    try:
        text = orjson.dumps(value)
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        return str(value)
    if text.translate(None, _LIST_CHARS) or b"0.0000" in text:
        return str(value)
    return text.replace(b",", b", ").decode("ascii")

"""Values to and from text, exactly as the standard library does it, sped up by orjson when installed
(it is in the ``zooniverse`` extra; without it the standard library is used).

``loads(text)`` is ``json.loads(text)``: orjson parses the text, and ``json`` does again when orjson
rejects it (NaN, Infinity, lone surrogates, which ``json`` accepts) or its value holds a float of
magnitude 2**63 or more (orjson turns integers beyond 64 bits into such floats, ``json`` keeps them;
checked by the C++ core).

``value_text(value)`` is ``str(value)``. A list of numbers, or of lists of numbers (the coordinates
in the CSV cells), is written by orjson (shortest round-trip digits, as ``repr``) with ``', '``
between items, when the lists, floats and ints are of exactly those types (checked by the C++ core:
orjson writes subclasses, enums, tuples as numbers or lists, ``str`` as their ``repr``); the
text is used only if it holds nothing but digits, signs, points, brackets and
commas and no ``0.0000`` (``repr`` writes ``1e-05`` where orjson writes ``0.00001``; exponents,
``nan``, ``inf``, booleans, strings and tuples go to ``str``). Lists whose ints are of 64 bits and
whose floats are 0 or of magnitude in [1e-4, 1e16) (checked by the core) need no such check.
Before orjson, the C++ core writes such lists itself when every float is a decimal of at most 15
significant and 15 fraction digits (as drawn coordinates are: ``890.39``), found exactly without a
shortest-digits search (``number_lists_text``: ~2x faster than orjson and the separators).
"""
import json

from .. import _core

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is in the zooniverse extra
    orjson = None

_INT64_LIMIT = 2.0**63  # orjson turns integers beyond 64 bits (below -2**63, above 2**64 - 1) into floats
_LIST_CHARS = b"0123456789.-[],"


def loads(text):
    """``json.loads(text)`` (a ``str``), through orjson when that gives the same value."""
    if orjson is not None:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            return json.loads(text)
        if _core.json_floats_below(value, _INT64_LIMIT):  # else a float may be an integer orjson could not keep
            return value
    return json.loads(text)


def value_text(value):
    """``str(value)``, through the C++ core or orjson for a list of numbers or of lists of numbers."""
    text = _core.number_lists_text(value)  # short decimals (drawn coordinates): formatted without orjson
    if text is not None:
        return text
    if orjson is not None and _core.plain_number_lists(value):  # no text check needed (the common case)
        return _core.comma_space(orjson.dumps(value))
    if orjson is None or not _core.number_lists(value):  # exact types: no subclass, enum, tuple, numpy scalar
        return str(value)
    try:
        text = orjson.dumps(value)
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        return str(value)
    if text.translate(None, _LIST_CHARS) or b"0.0000" in text:
        return str(value)
    return text.replace(b",", b", ").decode("ascii")

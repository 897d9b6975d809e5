"""galforge.zooniverse.texts against the standard library: loads == json.loads, value_text == str,
with orjson and without it."""
import collections
import enum
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galforge.zooniverse import texts

orjson = pytest.importorskip("orjson")

EDGE_FLOATS = [0.0, -0.0, 1e-4, 9.999e-5, 1e-5, -1e-5, 1.2345e-7, 5e-324, 1e15, 9999999999999998.0, 1e16, 1e22,
               1.7976931348623157e308, 0.1, 2 / 3, 123.45, -987.654321, math.nan, math.inf, -math.inf]
EDGE_VALUES = [[], [[]], [1, 2.5, -3], [[0.0, 1e-5], [2.0]], [True, 1.0], [None], ["a, b"], [(1, 2)], [[1, (2.0,)]],
               [2**64, 1.0], [[2**70]], [1.0, [2.0, [3.0]]], [{"a": 1.0}], (1.0, 2.0), 1.5, "text", None, True]
class _Float(float):
    pass


class _List(list):
    pass


class _Colour(enum.IntEnum):
    RED = 1


class _Size(enum.Enum):
    BIG = 1.5


# orjson writes these as numbers or lists where str() writes their repr
LOOKALIKES = [_Float(1.5), _List([1.0]), _Colour.RED, _Size.BIG, np.float64(1.5), np.int64(2), np.float32(0.5),
              (1.0, 2.0), True]
FLOATS = st.one_of(st.floats(), st.floats(-1e-3, 1e-3), st.floats(-1e18, 1e18), st.integers(-2**70, 2**70))


@pytest.fixture(params=["orjson", "stdlib"])
def backend(request, monkeypatch):
    if request.param == "stdlib":
        monkeypatch.setattr(texts, "orjson", None)
    return request.param


@pytest.mark.parametrize("value", EDGE_VALUES + [EDGE_FLOATS, [[v] for v in EDGE_FLOATS]])
def test_value_text_is_str(backend, value):
    assert texts.value_text(value) == str(value)


@pytest.mark.parametrize("item", LOOKALIKES + ([orjson.Fragment(b"1.5")] if hasattr(orjson, "Fragment") else []))
@pytest.mark.parametrize("shape", ["flat", "nested", "sublist"])
def test_value_text_is_str_on_lookalikes(backend, item, shape):
    value = {"flat": [1.0, item], "nested": [[2, item], [3.5]], "sublist": [[1.0], _List([2.0, item])]}[shape]
    assert texts.value_text(value) == str(value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FLOATS, st.lists(FLOATS, max_size=6)), max_size=8))
def test_value_text_is_str_on_numbers(value):
    assert texts.value_text(value) == str(value)


def test_value_text_is_str_on_many_floats():
    """200,000 doubles of random bits, at every scale, and short decimals (as drawings' coordinates),
    written by orjson (the fixed-point ones) or by str, always as str."""
    rng = np.random.default_rng(5)
    bits = rng.integers(0, 2**63, 100_000, dtype=np.int64) * rng.choice([-1, 1], 100_000)
    scales = 10.0 ** rng.integers(-6, 18, 50_000)
    floats = [bits.view(np.float64).tolist(), (rng.uniform(-1, 1, 50_000) * scales).tolist(),
              [round(v, d) for v, d in zip(rng.uniform(-1000, 1000, 50_000).tolist(),
                                           rng.integers(0, 4, 50_000).tolist())]]
    for value in [list(chunk) for values in floats for chunk in np.array_split(values, 500)]:
        value = [float(v) for v in value]
        assert texts.value_text(value) == str(value)
        assert texts.value_text([value, value[:3]]) == str([value, value[:3]])
    assert texts._core.number_lists_text(floats[2]) is not None  # the core's path is taken


@pytest.mark.parametrize("text", ["[1e400]", "Infinity", "[NaN, -Infinity]", '["\\ud800"]', "18446744073709551616",
                                  "-9223372036854775809", "[123456789012345678901234567890, 1.5]",
                                  "0.1000000000000000055511151231257827", '{"a": 1, "a": [2.0, -0.0]}', " [1] ",
                                  '"\\u00e9t\\u00e9"', "[1e-400, 5e-324, 1.7976931348623157e308]",
                                  "9223372036854775808", "18446744073709551615", "-9223372036854775808",
                                  '{"a": [[1.5, -1e19]], "b": 18446744073709551616}', "[9.3e18, 9223372036854775807]"])
def test_loads_is_json_loads(backend, text):
    assert repr(texts.loads(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", ["[1,]", "[01]", "[.5]", "nan", "", '"\x01"', "[1] x"])
def test_loads_rejects_as_json_does(backend, text):
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        texts.loads(text)


JSON = st.recursive(st.none() | st.booleans() | FLOATS | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_loads_is_json_loads_on_generated(value):
    for text in (json.dumps(value), json.dumps(value, indent=1)):
        assert repr(texts.loads(text)) == repr(json.loads(text))


PLAIN_EDGES = [1e-4, np.nextafter(1e-4, 0), 1e16, np.nextafter(1e16, 0), 0.0, -0.0, 2.0**63, 2**63 - 1, -2**63,
               -2**63 - 1, 2**64 - 1, 2**64, 123456789012345.67, 9.9e-5]


@pytest.mark.parametrize("item", PLAIN_EDGES)
def test_plain_number_lists_bounds(item):
    """Around the bounds of the plain path (no text check): always str's text; the path is taken inside."""
    item = float(item) if isinstance(item, np.floating) else item
    for value in ([item], [[1.5, item], []], [[-item] if not isinstance(item, int) else [item]]):
        assert texts.value_text(value) == str(value)
    inside = isinstance(item, int) and -2**63 <= item < 2**64 or isinstance(item, float) and (
        item == 0 or 1e-4 <= abs(item) < 1e16)
    assert texts._core.plain_number_lists([[item]]) == inside


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FLOATS, st.integers(-2**65, 2**65), st.lists(st.one_of(FLOATS, st.integers()), max_size=6)),
                max_size=8))
def test_plain_number_lists_only_where_orjson_writes_str(value):
    """Wherever the core calls a list plain, orjson's text (with ', ') is str's."""
    if texts._core.plain_number_lists(value):
        assert orjson.dumps(value).replace(b",", b", ").decode() == str(value)
    assert texts.value_text(value) == str(value)


SHORT_DECIMALS = st.builds(lambda m, k: float(f"{m}e-{k}"), st.integers(-10**15 + 1, 10**15 - 1), st.integers(0, 20))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(SHORT_DECIMALS, FLOATS, st.integers(-2**65, 2**65),
                          st.lists(st.one_of(SHORT_DECIMALS, FLOATS, st.integers()), max_size=6)), max_size=8))
def test_number_lists_text_is_str_or_declines(value):
    text = texts._core.number_lists_text(value)
    assert text is None or text == str(value)


def test_number_lists_text_writes_short_decimals():
    """Decimals of at most 15 significant and 15 fraction digits in [1e-4, 1e16), 0, -0.0 and ints of 64
    bits (~86,000 at every scale and length) are all written, as str writes them."""
    rng = np.random.default_rng(11)
    digits = rng.integers(1, 16, 120_000)
    m = (rng.random(120_000) * 10.0 ** digits).astype(np.int64) * rng.choice([-1, 1], 120_000)
    k = rng.integers(0, 16, 120_000)
    values = [v for v in (float(f"{a}e-{b}") for a, b in zip(m.tolist(), k.tolist())) if 1e-4 <= abs(v) < 1e16]
    values += [0.0, -0.0, 1e-4, -1e-4, 999999999999999.0, 0.1, 2**63 - 1, -2**63, 0, -1]
    assert len(values) > 80_000
    for chunk in [values[i:i + 1000] for i in range(0, len(values), 1000)]:
        assert texts._core.number_lists_text(chunk) == str(chunk)
        assert texts._core.number_lists_text([chunk[:7], [], chunk[7:9]]) == str([chunk[:7], [], chunk[7:9]])


@pytest.mark.parametrize("value", [[1e16], [9.9e-5], [1e15], [1234567890.123456], [0.1 + 0.2], [math.nan], [math.inf],
                                   [2**63], [-2**63 - 1], [True], [None], ["1"], [(1.0,)], [[[1.0]]], [_Float(1.5)],
                                   [np.float64(1.5)], [_Colour.RED], _List([1.0]), [_List([1.0])], (1.0,), 1.5, None,
                                   "[1.5]", {1: 2.0}])
def test_number_lists_text_declines_the_rest(value):
    """More than 15 digits, exponents, non-finite, beyond 64 bits, other types: None (str's text is
    then written by orjson or str)."""
    assert texts._core.number_lists_text(value) is None
    assert texts.value_text(value) == str(value)


@pytest.mark.parametrize("points", [[{"x": 1.5, "y": 2}, {"y": None, "x": "a", "z": 3}], [], [{"x": 1, "y": 2}] * 3])
def test_points_xy_is_the_comprehensions(points):
    assert texts._core.points_xy(points) == ([p["x"] for p in points], [p["y"] for p in points])


@pytest.mark.parametrize("points", [({"x": 1, "y": 2},), [{"x": 1}], [{"y": 1}], [[1, 2]], [{"x": 1, "y": 2}, None],
                                    [collections.OrderedDict(x=1, y=2)], "xy", None])
def test_points_xy_leaves_the_rest_to_python(points):
    """Anything but an exact list of exact dicts with both keys: None (polygon_extractor then checks it itself)."""
    assert texts._core.points_xy(points) is None


@pytest.mark.parametrize("text", [b"", b",", b"[1,2.5,[3,-4]]", b",,x,", b"[" + b"1.25," * 10000 + b"0]"])
def test_comma_space_is_replace(text):
    assert texts._core.comma_space(text) == text.replace(b",", b", ").decode("ascii")


def test_comma_space_rejects_non_ascii():
    with pytest.raises(ValueError, match="must be ASCII"):
        texts._core.comma_space("[1\u00e9]".encode())

"""galforge extract / reduce (CSV in, CSV out) against panoptes_aggregation's extract_csv / reduce_csv."""
import csv
import io
import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import galforge.zooniverse as gz
from galforge.cli import main
from galforge.errors import GalforgeValueError
from galforge.zooniverse.batch import extract_csv, reduce_csv
from galforge.zooniverse.csvio import csv_line, flatten, literal, read_rows, split_rows, unflatten, write_rows
from zooniverse_reference import CAT_CLASSIFICATIONS, CATS, difference, pa

EXTRACT_CONFIG = os.path.join(CATS, "cat_project_extractor_config.yaml")
MEDIAN_CONFIG = os.path.join(CATS, "cat_project_reducer_config.yaml")
CONTOURS_CONFIG = os.path.join(CATS, "cat_project_reducer_contours_config.yaml")


def read(path):
    csv.field_size_limit(2**31 - 1)
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, [dict(zip(header, row)) for row in reader]


def value(text):
    """A cell as a value: pandas writes integer ids with missing values as floats ('108.0')."""
    if text == "":
        return None
    v = literal(text)
    return float(v) if isinstance(v, int) and not isinstance(v, bool) else v


def assert_same_csv(ref_path, our_path, row_key=None):
    ref_header, ref_rows = read(ref_path)
    our_header, our_rows = read(our_path)
    assert sorted(ref_header) == sorted(our_header)
    if row_key is not None:  # rows whose order the reference leaves to set iteration
        ref_rows, our_rows = sorted(ref_rows, key=row_key), sorted(our_rows, key=row_key)
    assert len(ref_rows) == len(our_rows)
    for i, (r, o) in enumerate(zip(ref_rows, our_rows)):
        for col in ref_header:
            d = difference(value(r[col]), value(o[col]), f"row {i} {col}")
            assert d is None, d
    return ref_header, our_header, our_rows


@pytest.fixture(scope="module")
def cat_files(tmp_path_factory):
    ref, ours = tmp_path_factory.mktemp("ref"), tmp_path_factory.mktemp("ours")
    pa.scripts.extract_csv(CAT_CLASSIFICATIONS, EXTRACT_CONFIG, output_dir=str(ref), output_name="cat",
                           hide_progressbar=True)
    summary = extract_csv(CAT_CLASSIFICATIONS, EXTRACT_CONFIG, output_dir=str(ours), output_name="cat")
    assert summary["selected"] == 128 and not summary["skipped"]
    return ref, ours


def test_extract_csv_identical(cat_files):
    ref, ours = cat_files
    ref_header, our_header, rows = assert_same_csv(ref / "polygon_extractor_cat.csv", ours / "polygon_extractor_cat.csv")
    assert ref_header == our_header and len(rows) == 128


@pytest.mark.parametrize("config, row_key", [(MEDIAN_CONFIG, None), (CONTOURS_CONFIG, "contours")])
def test_reduce_csv_identical(cat_files, config, row_key):
    ref, ours = cat_files
    ref_out = pa.scripts.reduce_csv(str(ref / "polygon_extractor_cat.csv"), config, output_dir=str(ref),
                                    output_name="cat", hide_progressbar=True)
    # our reduction of our extraction, and of the reference's extraction
    for source in (ours, ref) if row_key is None else (ours,):
        our_out = reduce_csv(source / "polygon_extractor_cat.csv", config, output_dir=str(ours), output_name="cat")
        key = None
        if row_key:
            def key(row):
                tool = "1" if any(c.endswith("toolIndex1_cluster_labels") and row[c] for c in row) else "0"
                return (int(row["subject_id"]), tool, row.get(f"data.frame0.T0_toolIndex{tool}_cluster_label_for_contours"))
        _, _, rows = assert_same_csv(ref_out, our_out["file"], key)
        assert len(rows) >= 30


def test_cli_extract_and_reduce(tmp_path, capsys):
    assert main(["extract", CAT_CLASSIFICATIONS, EXTRACT_CONFIG, "-d", str(tmp_path), "-o", "cats", "-hb"]) == 0
    assert main(["reduce", str(tmp_path / "polygon_extractor_cats.csv"), MEDIAN_CONFIG, "-d", str(tmp_path), "-o",
                 "cats.csv", "-hb"]) == 0
    out = capsys.readouterr().out
    assert "128 classifications selected, 0 skipped" in out and "polygon_reducer_cats.csv (30 rows)" in out
    assert sorted(os.listdir(tmp_path)) == ["polygon_extractor_cats.csv", "polygon_reducer_cats.csv"]


def write_classifications(path, annotations):
    header = ["classification_id", "user_name", "user_id", "workflow_id", "workflow_version", "created_at",
              "metadata", "annotations", "subject_ids"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i, ann in enumerate(annotations):
            w.writerow([i, f"u{i}", i, 7, "1.2", f"2025-01-01 00:00:{i:02d} UTC", "{}", ann, 5])


def test_skipped_rows_and_drawings_are_summarised(tmp_path, capsys):
    rng = np.random.default_rng(0)
    good = [json.dumps([{"task": "T0", "value": [{"tool": 0, "points": [
        {"x": float(50 + 20 * np.cos(t) + rng.normal(0, 1)), "y": float(50 + 20 * np.sin(t))}
        for t in np.linspace(0, 6, 12)]}]}]) for _ in range(3)]
    bad = ["not json", json.dumps([{"task": "T0", "value": [{"tool": 0, "points": [{"x": 1, "y": 1}, {"x": 2, "y": 2}]}]}])]
    write_classifications(tmp_path / "c.csv", good + bad)
    config = {"extractor_config": {"polygon_extractor": [{"task": "T0"}], "question_extractor": [{"task": "T1"}]},
              "workflow_id": 7, "workflow_version": "1.2"}
    with pytest.warns(gz.SkippedDataWarning, match="1 rows with unreadable annotations"):
        summary = extract_csv(tmp_path / "c.csv", config, output_dir=tmp_path, output_name="x")
    assert summary["skipped"]["extractor 'question_extractor' (not supported by galforge)"] == 1
    with pytest.warns(gz.SkippedDataWarning, match="1 drawings with fewer than 3 points"):
        out = reduce_csv(tmp_path / "polygon_extractor_x.csv", {"reducer_config": {"polygon_reducer": {}}},
                         output_dir=tmp_path, output_name="y")
    _, rows = read(out["file"])
    assert len(rows) == 1 and literal(rows[0]["data.frame0.T0_tool0_clusters_count"]) == [3]
    assert main(["reduce", str(tmp_path / "polygon_extractor_x.csv"), str(MEDIAN_CONFIG), "-d", str(tmp_path), "-hb"]) == 0
    assert "warning: reduce: skipped polygon_reducer: 1 drawings with fewer than 3 points" in capsys.readouterr().err


def test_outputs_written_whole_or_not_at_all(tmp_path, capsys):
    target = tmp_path / "polygon_reducer_r.csv"
    target.write_text("previous\n")
    with pytest.raises(ZeroDivisionError):
        write_rows(target, [[("a", 1)], [("a", _Unprintable())]])
    assert target.read_text() == "previous\n" and os.listdir(tmp_path) == ["polygon_reducer_r.csv"]
    assert main(["reduce", str(tmp_path / "missing.csv"), MEDIAN_CONFIG, "-d", str(tmp_path), "-o", "r"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert target.read_text() == "previous\n"


class _Unprintable:
    def __str__(self):
        raise ZeroDivisionError("cannot format")


def test_configuration_errors(tmp_path):
    write_classifications(tmp_path / "c.csv", ["[]"])
    with pytest.raises(GalforgeValueError, match="no classification .* matches workflow_id 8"):
        extract_csv(tmp_path / "c.csv", {"extractor_config": {}, "workflow_id": 8, "workflow_version": "1.2"})
    with pytest.raises(GalforgeValueError, match="exactly one reducer"):
        reduce_csv(tmp_path / "c.csv", {"reducer_config": {"polygon_reducer": {}, "shape_reducer_dbscan": {}}})
    with pytest.raises(GalforgeValueError, match="'point_reducer' is not supported"):
        reduce_csv(tmp_path / "c.csv", {"reducer_config": {"point_reducer": {}}})
    (tmp_path / "bad.yaml").write_text("a: [1\n")
    with pytest.raises(GalforgeValueError, match="not valid YAML"):
        reduce_csv(tmp_path / "c.csv", tmp_path / "bad.yaml")


def test_collector_state_is_kept(tmp_path):
    """extract_csv / reduce_csv pause the cyclic garbage collector and leave it as they found it, errors too."""
    import gc

    write_classifications(tmp_path / "c.csv", ["[]"])
    for running in (True, False):
        (gc.enable if running else gc.disable)()
        try:
            with pytest.raises(GalforgeValueError):
                extract_csv(tmp_path / "c.csv", {"extractor_config": {}, "workflow_id": 8, "workflow_version": "1.2"})
            assert gc.isenabled() == running
            with pytest.raises(GalforgeValueError):
                reduce_csv(tmp_path / "c.csv", {"reducer_config": {"point_reducer": {}}})
            assert gc.isenabled() == running
        finally:
            gc.enable()


CELLS = st.text(alphabet=st.sampled_from([",", '"', "\n", "\r", "\0", " ", "'", "a", "é", "\u2028", "\U0001f600", "[",
                                           "1"]),
                max_size=6) | st.text(max_size=6)


@settings(max_examples=500, deadline=None)
@given(st.lists(CELLS, max_size=5))
def test_csv_line_is_csv_writer(cells):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    assert csv_line(cells) == buffer.getvalue()


VALUES = st.one_of(CELLS, st.none(), st.floats(), st.integers(-2**70, 2**70), st.booleans(),
                   st.lists(st.one_of(st.floats(), st.integers(-2**65, 2**65), st.lists(st.floats(), max_size=3)),
                            max_size=4),
                   st.lists(st.decimals(-10**6, 10**6, places=3).map(float), max_size=4),
                   st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
NAMES = st.sampled_from(["a", "b,c", 'q"', "é", "line\n", "x\ry", "\ud800", "data.frame0.T0_pathX"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.tuples(NAMES, VALUES), max_size=5), max_size=4), st.lists(NAMES, max_size=3))
def test_csv_text_is_csv_writer(rows, extra):
    """The core's whole-file text is csv.writer's of the rows' cell texts (cell_text), or None where
    csv_line leaves rows to csv.writer (a \r or NUL, fewer than two columns, text UTF-8 cannot encode)."""
    from galforge import _core
    from galforge.zooniverse.csvio import cell_text

    columns = list(dict.fromkeys([name for row in rows for name, _ in row] + extra))
    lines = [columns] + [[cell_text(dict(row).get(name)) for name in columns] for row in rows]
    text = _core.csv_text(columns, rows, cell_text)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    if text is not None:
        assert text == buffer.getvalue()
    else:
        assert len(columns) < 2 or any("\r" in c or "\0" in c or "\ud800" in c for line in lines for c in line)


@pytest.mark.parametrize("args", [
    ("a,b", [], str), ([1, "b"], [], str), (["a", "b"], (), str), (["a", "b"], [("a", 1)], str),
    (["a", "b"], [[["a", 1]]], str), (["a", "b"], [[("a", 1, 2)]], str), (["a", "b"], [[("c", 1)]], str),
    (["a", "b"], [[("a", 1.5)]], None), (["a", "b"], [[("a", 1.5)]], lambda v: 1.5)])
def test_csv_text_checks_its_arguments(args):
    from galforge import _core

    with pytest.raises(ValueError, match="columns|rows|row holds|cell_text"):
        _core.csv_text(*args)


def test_csv_text_survives_hostile_keys_and_callbacks():
    """A key whose __eq__ empties the row, a cell_text that empties the rows: no crash, and the
    values taken before are written."""
    from galforge import _core
    from galforge.zooniverse.csvio import cell_text

    class Key(str):
        def __hash__(self):
            return hash(str(self))

        def __eq__(self, other):
            row.clear()
            return str.__eq__(self, other)

    row = [(Key("a"), "x"), ("b", "y")]
    assert _core.csv_text(["a", "b"], [row], cell_text) == "a,b\nx,\n"
    rows = [[("a", 1.5), ("b", [1.0])], [("a", "z"), ("b", "w")]]
    assert _core.csv_text(["a", "b"], rows, lambda v: (rows.clear(), str(v))[1]) == "a,b\n1.5,[1.0]\n"


def test_write_rows_falls_back_to_csv_writer(tmp_path):
    """Rows the core declines (a \r in a cell) are written by csv.writer, the others alike."""
    rows = [[("a", "x\ry"), ("b", [1.5, 2])], [("a", None), ("b", [[0.1, 1e-05], []])]]
    write_rows(tmp_path / "t.csv", rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([["a", "b"], ["x\ry", "[1.5, 2]"], ["", "[[0.1, 1e-05], []]"]])
    assert (tmp_path / "t.csv").read_bytes() == buffer.getvalue().encode()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=4))
def test_split_rows_reads_written_rows_as_csv_reader(rows):
    text = "".join(map(csv_line, rows))
    if split_rows(text) is not None:
        assert split_rows(text) == rows == list(csv.reader(io.StringIO(text, newline="")))
    if not any("\ud800" <= ch <= "\udfff" for ch in text):  # UTF-8 bytes: the same rows, or None alike
        assert split_rows(text.encode()) == split_rows(text)
    else:  # declines only \r, NUL, rows of one cell
        assert not rows or any("\r" in c or "\0" in c or len(row) < 2 for row in rows for c in row)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from([",", '"', "\n", "\r", "\0", " ", "a", "é", "\u2028", "\U0001f600"]), max_size=20)
       | st.text(alphabet=st.sampled_from([",", '"', "\n", "a"]), max_size=30).map(lambda t: t + "\n"))
def test_split_rows_is_csv_reader_or_declines(text):
    rows = split_rows(text)
    assert rows is None or rows == list(csv.reader(io.StringIO(text, newline="")))
    assert split_rows(text.encode()) == rows


def test_split_rows_reads_the_cat_export_as_csv_reader():
    with open(CAT_CLASSIFICATIONS, newline="", encoding="utf-8") as f:
        text = f.read()
    rows = split_rows(text)
    assert rows == list(csv.reader(io.StringIO(text, newline=""))) and len(rows) == 154
    wide = text.replace("cmk24", "cmk24\u2028\U0001f600")  # the same file in 4-byte code units
    assert split_rows(wide) == list(csv.reader(io.StringIO(wide, newline="")))
    assert split_rows(wide.encode()) == split_rows(wide) and split_rows(text.encode()) == rows


@pytest.mark.parametrize("data", [b"a,b\n\xff,1\n", b'a,b\n"x,\xc3",1\n', b"a,\xe2\x82\n", b'a,"""\xed\xa0\x80,"\n'])
def test_split_rows_rejects_bytes_that_are_not_utf8(tmp_path, data):
    """Bytes are decoded cell by cell, strictly: a UnicodeDecodeError, as reading the file as text gives."""
    with pytest.raises(UnicodeDecodeError):
        split_rows(data)
    (tmp_path / "t.csv").write_bytes(data)
    with pytest.raises(UnicodeDecodeError):
        read_rows(tmp_path / "t.csv")


@pytest.mark.parametrize("text", [bytearray(b"a,b\n"), None, 1, ["a,b\n"]])
def test_split_rows_checks_its_argument(text):
    with pytest.raises(ValueError, match="text must be a str or UTF-8 bytes"):
        split_rows(text)


@pytest.mark.parametrize("text", ["a,b\n1,2\n", 'a,b\n"x, ""y""\n",\n', "a,b\n1\n", "a,b\n\n1,2\n", "a,b\r\n1,2\r\n",
                                  "a,b\n1,2", "", 'a,b\n"",1\n', "a,a\n1,2\n", 'a,b\nx"y,1\n'])
def test_read_rows_is_dict_reader(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode())
    with open(path, newline="", encoding="utf-8") as f:
        assert read_rows(path) == list(csv.DictReader(f))


def test_flatten_round_trip_as_pandas():
    pandas = pytest.importorskip("pandas")
    data = {"frame1": {"b": [[1, 2.5]], "a": {"z": 1}}, "v": "5.3.1", "t": [0.5], "frame0": {}, "d": [{"k": None}]}
    ours = flatten(data)
    expected = pandas.json_normalize(data).columns.tolist()
    assert [k for k, _ in ours] == ["data." + c for c in expected]
    cells = {k: str(v) for k, v in ours}
    assert unflatten(cells) == {k: v for k, v in data.items() if k != "frame0"}
    assert literal("[nan, 1]") == [None, 1] and literal("2.0") == 2.0 and literal("False") is False


def test_shapes_with_details_through_csv_identical(tmp_path):
    """Ellipses with slider details (v1) and points (v2): extract then reduce, both codes, same CSVs."""
    rng = np.random.default_rng(11)
    annotations = []
    for _ in range(8):
        marks = [{"tool": 0, "frame": 0, "x": float(np.round(100 + rng.normal(0, 2), 2)),
                  "y": float(np.round(50 + rng.normal(0, 2), 2)), "rx": 20.0, "ry": 8.5,
                  "angle": float(np.round(rng.choice([-179.0, 179.0]) + rng.normal(0, 1), 2)),
                  "details": [{"value": float(np.round(rng.uniform(), 3))}]}]
        annotations.append(json.dumps([{"task": "T0", "value": marks}]))
    write_classifications(tmp_path / "c.csv", annotations)
    extract_config = {"extractor_config": {"shape_extractor_ellipse": [
        {"task": "T0", "shape": "ellipse", "details": {"T0_tool0": ["slider_extractor"]}}]},
        "workflow_id": 7, "workflow_version": "1.2"}
    reduce_config = {"reducer_config": {"shape_reducer_dbscan": {
        "shape": "ellipse", "eps": 6, "min_samples": 3, "details": {"T0_tool0": ["slider_reducer"]}}}}
    import yaml

    for name, config in (("e.yaml", extract_config), ("r.yaml", reduce_config)):
        (tmp_path / name).write_text(yaml.safe_dump(config))
    ref, ours = tmp_path / "ref", tmp_path / "ours"
    ref.mkdir()
    pa.scripts.extract_csv(str(tmp_path / "c.csv"), str(tmp_path / "e.yaml"), output_dir=str(ref), output_name="x",
                           hide_progressbar=True)
    extract_csv(tmp_path / "c.csv", tmp_path / "e.yaml", output_dir=ours, output_name="x")
    assert_same_csv(ref / "shape_extractor_ellipse_x.csv", ours / "shape_extractor_ellipse_x.csv")
    ref_out = pa.scripts.reduce_csv(str(ref / "shape_extractor_ellipse_x.csv"), str(tmp_path / "r.yaml"),
                                    output_dir=str(ref), output_name="y", hide_progressbar=True)
    our_out = reduce_csv(ours / "shape_extractor_ellipse_x.csv", tmp_path / "r.yaml", output_dir=ours, output_name="y")
    _, _, rows = assert_same_csv(ref_out, our_out["file"])
    assert literal(rows[0]["data.frame0.T0_tool0_clusters_count"]) == [8]
    assert "slider_mean" in rows[0]["data.frame0.T0_tool0_clusters_details"]


def _as_arrays(value):
    """The float64 arrays numpy makes of a list of lists of numbers (the reducers' reading)."""
    return [np.array(item, dtype=float) for item in value]


def _same_arrays(a, b):
    return len(a) == len(b) and all(x.dtype == y.dtype == np.float64 and x.shape == y.shape
                                    and x.tobytes() == y.tobytes() for x, y in zip(a, b))


NUMBERS = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-2**70, 2**70),
                    st.sampled_from([0, -0.0, 0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e-5,
                                     0.1, 155.11, 123456789012345.6, 1e16, 2**53 + 1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(NUMBERS, max_size=8), max_size=4))
def test_parse_number_lists_reads_what_str_writes(value):
    """Cells as str() / value_text write them: the core's arrays are numpy's of json.loads (bit for bit)."""
    from galforge import _core
    from galforge.zooniverse.texts import value_text

    for text in {str(value), value_text(value)}:
        parsed = _core.parse_number_lists(text)
        if parsed is not None:
            assert _same_arrays(parsed, _as_arrays(json.loads(text)))
    if "e" not in str(value) and "inf" not in str(value):  # plain decimals: read by the core, never passed on
        assert _core.parse_number_lists(str(value)) is not None or any(
            abs(x) < 2.3e-308 and x != 0 for item in value for x in item)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]0123456789.-+eE, ", max_size=30))
def test_parse_number_lists_on_hostile_text(text):
    """Any text: None, or exactly json.loads's numbers (never a value json would not give)."""
    from galforge import _core

    parsed = _core.parse_number_lists(text)
    if parsed is None:
        return
    value = json.loads(text)
    assert isinstance(value, list) and all(isinstance(item, list) for item in value)
    assert _same_arrays(parsed, _as_arrays(value))


@pytest.mark.parametrize("text", ["[[1e400]]", "[[-1e999, 2]]", "[[nan]]", "[[NaN, 1]]", "[[Infinity]]", "[[1,2]]",
                                  "[[1, 2],[3]]", "[ [1]]", "[[01]]", "[[1.]]", "[[.5]]", "[[+1]]", "[[1e]]",
                                  "[[1]] ", "[[1]", "[1, 2]", "[[1], 2]", "", "[", "[[[1]]]", "[['a']]", "[[-]]",
                                  "[[1e-400]]", "[[5e-324]]", "[[1]]\0", "[[1\u00e9]]", "[[\ud800]]"])
def test_parse_number_lists_passes_on_other_text(text):
    """Texts outside the strict form (or numbers beyond double's normal range) are left to the general reader."""
    from galforge import _core

    assert _core.parse_number_lists(text) is None


def test_parse_number_lists_edges():
    from galforge import _core

    assert _core.parse_number_lists("[]") == []
    out = _core.parse_number_lists("[[], [-0, -0.0, 1E2, 2e-3, 123456789012345678901234567890]]")
    assert out[0].shape == (0,) and _same_arrays(out[1:], [np.array([0.0, -0.0, 100.0, 0.002, 1.2345678901234568e29])])
    assert np.signbit(out[1][1]) and not np.signbit(out[1][0])  # the integer -0 is 0, the float -0.0 keeps its sign
    big = "[[" + ", ".join(["155.11"] * 100000) + "]]"
    assert _core.parse_number_lists(big)[0].sum() == pytest.approx(155.11 * 100000)
    with pytest.raises(ValueError, match="text must be a str"):
        _core.parse_number_lists(b"[[1]]")


def test_unflatten_paths_as_arrays():
    """paths=True reads drawing paths into arrays (the same numbers), other cells as before."""
    row = {"data.frame0.T0_tool0_pathX": "[[1.5, 2, 3]]", "data.frame0.T0_tool0_pathY": "[[1, nan, 3]]",
           "data.frame0.T0_tool0_other": "[[1.5, 2]]", "data.frame0.gold_standard": "False"}
    out = unflatten(row, paths=True)["frame0"]
    assert _same_arrays(out["T0_tool0_pathX"], [np.array([1.5, 2.0, 3.0])])
    assert out["T0_tool0_pathY"] == literal("[[1, nan, 3]]")
    assert out["T0_tool0_other"] == [[1.5, 2]] and out["gold_standard"] is False
    assert unflatten(row) == {"frame0": {k.split(".")[-1]: literal(v) for k, v in row.items()}}

"""galforge.zooniverse.extract / reduce / reduce_polygons (DataFrames) against the CLI's files on the cat
project."""
import csv
import os

import pytest

import galforge.zooniverse as gz
from galforge.errors import GalforgeValueError
from galforge.zooniverse.batch import extract_csv, reduce_csv
from zooniverse_reference import CAT_CLASSIFICATIONS, CATS

pd = pytest.importorskip("pandas")

EXTRACT_CONFIG = os.path.join(CATS, "cat_project_extractor_config.yaml")
MEDIAN_CONFIG = os.path.join(CATS, "cat_project_reducer_config.yaml")


def text(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """The command line's files: extraction, and reductions with median (the project's config) and union."""
    folder = str(tmp_path_factory.mktemp("cli"))
    extract_csv(CAT_CLASSIFICATIONS, EXTRACT_CONFIG, output_dir=folder, output_name="cat")
    extracted = os.path.join(folder, "polygon_extractor_cat.csv")
    union = {"reducer_config": {"polygon_reducer": {"average_type": "union", "eps": 0.5, "min_samples": 2}}}
    files = {"extracted": extracted,
             "median": reduce_csv(extracted, MEDIAN_CONFIG, output_dir=folder, output_name="median")["file"],
             "union": reduce_csv(extracted, union, output_dir=folder, output_name="union")["file"]}
    return {k: text(v) for k, v in files.items()} | {"extracted_path": extracted}


@pytest.fixture(scope="module")
def extracted():
    return gz.extract(CAT_CLASSIFICATIONS, EXTRACT_CONFIG)


def test_extract_matches_cli(cli, extracted):
    assert list(extracted) == ["polygon_extractor"]
    frame = extracted["polygon_extractor"]
    assert len(frame) == 128
    assert frame.to_csv(index=False) == cli["extracted"]
    assert isinstance(frame["data.frame0.T0_toolIndex0_pathX"].dropna().iloc[0], list)


def test_extract_from_dataframe_and_dicts(cli):
    table = pd.read_csv(CAT_CLASSIFICATIONS)  # ids with missing values come back as floats
    assert gz.extract(table, EXTRACT_CONFIG)["polygon_extractor"].to_csv(index=False) == cli["extracted"]
    with open(CAT_CLASSIFICATIONS, newline="", encoding="utf-8") as f:
        csv.field_size_limit(2**31 - 1)
        rows = list(csv.DictReader(f))
    records = gz.extract(rows, EXTRACT_CONFIG, as_frame=False)["polygon_extractor"]
    assert pd.DataFrame(records, dtype=object).to_csv(index=False) == cli["extracted"]


def test_extract_without_workflow_uses_every_row(extracted):
    everything = gz.extract(CAT_CLASSIFICATIONS, {"polygon_extractor": [{"task": "T0"}]})["polygon_extractor"]
    all_rows = pd.read_csv(CAT_CLASSIFICATIONS)
    assert len(everything) == len(all_rows) > 128
    # the 13.19 rows are the configured extraction's rows
    ours = everything[everything["classification_id"].isin(extracted["polygon_extractor"]["classification_id"])]
    assert ours.reset_index(drop=True).to_csv(index=False) == extracted["polygon_extractor"].to_csv(index=False)


def test_reduce_matches_cli(cli, extracted):
    frame = extracted["polygon_extractor"]
    assert gz.reduce(frame, MEDIAN_CONFIG).to_csv(index=False) == cli["median"]
    assert gz.reduce(cli["extracted_path"], MEDIAN_CONFIG).to_csv(index=False) == cli["median"]
    union = gz.reduce_polygons(pd.read_csv(cli["extracted_path"]), average_type="union", eps=0.5, min_samples=2)
    assert union.to_csv(index=False) == cli["union"]
    rows = gz.reduce(frame, MEDIAN_CONFIG, as_frame=False)
    assert len(rows) == 30 and pd.DataFrame(rows, dtype=object).to_csv(index=False) == cli["median"]


def test_bad_tables():
    with pytest.raises(GalforgeValueError, match="int"):
        gz.reduce(5, MEDIAN_CONFIG)
    with pytest.raises(GalforgeValueError, match="list of dicts"):
        gz.extract([1, 2], EXTRACT_CONFIG)


def test_identical_rows_count_once(extracted):
    """A row repeated (as values, or as the CSV's text) counts once; a row differing in one coordinate
    does not."""
    rows = extracted["polygon_extractor"].to_dict("records")
    column = "data.frame0.T0_toolIndex0_pathX"
    first = next(r for r in rows if isinstance(r[column], list))
    mine = [r for r in rows if r["subject_id"] == first["subject_id"]]
    as_text = {k: (str(v) if isinstance(v, list) else v) for k, v in first.items()}
    moved = dict(first, **{column: [[x + 1.0 for x in path] for path in first[column]]})
    config = {"reducer_config": {"polygon_reducer": {"eps": 0.5, "min_samples": 2}}}
    labels = "data.frame0.T0_toolIndex0_cluster_labels"
    once = gz.reduce(mine, config, as_frame=False)
    assert gz.reduce(mine + [dict(first), as_text], config, as_frame=False) == once
    again = gz.reduce(mine + [moved], config, as_frame=False)
    assert len(again[0][labels]) == len(once[0][labels]) + len(first[column])


def test_identical_rows_count_once_as_text_and_values(cli, extracted):
    """The CSV's rows (all text) and the same rows as values, in either order, count once."""
    from galforge.zooniverse.csvio import read_rows

    texts = read_rows(cli["extracted_path"])
    values = extracted["polygon_extractor"].to_dict("records")
    subject = texts[0]["subject_id"]
    mine_t = [r for r in texts if r["subject_id"] == subject]
    mine_v = [r for r in values if str(r["subject_id"]) == subject]
    config = {"reducer_config": {"polygon_reducer": {"eps": 0.5, "min_samples": 2}}}
    once = gz.reduce(mine_t, config, as_frame=False)
    assert gz.reduce(mine_v, config, as_frame=False) == once
    assert gz.reduce(mine_t + mine_v, config, as_frame=False) == once
    assert gz.reduce(mine_v + mine_t + mine_t, config, as_frame=False) == once

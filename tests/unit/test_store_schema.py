"""The results store writes every table with one fixed Arrow schema, whatever a chunk holds."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import missionsim.experiments.study as study
from missionsim.analysis.stats import summarise
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.runner import ID_COLUMNS
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.store import DECLARED, TABLES, Store, table_schema, to_arrow
from missionsim.experiments.sweeps import run_sweep
from missionsim.model.missions import MISSIONS
from missionsim.model.reporters import REPORTERS

SHORT = Scenario.from_mapping({"name": "short", "world": {"preset": "small"}, "horizon": 6,
                               "seed": 5})
"""Stops long before the mission's deadline: its runs have no ``target_met``."""
DEADLINE = MISSIONS[SHORT.mission].deadline
LONG = SHORT.with_changes(name="long", horizon=DEADLINE)  # reaches the deadline, no further
REPLICATES = 2
RUNS = 2 * REPLICATES  # two scenarios


def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flush: int) -> Path:
    """A compare of SHORT and LONG written ``flush`` runs to a chunk (serially, in plan order)."""
    monkeypatch.setattr(study, "FLUSH_RUNS", flush)
    out = tmp_path / "out"
    study.compare([SHORT, LONG], replicates=REPLICATES, options=RunOptions(workers=1, out=out))
    return out


def _files(out: Path, kind: str) -> list[Path]:
    return sorted((out / "chunks").glob(f"*.{kind}.parquet"))


# flush 1: runs alternate short, long, so chunks alternate all-null and all-bool target_met
# (the case a dtype inferred per chunk could not read back); flush 3: a mixed chunk, then a
# chunk of one long run
@pytest.mark.parametrize("flush", [1, 3])
def test_chunks_of_a_store_read_as_one_dataset(tmp_path, monkeypatch, flush):
    out = _store(tmp_path, monkeypatch, flush)
    runs_files = _files(out, "runs")
    assert len(runs_files) == -(-RUNS // flush)  # chunks: RUNS / flush, rounded up
    if flush == 1:
        nulls = [pq.read_table(f).column("target_met").null_count for f in runs_files]
        assert 1 in nulls and 0 in nulls  # an all-null chunk beside an all-bool one
    for kind in TABLES:
        for path in _files(out, kind):
            assert pq.read_schema(path).equals(table_schema(kind), check_metadata=False), path

    # pandas: the runs files together
    runs = pd.read_parquet([str(f) for f in runs_files])
    assert len(runs) == RUNS
    assert runs["target_met"].dtype == object
    short = runs["horizon"] < DEADLINE
    assert runs.loc[short, "target_met"].isna().all()
    assert runs.loc[~short, "target_met"].map(type).eq(bool).all()
    assert runs.loc[short, "outcome_deadline"].isna().all()
    assert (runs[["point", "replicate", "seed", "horizon"]].dtypes == "int64").all()
    assert (runs[["outcome_end", "spend_total"]].dtypes == "float64").all()

    # pyarrow: a dataset of each table's files
    table = ds.dataset([str(f) for f in runs_files], format="parquet").to_table()
    assert table.schema.field("target_met").type == pa.bool_()
    met = dict(zip(table.column("run_id").to_pylist(), table.column("target_met").to_pylist(),
                   strict=True))
    horizon = dict(zip(table.column("run_id").to_pylist(), table.column("horizon").to_pylist(),
                       strict=True))
    assert {r for r, m in met.items() if m is None} == {r for r, h in horizon.items()
                                                       if h < DEADLINE}
    for kind in ("places", "months"):
        data = ds.dataset([str(f) for f in _files(out, kind)], format="parquet").to_table()
        assert data.schema.equals(table_schema(kind), check_metadata=False)
        assert set(data.column("run_id").to_pylist()) == set(met)

    # DuckDB: a glob over the runs files
    duckdb = pytest.importorskip("duckdb")
    glob = (out / "chunks" / "*.runs.parquet").as_posix()
    query = duckdb.sql(f"select run_id, horizon, target_met, seed from read_parquet('{glob}')")
    types = dict(zip(query.columns, (str(t) for t in query.types), strict=True))
    assert types == {"run_id": "VARCHAR", "horizon": "BIGINT", "target_met": "BOOLEAN",
                     "seed": "BIGINT"}
    rows = query.fetchall()
    assert len(rows) == RUNS
    for _, horizon_, target_met, _ in rows:
        assert (target_met is None) == (horizon_ < DEADLINE)
        assert target_met is None or isinstance(target_met, bool)
    months = duckdb.sql(f"select count(*) from read_parquet('"
                        f"{(out / 'chunks' / '*.months.parquet').as_posix()}')").fetchall()[0][0]
    assert months == REPLICATES * (SHORT.horizon + 1 + LONG.horizon + 1)  # months 0..horizon

    # the package's own reader and the statistics built on it
    loaded = Results.load(out)
    assert loaded.runs["target_met"].dtype == object
    assert loaded.runs.set_index("scenario").loc["short", "target_met"].isna().all()
    assert loaded.runs.set_index("scenario").loc["long", "target_met"].notna().all()
    assert set(summarise(loaded)["scenario"]) == {"short", "long"}


def test_sweep_factor_columns_take_the_factors_types(tmp_path, monkeypatch):
    monkeypatch.setattr(study, "FLUSH_RUNS", 1)
    sweep = {"name": "types", "scenario": {"name": "toy", "world": {"preset": "small"},
                                           "horizon": 3, "seed": 5},
             "design": "factorial", "replicates": 1,
             "output": {"metric": "outcome", "month": 3},
             "factors": {"devolution.start": {"values": [0, 2]},
                         "devolution.intensity": {"values": [0.5, 1.0]},
                         "n_localities": {"values": [8, 10]}}}
    results = run_sweep(sweep, RunOptions(workers=1, out=tmp_path / "out"))
    files = _files(tmp_path / "out", "runs")
    assert len(files) == len(results.runs)
    schema = pq.read_schema(files[0])
    assert schema.field("factor:devolution.start").type == pa.int64()
    assert schema.field("factor:devolution.intensity").type == pa.float64()
    assert schema.field("factor:n_localities").type == pa.int64()
    assert all(pq.read_schema(f).equals(schema) for f in files)
    assert results.runs["factor:devolution.start"].dtype == "int64"
    assert results.runs["factor:devolution.intensity"].dtype == "float64"


def test_declared_columns_match_the_tables_the_runner_builds():
    for kind in TABLES:
        assert [f.name for f in DECLARED[kind][:len(ID_COLUMNS)]] == ID_COLUMNS
    months = table_schema("months")
    assert months.names == [*ID_COLUMNS, "month", *REPORTERS]
    assert months.field("staff_headcount").type == pa.int64()  # annotated -> int
    assert months.field("outcome").type == pa.float64()  # annotated -> float
    assert table_schema("runs").field("target_met").nullable
    assert not table_schema("runs").field("seed").nullable


def _runs_frame(**changes) -> pd.DataFrame:
    frame = pd.DataFrame({
        "run_id": ["a", "b"], "scenario": ["s", "s"], "point": [0, 0], "replicate": [0, 1],
        "seed": [1, 2], "mission": ["early_years"] * 2, "preset": ["small"] * 2,
        "horizon": [6, 36], "target_met": [None, True], "outcome_deadline": [np.nan, 70.0],
        "outcome_end": [69.0, 70.0], "reported_end": [69.0, 70.0], "spend_total": [1.0, 2.0],
        "reform_cost_total": [0.0, 0.0], "people_served": [1000.0, 1000.0],
        "params": ["{}"] * 2, "reforms": ["{}"] * 2,
    })
    for name, values in changes.items():
        if values is None:
            frame = frame.drop(columns=name)
        else:
            frame[name] = values
    return frame


def test_a_null_only_chunk_keeps_the_declared_types():
    table = to_arrow("runs", _runs_frame(target_met=[None, None],
                                         outcome_deadline=[np.nan, np.nan]))
    assert table.schema.equals(table_schema("runs"))
    assert table.column("target_met").null_count == 2


def test_extra_columns_are_text_and_factors_are_typed_whatever_the_values():
    table = to_arrow("runs", _runs_frame(**{
        "note": [{"b": 2, "a": np.int64(1)}, None],
        "factor:devolution.start": [np.nan, 12.0],  # a factor missing in one run
        "factor:no_such_parameter": [1.5, "x"],
    }))
    assert table.schema.field("note").type == pa.large_string()
    assert table.column("note").to_pylist() == ['{"a": 1, "b": 2}', None]
    assert table.schema.field("factor:devolution.start").type == pa.int64()
    assert table.column("factor:devolution.start").to_pylist() == [None, 12]
    assert table.column("factor:no_such_parameter").to_pylist() == ["1.5", "x"]
    assert table.schema.names[:len(DECLARED["runs"])] == table_schema("runs").names


@pytest.mark.parametrize(("changes", "message"), [
    ({"target_met": None}, "runs table: column 'target_met' is missing"),
    ({"horizon": [6.5, 36.0]}, "runs table: column 'horizon': cannot store as int64"),
    ({"seed": ["1", "2"]}, "runs table: column 'seed': cannot store large_string values as int64"),
    ({"target_met": [1.0, 0.0]}, "runs table: column 'target_met': cannot store double values"),
    ({"run_id": ["a", None]}, "runs table: column 'run_id': 1 missing value(s)"),
    ({"factor:devolution.start": [0.5, 1.0]},
     "runs table: column 'factor:devolution.start': cannot store as int64"),
])
def test_a_column_that_does_not_fit_is_refused_before_anything_is_written(tmp_path, changes,
                                                                         message):
    store = Store(tmp_path / "out")
    empty = pd.DataFrame()
    with pytest.raises(ValueError, match="^" + re.escape(message)) as caught:
        store.write_chunk({"runs": _runs_frame(**changes), "places": empty, "months": empty})
    assert "\n" not in str(caught.value)
    assert not store.chunks.exists() or not any(store.chunks.iterdir())

"""The model runs under Mesa's own batch runner, serially and in processes."""

import mesa
import pandas as pd

from missionsim import MissionModel


def _batch(processes):
    results = mesa.batch_run(
        MissionModel,
        parameters={"preset": "small", "horizon": 6, "competitive_share": [0.0, 0.5],
                    "reforms": [{}, {"devolution": {"start": 2}}]},
        number_processes=processes,
        rng=[1, 2],
        data_collection_period=-1,
        max_steps=100,
        display_progress=False,
    )
    return pd.DataFrame(results)


def test_batch_run_serial_and_parallel_agree():
    serial = _batch(1)
    assert len(serial) == 2 * 2 * 2
    assert {"outcome", "staff_turnover", "competitive_share", "Step"} <= set(serial.columns)
    assert (serial["Step"] == 6).all()
    parallel = _batch(2)
    key = ["competitive_share", "rng", "reforms"]
    cols = ["outcome", "spend", "mean_trust"]
    s = serial.assign(reforms=serial["reforms"].astype(str)).sort_values(key)[cols]
    p = parallel.assign(reforms=parallel["reforms"].astype(str)).sort_values(key)[cols]
    assert s.reset_index(drop=True).equals(p.reset_index(drop=True))

"""The golden summary: a few runs reduced to numbers that any model change will move."""

from missionsim import MissionModel

CASES = {
    "baseline": {},
    "all_reforms": {"reforms": {name: {"start": 6} for name in (
        "local_capacity", "long_term_funding", "civil_society_partnerships", "devolution",
        "mission_leadership", "experimentation", "workforce_codesign", "citizen_mobilisation",
        "learning_accountability")}},
    "shocks": {"params": {"funding_shock": 0.3, "funding_shock_month": 6,
                          "demand_shock": 0.5, "demand_shock_month": 12}},
    "rough_sleeping": {"mission": "rough_sleeping"},
}
COLUMNS = ("outcome", "outcome_reported", "inequality", "spend_total", "staff_turnover",
           "vacancy_rate", "charity_closures", "mean_trust", "evidence_adoption",
           "staff_headcount")


def summary() -> dict:
    """Month-36 values of the summary columns for every case and seeds 0–1."""
    out = {}
    for name, kwargs in CASES.items():
        for seed in (0, 1):
            model = MissionModel(preset="small", rng=seed, **kwargs).run(36)
            last = model.datacollector.get_model_vars_dataframe().iloc[-1]
            out[f"{name}/{seed}"] = {c: float(last[c]) for c in COLUMNS}
    return out

"""A corpus of malformed scenario, sweep and mission files, and a few valid controls.

:func:`generate` writes every case into a folder and returns them, each with its category and
whether ``missionsim validate`` must accept it. The categories are those of the input
hardening: types, structure, sizes, encodings, special files, ``extends`` chains, names,
numeric edge cases, sweep files, mission files and places files a scenario names. Everything
is deterministic (the one block of random bytes comes from a fixed seed), so a campaign can be
re-run on any version::

    .venv/bin/python tests/hostile/campaign.py              # this checkout
    .venv/bin/python tests/hostile/campaign.py --src OLD/src  # another version's source
"""

from __future__ import annotations

import os
import random
import socket
import zlib
from dataclasses import dataclass
from pathlib import Path

BAD, GOOD = False, True

WORLD = '[world]\npreset = "small"\n'
"""A valid world table, added to cases that need one."""


@dataclass(frozen=True)
class Case:
    """One file of the corpus."""

    name: str
    category: str
    path: Path
    valid: bool


class Corpus:
    """Writes cases into a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cases: list[Case] = []

    def text(self, category: str, name: str, body: str, valid: bool = BAD) -> Path:
        return self.raw(category, name, body.encode("utf-8"), valid)

    def raw(self, category: str, name: str, data: bytes, valid: bool = BAD) -> Path:
        path = self.root / category / f"{len(self.cases):03d}_{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.cases.append(Case(name, category, path, valid))
        return path

    def special(self, category: str, name: str, make, valid: bool = BAD) -> Path:
        path = self.root / category / f"{len(self.cases):03d}_{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)
        self.cases.append(Case(name, category, path, valid))
        return path


# --- the categories -----------------------------------------------------------------------------
WRONG = {"int": "7", "float": "1.5", "bool": "true", "string": '"x"', "array": "[1, 2]",
         "table": "{ a = 1 }", "datetime": "1979-05-27T07:32:00Z", "date": "1979-05-27"}
"""TOML values of each type, to put where another type is expected."""

TOP = {"name": "string", "description": "string", "mission": "string", "horizon": "int",
       "replicates": "int", "seed": "int", "world": "table", "reforms": "table",
       "uncertainties": "table", "extends": "string"}
"""Top-level scenario keys and the type each takes."""


def types(c: Corpus) -> None:
    for key, kind in TOP.items():
        for wrong, value in WRONG.items():
            if wrong == kind or (kind == "table" and wrong == "table"):
                continue
            if key in ("name", "description") and wrong == "string":
                continue
            c.text("types", f"{key}_{wrong}", f"{key} = {value}\n")
    for wrong in ("int", "array", "table", "bool"):
        c.text("types", f"preset_{wrong}", f"[world]\npreset = {WRONG[wrong]}\n")
    for wrong in ("string", "array", "table", "datetime"):
        c.text("types", f"param_{wrong}", f"{WORLD}[world.params]\nsilo = {WRONG[wrong]}\n")
    for field, kinds in {"start": ("string", "float", "bool", "array"),
                         "end": ("string", "float", "table"),
                         "intensity": ("string", "bool", "array"),
                         "enabled": ("string", "int")}.items():
        for wrong in kinds:
            c.text("types", f"reform_{field}_{wrong}",
                   f"{WORLD}[reforms.devolution]\n{field} = {WRONG[wrong]}\n")
    for field in ("low", "high"):
        for wrong in ("string", "bool", "array"):
            other = "high = 0.5" if field == "low" else "low = 0.1"
            c.text("types", f"uncertainty_{field}_{wrong}",
                   f"[uncertainties.silo]\n{field} = {WRONG[wrong]}\n{other}\n")


def structure(c: Corpus) -> None:
    cases = {
        "unknown_top_key": "horizn = 12\n",
        "unknown_world_key": "[world]\npresets = 'small'\n",
        "unknown_reform_key": f"{WORLD}[reforms.devolution]\nstrat = 1\n",
        "unknown_uncertainty_key": "[uncertainties.silo]\nlow = 0.1\nhigh = 0.2\nmid = 1\n",
        "unknown_reform": f"{WORLD}[reforms.teleportation]\nstart = 1\n",
        "unknown_param": f"{WORLD}[world.params]\nhappiness = 1\n",
        "unknown_preset": "[world]\npreset = 'mars'\n",
        "unknown_mission": "mission = 'moonshot'\n",
        "unknown_uncertain_param": "[uncertainties.luck]\nlow = 0\nhigh = 1\n",
        "reforms_array": "reforms = ['devolution']\n",
        "reform_number": "[reforms]\ndevolution = 1\n",
        "world_params_array": "[world]\nparams = [1, 2]\n",
        "uncertainty_number": "[uncertainties]\nsilo = 0.5\n",
        "uncertainty_whole_number_range": "[uncertainties.n_localities]\nlow = 0\nhigh = 9\n",
        "uncertainty_reversed": "[uncertainties.silo]\nlow = 0.9\nhigh = 0.1\n",
        "uncertainty_outside": "[uncertainties.silo]\nlow = 0.0\nhigh = 2.0\n",
        "uncertainty_one_bound": "[uncertainties.silo]\nlow = 0.1\n",
        "end_before_start": f"{WORLD}[reforms.devolution]\nstart = 12\nend = 6\n",
        "end_equal_start": f"{WORLD}[reforms.devolution]\nstart = 12\nend = 12\n",
        "duplicate_key": "horizon = 12\nhorizon = 24\n",
        "duplicate_table": "[world]\npreset = 'small'\n[world]\npreset = 'small'\n",
        "table_redefined_by_dotted": "[world]\npreset = 'small'\n[world.params.silo]\nx = 1\n",
        "array_of_tables": "[[world]]\npreset = 'small'\n",
        "dotted_conflict": "world.preset = 'small'\nworld = 3\n",
        "inline_table_extended": "world = { preset = 'small' }\n[world.params]\nsilo = 0.5\n",
        "source_key": "source = 'elsewhere.toml'\n",
        "missing_value": "horizon =\n",
        "unterminated_string": 'name = "open\n',
        "unterminated_array": "horizon = [1, 2\n",
        "bare_word": "hello\n",
        "html": "<html><body>not toml</body></html>\n",
        "json": '{"name": "json", "horizon": 12}\n',
        "yaml": "name: yaml\nhorizon: 12\n",
        "key_only_whitespace": '" " = 1\n',
        "empty_table_name": "[]\nx = 1\n",
        "sweep_keys_in_scenario": "samples = 8\n",
    }
    for name, body in cases.items():
        c.text("structure", name, body)


def sizes(c: Corpus) -> None:
    c.raw("sizes", "just_over_1mb", b"# " + b"x" * 1_000_000 + b"\nhorizon = 12\n")
    c.raw("sizes", "five_mb", b"horizon = 12\n" + b"# padding " * 500_000)
    c.text("sizes", "name_2mb", f'name = "{"n" * 2_000_000}"\n')
    c.text("sizes", "name_500kb", f'name = "{"n" * 500_000}"\n')
    c.text("sizes", "key_100k", f'"{"k" * 100_000}" = 1\n')
    c.text("sizes", "param_key_100k", f'{WORLD}[world.params]\n"{"k" * 100_000}" = 1\n')
    c.text("sizes", "description_3000", f'description = "{"d" * 3000}"\n')
    for depth in (17, 100, 900, 5000):
        c.text("sizes", f"nested_arrays_{depth}",
               f"horizon = {'[' * depth}1{']' * depth}\n")
    for depth in (20, 500):
        c.text("sizes", f"nested_inline_tables_{depth}",
               "x = " + "{ a = " * depth + "1" + " }" * depth + "\n")
    c.text("sizes", "dotted_keys_2000", "a" + ".a" * 2000 + " = 1\n")
    c.text("sizes", "array_100k", "x = [" + ", ".join(["1"] * 100_000) + "]\n")
    c.text("sizes", "many_keys", "".join(f"k{i} = {i}\n" for i in range(20_000)))
    c.text("sizes", "many_reforms", WORLD + "".join(f"[reforms.r{i}]\nstart = 1\n"
                                                    for i in range(3000)))
    c.text("sizes", "long_line_value", f"horizon = {'1' * 5000}\n")


def encodings(c: Corpus) -> None:
    body = 'name = "enc"\nhorizon = 12\n'
    c.raw("encodings", "utf16_le_bom", body.encode("utf-16"))
    c.raw("encodings", "utf16_be", body.encode("utf-16-be"))
    c.raw("encodings", "utf32", body.encode("utf-32"))
    c.raw("encodings", "latin1", 'name = "café"\n'.encode("latin-1"))
    c.raw("encodings", "cp1252_quotes", b'name = \x93smart\x94\n')
    c.raw("encodings", "invalid_utf8", b'name = "\xff\xfe"\n')
    c.raw("encodings", "overlong_utf8", b'name = "\xc0\xaf"\n')
    c.raw("encodings", "nul_in_file", b'horizon = 12\x00\n')
    c.raw("encodings", "nul_in_string", b'name = "a\x00b"\n')
    c.raw("encodings", "control_char", b'name = "a\x07b"\n')
    c.raw("encodings", "lone_surrogate_escape", b'name = "\\ud800"\n')
    c.raw("encodings", "bom_only", b"\xef\xbb\xbf")
    c.raw("encodings", "bom_twice", b"\xef\xbb\xbf\xef\xbb\xbfhorizon = 12\n")
    c.raw("encodings", "bom_then_garbage", b"\xef\xbb\xbf\x00\x01\x02")
    c.raw("encodings", "gzip", zlib.compress(body.encode()))
    rng = random.Random(20260)
    c.raw("encodings", "random_bytes", bytes(rng.randrange(256) for _ in range(4096)))
    c.raw("encodings", "cr_only_newlines", b'name = "cr"\rhorizon = 12\r')
    c.raw("encodings", "form_feed", b'\x0chorizon = 12\n')
    # valid controls: a BOM (as Windows editors write), CRLF, non-ASCII letters
    c.raw("encodings", "bom_valid", b"\xef\xbb\xbf" + (body + WORLD).encode(), GOOD)
    c.raw("encodings", "crlf_valid", (body + WORLD).replace("\n", "\r\n").encode(), GOOD)
    c.text("encodings", "unicode_name_valid", f'name = "Ōsaka café ✓"\n{WORLD}', GOOD)


def special(c: Corpus) -> None:
    c.special("special", "folder", lambda p: p.mkdir())
    c.special("special", "fifo", lambda p: os.mkfifo(p))
    c.special("special", "dev_zero_link", lambda p: p.symlink_to("/dev/zero"))
    c.special("special", "dev_null_link", lambda p: p.symlink_to("/dev/null"))
    c.special("special", "dev_urandom_link", lambda p: p.symlink_to("/dev/urandom"))

    def loop(p: Path) -> None:
        other = p.with_name(p.name + ".other")
        other.symlink_to(p.name)
        p.symlink_to(other.name)

    c.special("special", "symlink_loop", loop)
    c.special("special", "self_link", lambda p: p.symlink_to(p.name))
    c.special("special", "dangling_link", lambda p: p.symlink_to("nowhere.toml"))
    c.special("special", "folder_link", lambda p: p.symlink_to("/tmp"))

    def sock(p: Path) -> None:
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(p))

    if len(str(c.root)) < 80:  # a socket's path must fit in 108 bytes
        c.special("special", "socket", sock)
    c.special("special", "missing", lambda p: None)


def extends(c: Corpus) -> None:
    base = c.root / "extends"
    base.mkdir(parents=True, exist_ok=True)
    (base / "folder").mkdir(exist_ok=True)
    fifo = base / "a_fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    (base / "empty.toml").write_text("")
    (base / "binary.toml").write_bytes(bytes(range(256)))
    (base / "huge.toml").write_bytes(b"#" * 2_000_000)
    (base / "bad_parent.toml").write_text("horizon = 'long'\n")
    (base / "sweep_file.toml").write_text("design = 'lhs'\nsamples = 4\n")
    targets = {
        "missing": "missing.toml", "folder": "folder", "fifo": "a_fifo",
        "dev_zero": "/dev/zero", "dev_null": "/dev/null", "passwd": "/etc/passwd",
        "binary": "binary.toml", "empty": "empty.toml", "huge": "huge.toml",
        "bad_parent": "bad_parent.toml", "sweep_file": "sweep_file.toml",
        "absolute_missing": "/nonexistent/deeply/x.toml", "blank": "   ",
        "empty_string": "", "very_long": "x" * 5000, "nul": "a\\u0000b.toml",
        "newline": "a\\nb.toml", "proc_self": "/proc/self/status",
    }
    for name, target in targets.items():
        c.text("extends", f"to_{name}", f'extends = "{target}"\n')
    for name, value in (("number", "3"), ("array", "['a.toml']"), ("table", "{ a = 1 }"),
                        ("bool", "true")):
        c.text("extends", f"as_{name}", f"extends = {value}\n")
    c.text("extends", "self", "")
    self_case = c.cases[-1]
    self_case.path.write_text(f'extends = "{self_case.path.name}"\n')
    for size in (2, 3):
        names = [f"cycle{size}_{i}.toml" for i in range(size)]
        for i, n in enumerate(names):
            (base / n).write_text(f'extends = "{names[(i + 1) % size]}"\n')
        c.text("extends", f"cycle_of_{size}", f'extends = "{names[0]}"\n')
    for i in range(40):
        (base / f"chain{i}.toml").write_text("horizon = 12\n" if i == 0 else
                                             f'extends = "chain{i - 1}.toml"\n')
    c.text("extends", "chain_of_41", 'extends = "chain39.toml"\n')
    c.text("extends", "valid_chain_control", 'extends = "chain20.toml"\n' + WORLD, GOOD)


def names(c: Corpus) -> None:
    bad = {"empty": '""', "spaces": '"   "', "newline": '"a\\nb"', "carriage": '"a\\rb"',
           "tab_only": '"\\t"', "nul": '"a\\u0000b"', "escape": '"a\\u001bb"',
           "rtl_override": '"abc\\u202edef"', "ltr_isolate": '"a\\u2066b"',
           "zero_width": '"a\\u200bb"', "bell": '"\\u0007"', "del": '"a\\u007fb"',
           "line_separator": '"a\\u2028b"', "too_long": f'"{"n" * 101}"',
           "very_long": f'"{"n" * 100_000}"', "number": "12", "bool": "false",
           "array": '["a"]', "description_nul": None, "description_long": None,
           "description_rtl": None}
    for name, value in bad.items():
        if name == "description_nul":
            body = 'description = "a\\u0000b"\n'
        elif name == "description_long":
            body = f'description = "{"d" * 2001}"\n'
        elif name == "description_rtl":
            body = 'description = "x\\u202ey"\n'
        else:
            body = f"name = {value}\n"
        c.text("names", name, body)
    for name, value in {"padded_valid": '"  padded  "', "emoji_valid": '"mission 🚀"',
                        "hundred_valid": f'"{"n" * 100}"',
                        "multiline_description_valid": None}.items():
        body = (f"name = {value}\n{WORLD}" if value else
                f'description = """two\nlines"""\n{WORLD}')
        c.text("names", name, body, GOOD)


def numbers(c: Corpus) -> None:
    values = {
        "horizon": ["0", "-1", "601", "9223372036854775807", "99999999999999999999999",
                    "1e308", "inf", "nan", "12.0"],
        "replicates": ["0", "-5", "100001", "10000000", "inf", "2.5"],
        "seed": ["-1", "9223372036854775808", "18446744073709551616", "1.5", "nan"],
    }
    for key, options in values.items():
        for i, value in enumerate(options):
            c.text("numbers", f"{key}_{i}", f"{key} = {value}\n")
    params = {"silo": ["inf", "-inf", "nan", "1e308", "-1e-308", "1.0000001", "-0.5"],
              "n_localities": ["0", "401", "inf", "nan", "2.5", "1e20", "-3",
                               "99999999999999999999999"],
              "cohort_total": ["999", "5000001", "1e400", "true"]}
    for name, options in params.items():
        for i, value in enumerate(options):
            c.text("numbers", f"param_{name}_{i}", f"{WORLD}[world.params]\n{name} = {value}\n")
    c.text("numbers", "world_at_maximum",
           "[world.params]\nn_localities = 400\ncharities_per_locality = 40\n"
           "staff_per_1000 = 500.0\ncohort_total = 5000000\n")
    c.text("numbers", "world_too_big_by_uncertainty",
           "[world.params]\ncohort_total = 5000000\n"
           "[uncertainties.staff_per_1000]\nlow = 10.0\nhigh = 400.0\n")
    for i, (start, end, intensity) in enumerate([
            ("500", None, None), ("1000000000", None, None), ("120", None, None),
            ("-1", None, None), ("0", "0", None), ("0", "-4", None), (None, None, "1.5"),
            (None, None, "-0.1"), (None, None, "nan"), (None, None, "inf"),
            ("9223372036854775807", None, None), ("0", "99999999999999999999", None)]):
        lines = [f"start = {start}" if start else "", f"end = {end}" if end else "",
                 f"intensity = {intensity}" if intensity else ""]
        c.text("numbers", f"reform_{i}", WORLD + "[reforms.devolution]\n"
               + "\n".join(x for x in lines if x) + "\n")
    for i, (low, high) in enumerate([("nan", "0.5"), ("0.1", "inf"), ("-inf", "0.5"),
                                     ("0.5", "0.1"), ("1e308", "1e308"), ("-1", "0.5")]):
        c.text("numbers", f"uncertainty_{i}", f"[uncertainties.silo]\nlow = {low}\n"
               f"high = {high}\n")
    c.text("numbers", "reform_start_last_month_valid",
           "horizon = 24\n" + WORLD + "[reforms.devolution]\nstart = 23\n", GOOD)
    c.text("numbers", "zero_intensity_valid", WORLD + "[reforms.devolution]\nintensity = 0\n",
           GOOD)


SWEEP = '''name = "s"
scenario = { world = { preset = "small" }, horizon = 24 }
design = "lhs"
samples = 4
'''


def sweeps(c: Corpus) -> None:
    factor = '[factors."devolution.intensity"]\nlow = 0.0\nhigh = 1.0\n'
    cases = {
        "unknown_design": SWEEP.replace('"lhs"', '"magic"') + factor,
        "no_factors": SWEEP,
        "empty_factors": SWEEP + "[factors]\n",
        "samples_missing": SWEEP.replace("samples = 4\n", "") + factor,
        "samples_zero": SWEEP.replace("samples = 4", "samples = 0") + factor,
        "samples_huge": SWEEP.replace("samples = 4", "samples = 100000000") + factor,
        "sobol_not_power_of_two": SWEEP.replace('"lhs"', '"sobol"').replace(
            "samples = 4", "samples = 6") + factor,
        "unknown_factor": SWEEP + "[factors.luck]\nlow = 0\nhigh = 1\n",
        "unknown_reform_factor": SWEEP + '[factors."warp.intensity"]\nlow = 0\nhigh = 1\n',
        "unknown_reform_field": SWEEP + '[factors."devolution.power"]\nlow = 0\nhigh = 1\n',
        "bool_levels_for_a_number": SWEEP.replace('"lhs"', '"factorial"') + (
            "[factors.n_localities]\nvalues = [true, false]\n"),
        "factor_reversed": SWEEP + '[factors."devolution.intensity"]\nlow = 1.0\nhigh = 0.0\n',
        "factor_outside": SWEEP + '[factors."devolution.intensity"]\nlow = 0.0\nhigh = 3.0\n',
        "factor_inf": SWEEP + "[factors.silo]\nlow = 0.0\nhigh = inf\n",
        "factor_start_past_horizon": SWEEP + '[factors."devolution.start"]\nlow = 0\n'
                                             "high = 48\n",
        "factor_world_too_big": SWEEP + "[factors.staff_per_1000]\nlow = 10.0\nhigh = 500.0\n"
                                        "[factors.cohort_total]\nlow = 100000\nhigh = 5000000\n",
        "unknown_metric": SWEEP + factor + '[output]\nmetric = "happiness"\n',
        "month_past_horizon": SWEEP + factor + "[output]\nmonth = 99\n",
        "scenario_missing_file": SWEEP.replace('{ world = { preset = "small" }, horizon = 24 }',
                                               '"nowhere.toml"') + factor,
        "scenario_fifo": SWEEP.replace('{ world = { preset = "small" }, horizon = 24 }',
                                       '"/dev/zero"') + factor,
        "scenario_bad_table": SWEEP.replace("horizon = 24", "horizon = -1") + factor,
        "runs_over_the_limit": SWEEP.replace("samples = 4", "samples = 40") + (
            "replicates = 100000\n" + factor),
        "name_newline": SWEEP.replace('name = "s"', 'name = "s\\nt"') + factor,
        "factorial_valid": SWEEP.replace('"lhs"', '"factorial"').replace(
            "samples = 4\n", "") + '[factors."devolution.start"]\nvalues = [0, 12]\n',
    }
    for name, body in cases.items():
        c.text("sweeps", name, body, GOOD if name.endswith("_valid") else BAD)
    c.text("sweeps", "lhs_valid", SWEEP + factor, GOOD)


MISSION = """title = "t"
indicator = "people counted"
unit = "people"
direction = "lower"
aggregate = "sum"
start_label = "2020-01"
baseline = 1000.0
spread_sd = 0.5
deprivation_effect = 2.0
target = 500.0
deadline = 24
best = 100.0
response_months = 6.0
elasticity = 1.0
momentum = 0.0
noise = 0.02
gameability = 0.5
[sources]
baseline = "b"
spread_sd = "assumption"
deprivation_effect = "assumption"
target = "t"
deadline = "t"
best = "assumption"
response_months = "assumption"
elasticity = "assumption"
momentum = "assumption"
noise = "assumption"
gameability = "assumption"
"""
"""A valid mission file (each mission case names itself, so shipped names are not taken)."""


def missions(c: Corpus) -> None:
    def own(name: str, body: str) -> str:
        return f'name = "corpus_{name}"\n' + body

    cases = {
        "mission_valid": MISSION,
        "direction_sideways": MISSION.replace('"lower"', '"sideways"'),
        "baseline_text": MISSION.replace("baseline = 1000.0", 'baseline = "many"'),
        "baseline_nan": MISSION.replace("baseline = 1000.0", "baseline = nan"),
        "target_past_best": MISSION.replace("target = 500.0", "target = 10.0"),
        "best_above_baseline": MISSION.replace("best = 100.0", "best = 5000.0"),
        "deadline_huge": MISSION.replace("deadline = 24", "deadline = 99999999999"),
        "gameability_negative": MISSION.replace("gameability = 0.5", "gameability = -1.0"),
        "response_zero": MISSION.replace("response_months = 6.0", "response_months = 0.0"),
        "source_missing": MISSION.replace('noise = "assumption"\n', ""),
        "source_empty": MISSION.replace('noise = "assumption"', 'noise = "  "'),
        "trend_not_pairs": MISSION.replace("[sources]", "trend = [1, 2]\n[sources]"),
        "trend_huge_path": MISSION.replace("[sources]", "trend = [" + ", ".join(
            f"[{m}, 1.0]" for m in range(700)) + "]\n[sources]"),
        "calibrated_missing": MISSION.replace("elasticity = 1.0",
                                              'elasticity = { calibrated = "../../etc" }'),
        "calibrated_fifo": MISSION.replace("elasticity = 1.0",
                                           'elasticity = { calibrated = "/dev/zero" }'),
        "world_unknown": MISSION + '[world]\nmagic = 1\n',
        "world_too_big": MISSION.replace("[sources]", "[world]\ncohort_total = 90000000\n"
                                         "[sources]"),
        "displacement_half": MISSION + '[displacement]\nshare = 0.5\n',
        "shipped_name_taken": MISSION.replace('title = "t"', 'name = "early_years"\ntitle = "t"'),
    }
    for name, body in cases.items():
        if "name =" not in body:
            body = own(name, body)
        c.text("missions", name, body, GOOD if name.endswith("_valid") else BAD)
    # scenarios naming mission files
    good = c.text("missions", "named_valid", own("named_valid", MISSION), GOOD)
    bad = c.root / "missions" / "bad_mission.toml"
    bad.write_text(MISSION.replace('"lower"', '"down"'), encoding="utf-8")
    c.text("missions", "scenario_good_mission_valid", f'mission = "{good.name}"\n' + WORLD, GOOD)
    c.text("missions", "scenario_bad_mission", 'mission = "bad_mission.toml"\n' + WORLD)
    c.text("missions", "scenario_missing_mission", 'mission = "nowhere.toml"\n' + WORLD)
    c.text("missions", "scenario_mission_folder", 'mission = "../missions.toml"\n' + WORLD)


PLACES = ("la_code,la_name,cohort_2018,fsm_cohort_2018,gld_2018,statistical_neighbours\n"
          "A1,Alpha,1000,150,70.0,B2\nB2,Beta,2000,300,72.5,A1\n")
"""A valid places file of two places that are each other's neighbour."""


def places(c: Corpus) -> None:
    def with_places(name: str, text: str | bytes) -> Path:
        path = c.root / "places" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    rows = PLACES.splitlines()
    files = {
        "places_valid": PLACES,
        "missing_code_column": PLACES.replace("la_code,", "code,"),
        "repeated_code": PLACES.replace("B2,Beta", "A1,Beta"),
        "unknown_neighbour": PLACES.replace(",B2\n", ",Z9\n"),
        "own_neighbour": PLACES.replace(",B2\n", ",A1\n"),
        "gld_over_100": PLACES.replace("72.5", "172.5"),
        "fsm_over_cohort": PLACES.replace(",300,", ",3000,"),
        "cohort_text": PLACES.replace("2000", "many"),
        "cohort_nan": PLACES.replace("2000", "nan"),
        "short_row": "\n".join([rows[0], rows[1], "B2,Beta,2000"]) + "\n",
        "unknown_column": PLACES.replace("gld_2018", "gdp_2018"),
        "no_places": rows[0] + "\n",
        "empty": "",
        "binary": bytes(random.Random(19).getrandbits(8) for _ in range(4096)),
        "nul_bytes": PLACES.replace("Alpha", "Al\x00pha"),
        "huge": PLACES + "".join(f"C{i},Gamma {i},10,1,50.0,\n" for i in range(12_000)),
        "two_cohort_years": PLACES.replace("gld_2018", "cohort_2017"),
    }
    for name, text in files.items():
        path = with_places(name, text)
        c.text("places", name, f'name = "{name}"\n[world]\npreset = "small"\n'
               f'places = "../places/{path.name}"\n', GOOD if name.endswith("_valid") else BAD)
    for name, target in {"places_folder": "../places", "places_dev_zero": "/dev/zero",
                         "places_missing": "nowhere.csv", "places_not_text": "7"}.items():
        body = f'name = "{name}"\n[world]\nplaces = "{target}"\n'
        c.text("places", name, body.replace('"7"', "7") if target == "7" else body)
    c.text("places", "places_and_size", 'name = "sized"\n[world]\n'
           'places = "../places/places_valid.csv"\n[world.params]\nn_localities = 5\n')


CATEGORIES = (types, structure, sizes, encodings, special, extends, names, numbers, sweeps,
              missions, places)


def generate(root: Path) -> list[Case]:
    """Write the whole corpus under ``root`` (which must be empty or absent); its cases."""
    corpus = Corpus(Path(root))
    corpus.root.mkdir(parents=True, exist_ok=True)
    for category in CATEGORIES:
        category(corpus)
    return corpus.cases

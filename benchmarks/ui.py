"""Speed of the browser app, measured in a real browser against a real server.

Targets (issue: the workshop browser app):

- a page is usable within 5 s of opening (first chart drawn);
- one step of the workshop preset with every chart redrawn takes ≤ 250 ms (click to redrawn);
- the network view takes ≤ 300 ms a frame at the england preset, drawn (``england``) and
  with England's 152 real councils from the shipped places file (``england_councils``).

Each timing is wall-clock from the browser's side: the click, the websocket round trip, the
model step, the charts' ECharts options built on the server (and the places' SVG tile map),
ECharts drawing them (as SVG) and the browser's layout and paint (``requestAnimationFrame``
after the network's title shows the new month). The server-side share (model step plus
building every chart's option and encoding it as JSON, as it is sent) is timed separately in
this process.

    .venv/bin/python benchmarks/ui.py                 # about a minute
    .venv/bin/python benchmarks/ui.py --steps 40 --json benchmarks/results/ui.json
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, Server  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from missionsim.ui.labels import choice_title  # noqa: E402
from missionsim.ui.live import LiveRun, Settings  # noqa: E402

TARGETS = {"page_s": 5.0, "workshop_step_ms": 250.0, "england_frame_ms": 300.0}
WORLDS = (
    # (key, picker choice, places shown in the places chart, target, what is timed)
    ("workshop", "world: workshop", 30, "workshop_step_ms", "one step, every chart redrawn"),
    ("england", "world: england", 153, "england_frame_ms", "one frame with the network"),
    ("england_councils", "world: england_councils", 152, "england_frame_ms",
     "one frame with the network (the real councils)"),
)
"""The worlds whose steps are timed, in the browser and on the server."""

REDRAWN = """([old]) => new Promise(resolve => {
    const check = () => {
        const m = document.querySelector('.ms-month .value');
        const n = document.querySelector('.ms-chart-network');
        const month = m ? /Month (\\d+)/.exec(m.innerText) : null;
        if (m && m.innerText !== old && n && month
                && n.innerText.includes('month ' + month[1])) {
            requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)));
        } else { setTimeout(check, 2); }
    };
    check();
})"""


def sent(figure) -> str:
    """A chart's option as the browser gets it (JSON)."""
    return json.dumps(figure.option, allow_nan=False)


def server_side(choice: str, steps: int) -> dict[str, float]:
    """Model step and chart building in this process (ms per step, median)."""
    settings = Settings.start(choice)
    live = LiveRun(settings.scenario(), settings.replicate)
    step_ms, charts_ms, network_ms = [], [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        live.step(1)
        t1 = time.perf_counter()
        live.headline()
        for draw in (live.trajectory_chart, live.workforce_chart, live.finance_chart,
                     live.charities_chart):
            sent(draw())
        live.places_svg()
        t2 = time.perf_counter()
        sent(live.network_chart())
        t3 = time.perf_counter()
        step_ms.append((t1 - t0) * 1e3)
        charts_ms.append((t2 - t1) * 1e3)
        network_ms.append((t3 - t2) * 1e3)
    return {"model_step_ms": statistics.median(step_ms),
            "charts_ms": statistics.median(charts_ms),
            "network_ms": statistics.median(network_ms)}


def pick(page, option: str) -> None:
    """Choose exactly ``option``, shown by its title (one title may start another's)."""
    page.get_by_label("Start from").click(force=True)
    exact = re.compile(rf"^\s*{re.escape(choice_title(option))}\s*$")
    page.locator(".v-menu__content .v-list-item", has_text=exact).first.click()


def browser_side(url: str, steps: int) -> dict[str, object]:
    """Page-open times and click-to-redrawn step times in Chromium."""
    out: dict[str, object] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(60_000)
        opens = {}
        for path, ready in (("/", ".ms-chart-network svg"), ("/explain", ".ms-explain"),
                            ("/compare", ".ms-compare-run")):
            t0 = time.perf_counter()
            page.goto(url + path)
            page.wait_for_selector(ready)
            opens[path] = time.perf_counter() - t0
        out["page_s"] = opens
        for key, choice, places, *_ in WORLDS:
            page.goto(url + "/")
            page.wait_for_selector(".ms-chart-network svg")
            pick(page, choice)
            expected = f"of {places}"
            page.wait_for_function(
                "([f]) => document.querySelector('.ms-chart-places').innerText.includes(f)",
                arg=[expected])
            times = []
            for _ in range(steps):
                old = page.inner_text(".ms-month .value")
                t0 = time.perf_counter()
                page.get_by_role("button", name="Step", exact=True).click()
                page.evaluate(REDRAWN, [old])
                times.append((time.perf_counter() - t0) * 1e3)
            out[f"{key}_step_ms"] = {"median": statistics.median(times),
                                     "p90": sorted(times)[int(0.9 * (len(times) - 1))],
                                     "max": max(times)}
        context.close()
        browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="steps timed per world")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args()

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(Path(tmp))
        try:
            browser = browser_side(srv.url, args.steps)
        finally:
            srv.stop()
    server = {key: server_side(choice, args.steps) for key, choice, *_ in WORLDS}

    page_worst = max(browser["page_s"].values())
    rows = [
        ("page usable after opening (worst of 3 pages)", f"{page_worst:.2f} s",
         f"≤ {TARGETS['page_s']:.0f} s", page_worst <= TARGETS["page_s"]),
        *((f"{key}: {what} (median)", f"{browser[f'{key}_step_ms']['median']:.0f} ms",
           f"≤ {TARGETS[target]:.0f} ms", browser[f"{key}_step_ms"]["median"] <= TARGETS[target])
          for key, _, _, target, what in WORLDS),
    ]
    print(f"Browser app speed ({platform.node()}, {args.steps} steps per world)\n")
    print("| measure | value | target | |\n|---|---:|---:|---|")
    for name, value, target, ok in rows:
        print(f"| {name} | {value} | {target} | {'ok' if ok else 'FAIL'} |")
    print("\n| page | opened in |\n|---|---:|")
    for path, s in browser["page_s"].items():
        print(f"| {path} | {s:.2f} s |")
    print("\n| world | click to redrawn: median / p90 / max | server: model step | server: "
          "charts | server: network |\n|---|---:|---:|---:|---:|")
    for key, *_ in WORLDS:
        b, s = browser[f"{key}_step_ms"], server[key]
        print(f"| {key} | {b['median']:.0f} / {b['p90']:.0f} / {b['max']:.0f} ms | "
              f"{s['model_step_ms']:.1f} ms | {s['charts_ms']:.1f} ms | "
              f"{s['network_ms']:.1f} ms |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"browser": browser, "server": server,
                                         "targets": TARGETS}, indent=2))
    return 1 if args.strict and not all(ok for *_, ok in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

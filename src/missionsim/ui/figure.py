"""Shows a chart (a :class:`~missionsim.ui.echarts.Figure`) on a page, with its CSV download.

Charts are drawn by ECharts through Solara's own ECharts widget, told to draw SVG rather than
on a canvas and to update a drawn chart in place (:class:`SvgEcharts`, :data:`PATCHES`), so
chart text stays selectable, screenshots stay sharp, the browser tests can read and measure a
chart's text, and a zoom survives the next frame. :func:`ChartPanel` puts a chart in a
div the tests and screenshots find by class, with a small "Download data (CSV)" button under
it; if building the chart fails, the panel shows a one-line message instead (logged once,
as :func:`missionsim.ui.guard.panel_markup` does for HTML panels) and the rest of the page
carries on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solara
import traitlets
from solara.components.echarts import EchartsWidget

from missionsim.ui.echarts import Figure
from missionsim.ui.guard import failure_markup, report_failure

log = logging.getLogger(__name__)

PATCHES = (
    ("this.echarts.init(this.$refs.echarts)",
     "this.echarts.init(this.$refs.echarts, null, {renderer: 'svg'})",
     "draw SVG rather than on a canvas"),
    ("/dist/echarts.js", "/dist/echarts.min.js",
     "load the minified ECharts that solara-assets ships beside it (a third of the size)"),
    ("    option() {", "    option_json() {",
     "redraw when the option's JSON changes"),
    ("this.chart.setOption(this.option, true);",
     "this.chart.setOption(JSON.parse(this.option_json), {replaceMerge: ['series']});",
     "update a drawn chart in place (series replaced, the rest merged) rather than rebuild it "
     "at every frame of a play, which keeps a zoom and the legend's choices between frames"),
    ("this.chart.setOption(this.option, true);",
     "this.chart.setOption(JSON.parse(this.option_json), true);",
     "draw a chart from the option's JSON"),
)
"""Changes to Solara's ECharts template, each ``(old, new, why)``, made in order, each to the
first match (the first ``setOption`` in the template updates a drawn chart, the second draws
it first). The option travels as one JSON string (:attr:`SvgEcharts.option_json`) rather
than as nested objects: sending and receiving it is far cheaper at every frame of a play
than Jupyter's message encoding and Vue's deep watching of thousands of small objects."""


def _svg_template() -> str:
    """Solara's ECharts template with :data:`PATCHES`.

    A patch whose text Solara's template no longer has is left out, with a warning.
    """
    module, name = EchartsWidget.template_file
    template = (Path(module).parent / name).read_text(encoding="utf-8")
    for old, new, why in PATCHES:
        if old not in template:
            log.warning("Solara's ECharts template changed: cannot %s", why)
        template = template.replace(old, new, 1)
    return template


SVG_TEMPLATE = _svg_template()
"""The template of :class:`SvgEcharts`."""


class SvgEcharts(EchartsWidget):
    """Solara's ECharts widget (``solara.FigureEcharts``), drawing SVG (:data:`PATCHES`).

    Attributes:
        option_json: The ECharts option as JSON (``option`` is left empty).
    """

    template_file = None
    option_json = traitlets.Unicode("{}").tag(sync=True)

    @traitlets.default("template")
    def _template(self) -> str:
        return SVG_TEMPLATE


@dataclass(frozen=True)
class Csv:
    """A chart's CSV, built when downloaded: ``getattr(source, method)(*args).csv()``.

    Equal for the same chart of the same source, so a redraw at every frame of a playing run
    does not reset the download (Solara's ``FileDownload`` restarts when its data changes).
    """

    source: Any
    method: str
    args: tuple = ()

    def __call__(self) -> bytes:
        """The chart's data as CSV, built now."""
        return getattr(self.source, self.method)(*self.args).csv()


def guarded(build: Callable[[], Figure], name: str) -> tuple[Figure | None, str]:
    """The figure ``build`` returns, or ``None`` and a one-line message if it fails (logged)."""
    try:
        return build(), ""
    except Exception as exc:  # noqa: BLE001 - one panel's failure must not take the page down
        report_failure(name, exc)
        return None, failure_markup(name, exc)


FOLD_PX = 340
"""What a chart shares a 1280×720 projector with: the app bar, the headline, the row's
margins and the chart's download button, in CSS pixels. No chart is drawn taller than the
rest of the screen, so a chart beside the mission chart stays above the fold (ECharts redraws
when its box resizes)."""
MIN_CHART_PX = 300
"""The least height of a chart, however short the window, in CSS pixels."""


def panel_height(height: int) -> str:
    """The CSS of a chart's box: ``height`` px, or less where the window is short."""
    return (f"height: min({height}px, max({MIN_CHART_PX}px, calc(100vh - {FOLD_PX}px))); "
            "width: 100%;")


CHART_CSS = """
.ms-chart-download .v-btn { font-size: 14px; height: 28px !important; text-transform: none; }
.ms-chart-download { margin: 0 0 10px 8px; }
.ms-tooltip { font-size: 14px !important; }
.ms-chart-places svg { max-width: 420px; }
"""
"""Styles of the chart panels: a small download button, and the places' tile map no wider
than it needs to be (its text scales with it)."""


@solara.component
def ChartPanel(build: Callable[[], Figure], name: str, classes: Sequence[str],
               csv: Callable[[], bytes] | None = None,
               on_click: Callable[[dict], None] | None = None):
    """A chart in a div with ``classes``, and a button under it that downloads its data.

    Args:
        build: Builds the chart; if it fails the div holds a one-line message instead.
        name: The chart's name: for the message, the log and the CSV file (``<name>.csv``).
        classes: The div's CSS classes (``ms-chart ms-chart-<name>`` on the Explore page).
        csv: Gives the CSV when the button is pressed; equal from frame to frame (:class:`Csv`)
            so a playing run does not restart the download (default: the built figure's).
        on_click: Called with ECharts' click event (the clicked node's data and so on).
    """
    figure, message = guarded(build, name)
    solara.Style(CHART_CSS)
    with solara.Div(classes=list(classes)):
        if figure is None:
            solara.HTML(tag="div", unsafe_innerHTML=message)
            return
        SvgEcharts.element(option_json=json.dumps(figure.option, allow_nan=False),
                           responsive=True,
                           on_click=on_click,
                           attributes={"style": panel_height(figure.height)})
        with solara.Div(classes=["ms-chart-download"]):
            solara.FileDownload(csv or figure.csv, filename=f"{name}.csv",
                                mime_type="text/csv", label="Download data (CSV)")


@solara.component
def LiveChart(run: Any, method: str, name: str, frame: Any, args: tuple = ()):
    """A chart of the Explore page's live run: ``run.<method>(*args, frame)``.

    Args:
        run: The live run (:class:`~missionsim.ui.live.LiveRun`).
        method: The run's method that builds the chart (``trajectory_chart``, …).
        name: The chart's name (its div has the classes ``ms-chart ms-chart-<name>``).
        frame: The snapshot every panel of this redraw shows.
        args: Arguments before the snapshot (the place of ``place_chart``).
    """
    ChartPanel(lambda: getattr(run, method)(*args, frame), name, ["ms-chart", f"ms-chart-{name}"],
               csv=Csv(run, method, args))


@solara.component
def NetworkPanel(run: Any, frame: Any, picked: int | None,
                 place: solara.Reactive[str | None]):
    """The network: every place, or the picked place's organisations with a way back.

    Clicking a place (or another place's organisation) picks that place, as the sidebar's
    place picker does; "Back to all places" clears the pick.

    Args:
        run: The live run (:class:`~missionsim.ui.live.LiveRun`).
        frame: The snapshot every panel of this redraw shows.
        picked: The picked place's row (``None``: show every place).
        place: The picked place's name, set by a click.
    """
    names = run.places.names

    def open_place(event: dict) -> None:
        where = (event.get("data") or {}).get("place") if isinstance(event, dict) else None
        if isinstance(where, int) and 0 <= where < len(names) and where != picked:
            place.set(names[where])

    if picked is not None:
        solara.Button("Back to all places", icon_name="mdi-arrow-left", text=True,
                      color="primary", on_click=lambda: place.set(None),
                      classes=["ms-network-back"])
    ChartPanel(lambda: run.network_chart(frame, picked), "network",
               ["ms-chart", "ms-chart-network"], csv=Csv(run, "network_chart", (None, picked)),
               on_click=open_place)


__all__ = ["ChartPanel", "Csv", "LiveChart", "NetworkPanel", "SvgEcharts", "guarded"]

"""One stylesheet for a room reading the app on a projector, used by every page's layout.

Vuetify draws hints, captions, small buttons and chips at 12 px, below what a room can read
from the back at 1280×720. This raises every such piece of text to :data:`MIN_TEXT_PX` (the
browser test ``tests/browser/test_legibility.py`` measures the rendered sizes) and keeps wide
content inside its card, scrolling there rather than pushing the page sideways.
"""

from __future__ import annotations

import solara

MIN_TEXT_PX = 14
"""The smallest text the app draws, in CSS pixels (a room reads a 1280×720 projector from
the back)."""

CSS = """
.v-application { font-size: 16px; }
.v-application .v-messages, .v-application .v-messages__message,
.v-application .v-label, .v-application label,
.v-application .v-btn__content, .v-application .v-btn.v-size--small,
.v-application .v-btn.v-size--x-small, .v-application .v-chip,
.v-application .v-chip__content, .v-application .v-select__selection,
.v-application .v-list-item__title, .v-application .v-list-item__subtitle,
.v-application .v-slider__thumb-label, .v-application .v-counter,
.v-application .v-tab, .v-application .v-alert, .v-application .v-data-table td,
.v-application .v-data-table th, .v-application .caption, .v-application .text-caption,
.v-application .overline, .v-application .v-input input, .v-application .v-tooltip__content,
.v-application small {
  font-size: max(MIN_PXpx, 1em) !important;
}
.v-application .v-messages, .v-application .v-messages__message { line-height: 1.35 !important; }
.v-application .v-text-field .v-label--active {
  transform: translateY(-20px) scale(0.875) !important;
}
.v-application table { max-width: 100%; }
.v-application .v-card, .v-application .v-card__text { overflow-x: auto; }
.v-application .v-main__wrap { overflow-x: hidden; }
""".replace("MIN_PX", str(MIN_TEXT_PX))
"""The rules: Vuetify's small text raised to :data:`MIN_TEXT_PX`, never below the text
around it, with room between the lines of a hint; a field's raised label shrunk to 0.875 of
16 px (Vuetify's 0.75 would draw it at 12 px); cards scroll sideways inside themselves."""


@solara.component
def ProjectorStyle():
    """The stylesheet, placed once by each layout."""
    solara.Style(CSS)

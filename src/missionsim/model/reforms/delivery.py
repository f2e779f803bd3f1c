"""Reforms to frontline practice: ``experimentation`` and ``workforce_codesign``."""

from __future__ import annotations

from missionsim.model.reforms.base import Levers, Reform, register


@register
class Experimentation(Reform):
    """Continuous trials: faster learning, evidence-gated scaling and de-adoption."""

    name = "experimentation"
    title = "Continuous experimentation"
    mechanism = ("Trials make each programme's evidence sharpen far faster; commissioners then "
                 "weight contracts and grants by what the evidence shows, organisations adopt "
                 "only practice whose evidence is compelling, and councils drop adopted practice "
                 "shown not to work.")
    tradeoff = ("Trials take frontline time (experimentation_staff_time), cost money, and "
                "expose programmes that do little: their charities lose contracts and some close.")
    cost_note = "running trials"
    cost_per = "organisation"

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        strength = self.strength(model)
        levers.experimentation += strength
        levers.staff_time += self.param(model, "staff_time") * strength


@register
class WorkforceCodesign(Reform):
    """Reform done with frontline staff, not to them."""

    name = "workforce_codesign"
    title = "Workforce co-design"
    mechanism = ("Raises staff morale (Wigan Deal engagement +18.5%), so discretionary effort "
                 "rises and turnover falls; fewer vacancies and more experienced staff.")
    tradeoff = ("Co-design takes frontline time (workforce_codesign_staff_time) and builds "
                "morale slowly; under punitive accountability part of the gain is lost "
                "(codesign_punitive_loss).")
    cost_note = "facilitation and backfill"
    cost_per = "post"

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        strength = self.strength(model)
        levers.codesign += strength
        levers.staff_time += self.param(model, "staff_time") * strength

"""Reforms to frontline practice: ``experimentation`` and ``workforce_codesign``."""

from __future__ import annotations

from missionsim.model.reforms.base import Levers, Reform, per_year, register


@register
class Experimentation(Reform):
    """Continuous trials: faster learning, evidence-gated scaling and de-adoption."""

    name = "experimentation"
    title = "Continuous experimentation"
    mechanism = ("Trials make each programme's evidence sharpen far faster; commissioners then "
                 "weight contracts and grants by what the evidence shows, organisations adopt "
                 "only practice whose evidence is compelling, and councils drop adopted practice "
                 "shown not to work.")
    tradeoff = ("Trials take frontline time (about 1.5%), cost money, and expose programmes "
                "that do little: their charities lose contracts and some close.")
    cost_basis = "£0.015m a year per charity and per council running trials"

    cost_per_org_year = 0.015
    staff_time = 0.015

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        levers.experimentation += self.intensity
        levers.staff_time += self.staff_time * self.intensity

    def monthly_cost(self, model) -> float:  # noqa: D102
        orgs = model.n_localities + model.active_charities()
        return per_year(self.cost_per_org_year * self.intensity * orgs)


@register
class WorkforceCodesign(Reform):
    """Reform done with frontline staff, not to them."""

    name = "workforce_codesign"
    title = "Workforce co-design"
    mechanism = ("Raises staff morale (Wigan Deal engagement +18.5%), so discretionary effort "
                 "rises and turnover falls; fewer vacancies and more experienced staff.")
    tradeoff = ("Co-design takes frontline time (about 1.5%) and builds morale slowly; under "
                "punitive accountability half of the gain is lost.")
    cost_basis = "£400 a year per frontline post (facilitation and backfill)"

    cost_per_post_year = 0.0004
    staff_time = 0.015

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        levers.codesign += self.intensity
        levers.staff_time += self.staff_time * self.intensity

    def monthly_cost(self, model) -> float:  # noqa: D102
        return per_year(self.cost_per_post_year * self.intensity * model.staff.funded_count())

"""Reforms that work through society: ``civil_society_partnerships``, ``citizen_mobilisation``."""

from __future__ import annotations

from missionsim.model.reforms.base import Levers, Reform, register


@register
class CivilSocietyPartnerships(Reform):
    """Mission partnerships between councils and charities, with data sharing for targeting."""

    name = "civil_society_partnerships"
    title = "Civil-society partnerships and data sharing"
    mechanism = ("Councils broker more council–charity ties and keep them in contact more "
                 "often; central data shared with charities improves targeting, so more of the "
                 "need is reached.")
    tradeoff = ("Cross-sector ties cost council capacity to maintain: where capacity is thin, "
                "more ties drain it from bidding and commissioning. Targeting helps only where "
                "there are trusted partners to act on the data.")
    cost_note = "partnership lead and data infrastructure"

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        strength = self.strength(model)
        levers.partnership_drive += strength
        levers.data_sharing += strength


@register
class CitizenMobilisation(Reform):
    """Mobilise citizens: more uptake, more volunteers, more social trust."""

    name = "citizen_mobilisation"
    title = "Citizen mobilisation"
    mechanism = ("Raises uptake (more of those in need come forward), volunteering that adds "
                 "effort in charities, donations, the founding of new charities, "
                 "and the growth of trust on ties.")
    tradeoff = ("More people coming forward raises frontline workload: where staff are already "
                "stretched, morale falls and turnover rises.")
    cost_note = "campaigns and volunteer coordination"

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        levers.mobilisation += self.strength(model)


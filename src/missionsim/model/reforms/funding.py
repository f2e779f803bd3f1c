"""Reforms to money and capacity: ``local_capacity`` and ``long_term_funding``."""

from __future__ import annotations

from missionsim.model.reforms.base import Levers, Reform, register


@register
class LocalCapacity(Reform):
    """Invest in council capacity: staff and skills for commissioning, bidding, brokering."""

    name = "local_capacity"
    title = "Invest in local capacity"
    mechanism = ("Raises every council's capacity target (by local_capacity_boost at intensity "
                 "1); capacity then grows "
                 "over the capacity time constant. Capacity wins pots, keeps cross-sector ties "
                 "alive, and turns autonomy into better local fit.")
    tradeoff = ("Slow: capacity builds over years, and it is new money with no direct service "
                "attached. In competitive funding it raises everyone's bids (and their costs), "
                "so pot shares move less than capacity does.")
    cost_note = "about five senior posts"

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        levers.capacity_boost += self.param(model, "boost") * self.strength(model)


@register
class LongTermFunding(Reform):
    """Multi-year integrated settlements replace short competitive pots."""

    name = "long_term_funding"
    title = "Long-term integrated funding"
    targetable = False  # national: funding settlements and pots
    mechanism = ("Moves the competitive share of mission money into formula settlements and "
                 "lengthens settlements and contracts (by long_term_funding_years at intensity "
                 "1): fewer bids (less money and capacity burnt), stable charity income, less "
                 "insecurity for staff.")
    tradeoff = ("Money is locked in for the settlement: it cannot follow places that fall "
                "behind until the settlement ends, and strong councils lose the pots they used "
                "to win.")
    cost_note = "administration of pooled streams"

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        strength = self.strength(model)
        levers.competitive_share *= 1.0 - strength
        years = 1 + round(self.param(model, "years") * strength)
        levers.settlement_years = max(levers.settlement_years, years)


"""Reforms to how government steers.

``devolution``, ``mission_leadership`` and ``learning_accountability``.
"""

from __future__ import annotations

from missionsim.model.reforms.base import Levers, Reform, register


@register
class Devolution(Reform):
    """Local autonomy over how the mission is delivered."""

    name = "devolution"
    title = "Devolution"
    mechanism = ("Gives councils autonomy: delivery fits local need better in proportion to "
                 "capacity above a threshold, and councils review and adopt better practice "
                 "more readily.")
    tradeoff = ("Places with capacity below the threshold lose the support of central "
                "programmes and do worse: devolution widens inequality where capacity is "
                "hollowed out, unless capacity is built first.")
    cost_note = "transition"

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        strength = self.strength(model)
        levers.autonomy += strength
        levers.innovation += self.param(model, "innovation") * strength


@register
class MissionLeadership(Reform):
    """A mission CEO and a Missions Unit: pooled budget, protected focus, reallocation."""

    name = "mission_leadership"
    title = "Mission leadership and a Missions Unit"
    targetable = False  # the centre: a Missions Unit, silos and pooled money
    mechanism = ("Creates a Missions Unit that cuts across departments (lower silo), works "
                 "with every council and brokers cross-sector ties, deflects "
                 "distractions from departments' focus, pools a share of mission money (only "
                 "the part not yet locked into multi-year settlements) and every quarter moves "
                 "it towards places that are off trajectory.")
    tradeoff = ("Reallocation follows the reported indicator, so gaming misdirects it; money "
                "moves away from places on track; stocktakes add pressure that, under punitive "
                "accountability, opens the gaming gap further; central steering blunts "
                "devolution.")
    cost_note = "the unit and the mission CEO"
    cost_per = "programme"

    def begin(self, model) -> None:  # noqa: D102
        model.create_mission_unit(self)

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        strength = self.strength(model)
        if model.mission_unit is not None:  # the unit acts at this month's strength
            model.mission_unit.follow(strength)
        levers.silo *= max(0.0, 1.0 - self.param(model, "silo_cut") * strength)
        levers.focus_protection += self.param(model, "protection") * strength
        levers.pooled_share += self.param(model, "pooled") * strength
        levers.autonomy *= max(0.0, 1.0 - self.param(model, "autonomy_cut") * strength)

    def finish(self, model) -> None:  # noqa: D102
        model.remove_mission_unit()


@register
class LearningAccountability(Reform):
    """Learning instead of punitive inspection."""

    name = "learning_accountability"
    title = "Learning accountability"
    mechanism = ("Makes accountability less punitive: less stress on staff, less gaming of "
                 "the reported indicator, more willingness to try and adopt new practice.")
    tradeoff = ("The short-run effort that pressure buys is lost, and the reported indicator "
                "falls back towards the true one: the headline can look worse while the true "
                "outcome improves.")
    cost_note = "peer review and learning reviews"

    def apply(self, model, levers: Levers) -> None:  # noqa: D102
        strength = self.strength(model)
        levers.punitive *= 1.0 - strength
        levers.innovation += self.param(model, "innovation") * strength


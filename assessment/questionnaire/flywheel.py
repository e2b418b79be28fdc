"""The flywheel of a questionnaire's components: the cycle each component drives the next in, the
component that powers it and the one that holds it up (the framework in the README).
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.questionnaire.model import Questionnaire

#: The framework's component that powers the cycle and the one it stands on. Every other component
#: belongs to the cycle, in the order the questionnaire lists them (Clarity → Coordination →
#: Completion in work-management).
POWER_COMPONENT = "collaboration"
BASE_COMPONENT = "workflow-architecture"


@dataclass(frozen=True)
class Flywheel:
    """A questionnaire's components by their part in the flywheel.

    Attributes
    ----------
    cycle : the components of the cycle, upstream first (the questionnaire's order)
    power : the component that powers the cycle (None when the questionnaire has none)
    base : the component that holds the cycle up (None when the questionnaire has none)
    """

    cycle: tuple[str, ...]
    power: str | None
    base: str | None

    def rank(self, component: str) -> int:
        """Position in the cycle; components outside it come after every cycle component."""
        return self.cycle.index(component) if component in self.cycle else len(self.cycle)


def flywheel(questionnaire: Questionnaire) -> Flywheel:
    """The flywheel of ``questionnaire``, read from its components in the order it lists them."""
    ids = [c.id for c in questionnaire.components]
    return Flywheel(
        cycle=tuple(c for c in ids if c not in (POWER_COMPONENT, BASE_COMPONENT)),
        power=POWER_COMPONENT if POWER_COMPONENT in ids else None,
        base=BASE_COMPONENT if BASE_COMPONENT in ids else None,
    )

"""The kinds of term an agreement can contain, each in its own module, chosen by ``type``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from truce.agreement.terms.base import IdRef, LayerRef, TermBase, TermContext
from truce.agreement.terms.notified_movement import NotifiedMovement
from truce.agreement.terms.phased_obligation import Completion, PhasedObligation, Step
from truce.agreement.terms.prohibited_act import ProhibitedAct
from truce.agreement.terms.quiet_period import QuietPeriod
from truce.agreement.terms.undertaking import Undertaking
from truce.agreement.terms.withdrawal_distance import Sides, WithdrawalDistance
from truce.agreement.terms.zone_restriction import ZoneRestriction

Term = Annotated[
    ProhibitedAct
    | WithdrawalDistance
    | ZoneRestriction
    | QuietPeriod
    | NotifiedMovement
    | PhasedObligation
    | Undertaking,
    Field(discriminator="type"),
]
"""Any term, chosen by its ``type``."""

TERM_KINDS: dict[str, type[TermBase]] = {
    "prohibited-act": ProhibitedAct,
    "withdrawal-distance": WithdrawalDistance,
    "zone-restriction": ZoneRestriction,
    "quiet-period": QuietPeriod,
    "notified-movement": NotifiedMovement,
    "phased-obligation": PhasedObligation,
    "undertaking": Undertaking,
}
"""Every term kind by its ``type`` slug."""

__all__ = [
    "TERM_KINDS",
    "Completion",
    "IdRef",
    "LayerRef",
    "NotifiedMovement",
    "PhasedObligation",
    "ProhibitedAct",
    "QuietPeriod",
    "Sides",
    "Step",
    "Term",
    "TermBase",
    "TermContext",
    "Undertaking",
    "WithdrawalDistance",
    "ZoneRestriction",
]

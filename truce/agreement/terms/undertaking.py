"""An undertaking recorded for completeness that no event data can test (e.g. 'disciplinary
responsibility for violations'). Keeping it makes an encoding faithful to the whole text."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from truce.agreement.fields import Text
from truce.agreement.terms.base import TermBase


class Undertaking(TermBase):
    """A commitment in words only; the check engine reports it as not machine-checkable."""

    type: Literal["undertaking"]
    why_not_checkable: Text = Field(description="why no event can show compliance or breach")

    def describe(self) -> str:
        """Plain words."""
        return f"{self.clause} (not machine-checkable: {self.why_not_checkable})"

    @property
    def checkable(self) -> bool:
        """Undertakings are never machine-checkable."""
        return False

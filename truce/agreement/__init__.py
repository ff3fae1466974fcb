"""Agreements as code: the agreement language, its validator, and when terms bind whom.

Typical use::

    from truce.agreement import load_agreement, in_force
    agreement = load_agreement("examples/agreements/energy-moratorium-2025.yaml")
    answer = in_force(agreement, parse_instant("2025-03-20T12:00 Europe/Kyiv"))
"""

from truce.agreement.in_force import InForce, TermBinding, Window, in_force, window
from truce.agreement.model import Agreement, Layer, LayerVersion, Party, agreement_schema
from truce.agreement.terms import TERM_KINDS, Term, TermBase
from truce.agreement.validate import ValidationReport, load_agreement, validate_file, validate_text

__all__ = [
    "TERM_KINDS",
    "Agreement",
    "InForce",
    "Layer",
    "LayerVersion",
    "Party",
    "Term",
    "TermBase",
    "TermBinding",
    "ValidationReport",
    "Window",
    "agreement_schema",
    "in_force",
    "load_agreement",
    "validate_file",
    "validate_text",
    "window",
]

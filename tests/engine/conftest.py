"""Fixtures of the engine tests: real agreements, small synthetic agreements, events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from truce.agreement import Agreement, load_agreement

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "agreements"
EVENTS = ROOT / "data" / "events"

WriteAgreement = Callable[[str], Agreement]


@pytest.fixture(scope="session")
def moratorium() -> Agreement:
    """The 2025 energy moratorium as encoded in the examples."""
    return load_agreement(EXAMPLES / "energy-moratorium-2025.yaml")


@pytest.fixture(scope="session")
def minsk_package() -> Agreement:
    """The Minsk Package of Measures (2015)."""
    return load_agreement(EXAMPLES / "minsk-package-2015.yaml")


@pytest.fixture
def write_agreement(tmp_path: Path) -> WriteAgreement:
    """Write an agreement text to a temporary file and load it."""

    def write(text: str) -> Agreement:
        path = tmp_path / "agreement.yaml"
        path.write_text(text, encoding="utf-8")
        return load_agreement(path)

    return write

"""Helpers for writing small agreement files in temporary folders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.agreement.builders import MINIMAL, TERM_PROHIBITED
from truce.agreement import ValidationReport, validate_file

WriteAgreement = Callable[..., ValidationReport]


@pytest.fixture
def write_agreement(tmp_path: Path) -> WriteAgreement:
    """Write an agreement (MINIMAL plus the given terms, or a whole text) and validate it."""

    def write(
        terms: str = TERM_PROHIBITED,
        *,
        text: str | None = None,
        name: str = "agreement.yaml",
        files: dict[str, object] | None = None,
    ) -> ValidationReport:
        for file_name, content in (files or {}).items():
            (tmp_path / file_name).write_text(
                content if isinstance(content, str) else json.dumps(content), encoding="utf-8"
            )
        body = text if text is not None else MINIMAL + terms.rstrip() + "\n"
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return validate_file(path)

    return write

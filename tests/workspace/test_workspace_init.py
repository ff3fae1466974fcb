"""Creating and opening workspaces: layout, keys, settings, schema, status, the CLI."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from truce.cli.workspace import init_command, status_command
from truce.errors import StorageError, WorkspaceNotFound
from truce.events.model import EVENT_SCHEMA
from truce.ledger.checkpoint import parse_verifier_key, public_key_to_raw
from truce.workspace import Workspace
from truce.workspace.config import CONFIG_NAME, SETTINGS, read_config
from truce.workspace.eventrows import STORED_COLUMNS
from truce.workspace.migrate import current_revision, head_revision
from truce.workspace.schema import metadata
from truce.workspace.status import workspace_status


def test_layout_keys_and_settings(workspace: Workspace) -> None:
    root = workspace.root
    for folder in ("evidence/originals", "evidence/derived", "evidence/incoming"):
        assert (root / folder).is_dir()
    private = root / "keys" / "ledger.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public = workspace.public_key()
    assert public_key_to_raw(workspace.signing_key().public_key()) == public_key_to_raw(public)
    name, vkey = parse_verifier_key((root / "keys" / "ledger.vkey").read_text().strip())
    assert name == workspace.config.origin
    assert public_key_to_raw(vkey) == public_key_to_raw(public)
    config = read_config(root)
    assert config.origin.startswith("truce.local/ws-")
    assert config.integer("import.chunk_rows") == 20_000


def test_schema_is_migrated_and_matches_the_metadata(workspace: Workspace) -> None:
    assert current_revision(workspace.store) == head_revision()
    with workspace.store.read() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    assert differences == []
    reopened = Workspace.open(workspace.root)  # migrating again is a no-op
    reopened.close()
    assert current_revision(workspace.store) == head_revision()


def test_events_table_holds_every_event_schema_column(workspace: Workspace) -> None:
    assert STORED_COLUMNS[4:] == tuple(EVENT_SCHEMA.names)


def test_database_settings(workspace: Workspace) -> None:
    with workspace.store.read() as conn:
        if workspace.store.dialect == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
            assert str(schema).startswith("truce_test_")
    assert workspace.store.integrity_check() == []


def test_foreign_keys_are_enforced(workspace: Workspace) -> None:
    with pytest.raises(StorageError), workspace.store.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO evidence_links (id, evidence_id, event_id, linked_at, linked_by) "
            "VALUES (1, 99, 99, 0, 'x')"
        )


def test_init_refuses_an_existing_workspace(workspace: Workspace) -> None:
    with pytest.raises(StorageError, match="already a truce workspace"):
        Workspace.create(workspace.root)


def test_init_refuses_a_database_that_holds_a_record(
    workspace: Workspace, database_url: str, tmp_path: Path
) -> None:
    from truce.workspace.findings import record_finding

    record_finding(workspace, "test", "a finding")
    with pytest.raises(StorageError, match="already holds a record"):
        Workspace.create(tmp_path / "second", database=database_url)
    assert not (tmp_path / "second" / CONFIG_NAME).exists()


def test_open_a_folder_that_is_no_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceNotFound, match="truce init"):
        Workspace.open(tmp_path)


def test_status_of_an_empty_workspace(workspace: Workspace) -> None:
    document = workspace_status(workspace)
    assert set(document["records"].values()) == {0}
    assert document["ledger"]["leaves"] == 0
    assert document["ledger"]["last_checkpoint"] is None


def test_cli_init_and_status(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "cli-ws"
    result = runner.invoke(
        init_command, [str(folder), "--database", database_url, "--origin", "example.org/log"]
    )
    assert result.exit_code == 0, result.output
    assert "example.org/log" in result.output
    result = runner.invoke(status_command, ["--workspace", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["ledger"]["origin"] == "example.org/log"
    assert document["records"]["events"] == 0
    text = runner.invoke(status_command, ["-w", str(folder)]).output
    assert "last checkpoint: none" in text


def test_every_setting_is_documented() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "record.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in guide, setting.name


def test_a_malformed_setting_is_refused(workspace: Workspace) -> None:
    config = workspace.root / CONFIG_NAME
    config.write_text(config.read_text() + "\n[evidence]\nmax_bytes = 'lots'\n")
    with pytest.raises(StorageError, match=r"evidence\.max_bytes"):
        Workspace.open(workspace.root)


def test_writers_are_serialised(workspace: Workspace, database_url: str) -> None:
    other = sa.create_engine(
        database_url, connect_args={"timeout": 0} if database_url.startswith("sqlite") else {}
    )
    try:
        with workspace.store.write() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
            with other.connect() as second:
                if workspace.store.dialect == "sqlite":
                    with pytest.raises(sa.exc.OperationalError, match="locked"):
                        second.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    taken = second.exec_driver_sql(
                        "SELECT pg_try_advisory_xact_lock(hashtext(current_schema()))"
                    ).scalar()
                    assert taken is False
    finally:
        other.dispose()

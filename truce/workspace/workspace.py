"""A workspace: a folder holding the configuration, the evidence store and the ledger key.

Layout (``truce init DIR``)::

    DIR/truce-workspace.toml      settings: database URL, ledger origin, limits
    DIR/record.sqlite             the record (embedded default; PostgreSQL with --database)
    DIR/evidence/originals/       evidence originals, content-addressed, read-only
    DIR/evidence/derived/         thumbnails and location-stripped public copies, read-only
    DIR/evidence/incoming/        files being received (moved into place when complete)
    DIR/keys/ledger.key           Ed25519 private key, PKCS#8 PEM, mode 0600
    DIR/keys/ledger.pub           the public key, PEM
    DIR/keys/ledger.vkey          the public key as a signed-note verifier key
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from truce.errors import StorageError
from truce.ledger.checkpoint import (
    generate_private_key,
    private_key_from_pem,
    private_key_to_pem,
    public_key_from_pem,
    public_key_to_pem,
    verifier_key,
)
from truce.workspace import migrate
from truce.workspace.config import CONFIG_NAME, WorkspaceConfig, read_config, write_config
from truce.workspace.schema import ledger_leaves
from truce.workspace.store import SqlStore

PRIVATE_KEY = Path("keys/ledger.key")
"""Where the checkpoint signing key lives, relative to the workspace."""

PUBLIC_KEY = Path("keys/ledger.pub")
"""Where the public key is exported, relative to the workspace."""

VERIFIER_KEY = Path("keys/ledger.vkey")
"""The public key as a signed-note verifier key string, relative to the workspace."""

EVIDENCE_FOLDERS = ("originals", "derived", "incoming")
"""The folders of ``evidence/``."""


class Workspace:
    """An open workspace: its folder, settings and store. Use as a context manager."""

    def __init__(self, root: Path, config: WorkspaceConfig, store: SqlStore) -> None:
        self.root = root
        self.config = config
        self.store = store
        self._signing_key: Ed25519PrivateKey | None = None

    @classmethod
    def create(
        cls, root: str | Path, *, database: str | None = None, origin: str | None = None
    ) -> Workspace:
        """Make a new workspace at ``root`` (an empty or missing folder) and open it."""
        folder = Path(root).absolute()
        if (folder / CONFIG_NAME).exists():
            raise StorageError(f"{folder}: already a truce workspace")
        folder.mkdir(parents=True, exist_ok=True)
        values: dict[str, int | str] = {"origin": origin or _default_origin(folder)}
        if database:
            values["database"] = database
        for name in EVIDENCE_FOLDERS:
            (folder / "evidence" / name).mkdir(parents=True, exist_ok=True)
        _write_keys(folder, str(values["origin"]))
        write_config(folder, values)
        workspace = cls.open(folder)
        with workspace.store.read() as conn:
            leaves = conn.execute(sa.select(sa.func.count()).select_from(ledger_leaves)).scalar()
        if leaves:
            workspace.close()
            (folder / CONFIG_NAME).unlink()
            raise StorageError(
                f"{workspace.store.url} already holds a record of {leaves} ledger leaves; "
                "give a fresh database (or PostgreSQL schema)"
            )
        return workspace

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        """Open the workspace at ``root``, migrating its database to the current schema."""
        folder = Path(root).absolute()
        config = read_config(folder)
        store = SqlStore(config.database_url(folder))
        try:
            migrate.upgrade(store)
        except BaseException:
            store.close()
            raise
        return cls(folder, config, store)

    @property
    def evidence_dir(self) -> Path:
        """The evidence store folder."""
        return self.root / "evidence"

    def signing_key(self) -> Ed25519PrivateKey:
        """The ledger's checkpoint signing key."""
        if self._signing_key is None:
            path = self.root / PRIVATE_KEY
            try:
                pem = path.read_bytes()
            except OSError as exc:
                raise StorageError(f"{path}: cannot read the ledger signing key: {exc}") from exc
            self._signing_key = private_key_from_pem(pem)
        return self._signing_key

    def public_key(self) -> Ed25519PublicKey:
        """The ledger's public key (from the exported PEM)."""
        path = self.root / PUBLIC_KEY
        try:
            return public_key_from_pem(path.read_bytes())
        except OSError as exc:
            raise StorageError(f"{path}: cannot read the ledger public key: {exc}") from exc

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _default_origin(folder: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.name).strip("-") or "workspace"
    return f"truce.local/{name}-{secrets.token_hex(4)}"


def _write_keys(folder: Path, key_name: str) -> None:
    """A new Ed25519 key pair: private key 0600 (never overwritten), public key beside it."""
    keys = folder / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    private_key = generate_private_key()
    path = folder / PRIVATE_KEY
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise StorageError(f"{path} exists; refusing to overwrite a signing key") from None
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(private_key_to_pem(private_key))
    os.chmod(path, 0o600)
    public_key = private_key.public_key()
    (folder / PUBLIC_KEY).write_bytes(public_key_to_pem(public_key))
    vkey = verifier_key(key_name, public_key)
    (folder / VERIFIER_KEY).write_text(vkey + "\n", encoding="ascii")

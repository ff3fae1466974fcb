"""An event batch as the numpy columns the checks read, computed once per batch."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce.engine.fields import NARROW_M
from truce.engine.grid import FloatArray, IntArray, cell_numbers
from truce.errors import InputError
from truce.events.model import EVENT_SCHEMA
from truce.geodesy import LCC
from truce.vocabulary import EVENT_KINDS, OBJECT_CLASSES, WEAPON_CLASSES

KIND_SLUGS: tuple[str, ...] = tuple(EVENT_KINDS)
"""Event-kind slugs in code order (an event's ``kind`` code indexes this)."""
WEAPON_SLUGS: tuple[str, ...] = tuple(WEAPON_CLASSES)
"""Weapon-class slugs in code order."""
OBJECT_SLUGS: tuple[str, ...] = tuple(OBJECT_CLASSES)
"""Object-class slugs in code order."""
OUTCOME_SLUGS: tuple[str, ...] = ("impact", "attempt", "unknown")
"""Outcomes in code order."""

REQUIRED = ("event_id", "time_start", "time_end", "lon", "lat", "kind")

COLUMNS: tuple[str, ...] = (
    "event_id",
    "source",
    "time_start",
    "time_end",
    "lon",
    "lat",
    "precision_m",
    "kind",
    "weapon_class",
    "target",
    "target_class",
    "outcome",
    "claims",
)
"""The event columns the engine reads (the others may be left out when reading Parquet)."""


def _codes(column: pa.Array | pa.ChunkedArray, slugs: tuple[str, ...]) -> NDArray[np.int16]:
    """Position of each value in ``slugs``; -1 for null or unknown values."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if isinstance(column, pa.DictionaryArray):
        dictionary = np.append(_codes(column.dictionary, slugs), np.int16(-1))
        missing = len(dictionary) - 1
        indices = pc.fill_null(column.indices.cast(pa.int64()), missing)
        return np.asarray(dictionary[indices.to_numpy(zero_copy_only=False)], dtype=np.int16)
    found = pc.index_in(column, value_set=pa.array(slugs, pa.string()))
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int16)


def _floats(column: pa.Array | pa.ChunkedArray, fill: float) -> FloatArray:
    array = pc.fill_null(pc.cast(column, pa.float64()), fill)
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)


def _micros(column: pa.Array | pa.ChunkedArray) -> IntArray:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not pa.types.is_timestamp(column.type):
        raise InputError(f"event times must be timestamps, got {column.type}")
    micros = pc.cast(column, pa.timestamp("us", tz="UTC")).cast(pa.int64())
    return np.asarray(micros.to_numpy(zero_copy_only=False), dtype=np.int64)


class PreparedBatch:
    """The columns of an event batch that the checks read, as numpy arrays."""

    def __init__(self, batch: pa.RecordBatch | pa.Table) -> None:
        missing = [name for name in REQUIRED if name not in batch.schema.names]
        if missing:
            raise InputError(
                "event batch lacks column(s) " + ", ".join(missing) + " of the event schema"
            )
        self.batch = batch
        self.size = batch.num_rows
        self.lon = _floats(batch.column("lon"), np.nan)
        self.lat = _floats(batch.column("lat"), np.nan)
        self.start = _micros(batch.column("time_start"))
        self.end = np.maximum(_micros(batch.column("time_end")), self.start)
        self.kind = _codes(batch.column("kind"), KIND_SLUGS)
        self.ix, self.iy = cell_numbers(self.lon, self.lat)
        self.located = np.isfinite(self.lon) & np.isfinite(self.lat)

    def _optional(self, name: str) -> pa.Array | pa.ChunkedArray | None:
        return self.batch.column(name) if name in self.batch.schema.names else None

    @cached_property
    def precision(self) -> FloatArray:
        """Radius of the location's uncertainty, metres (0 when not given)."""
        column = self._optional("precision_m")
        if column is None:
            return np.zeros(self.size)
        return np.maximum(_floats(column, 0.0), 0.0)

    @cached_property
    def wide(self) -> NDArray[np.bool_]:
        """Events whose precision circle is too wide for the raster."""
        return self.precision > NARROW_M

    @cached_property
    def weapon(self) -> NDArray[np.int16]:
        """Weapon-class codes (-1 when not given)."""
        return self._slug_codes("weapon_class", WEAPON_SLUGS)

    @cached_property
    def target_class(self) -> NDArray[np.int16]:
        """Target object-class codes (-1 when not given or not an object class)."""
        return self._slug_codes("target_class", OBJECT_SLUGS)

    @cached_property
    def outcome(self) -> NDArray[np.int16]:
        """Outcome codes (impact 0, attempt 1, unknown 2)."""
        codes = self._slug_codes("outcome", OUTCOME_SLUGS)
        return np.where(codes < 0, 2, codes).astype(np.int16)

    @cached_property
    def has_target(self) -> NDArray[np.bool_]:
        """Events that name a target or a target class."""
        named = np.zeros(self.size, dtype=bool)
        for name in ("target", "target_class"):
            column = self._optional(name)
            if column is not None and column.null_count < len(column):
                named |= np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        return named

    def _slug_codes(self, name: str, slugs: tuple[str, ...]) -> NDArray[np.int16]:
        column = self._optional(name)
        if column is None or column.null_count == len(column):
            return np.full(self.size, -1, dtype=np.int16)
        return _codes(column, slugs)

    def target_text(self, rows: IntArray) -> list[str | None]:
        """The target texts of some rows, normalised (case-folded, spaces collapsed)."""
        column = self._optional("target")
        if column is None:
            return [None] * len(rows)
        values = column.take(pa.array(rows)).to_pylist()
        return [" ".join(v.split()).casefold() if isinstance(v, str) else None for v in values]

    def projected(self, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        """Projected x, y of some rows."""
        return LCC.forward(self.lon[rows], self.lat[rows])


def check_schema(schema: pa.Schema) -> None:
    """Refuse a batch whose columns clash in type with the event schema."""
    for name in REQUIRED:
        if name not in schema.names:
            raise InputError(f"event batch lacks column '{name}' of the event schema")
        expected = EVENT_SCHEMA.field(name).type
        got = schema.field(name).type
        if pa.types.is_dictionary(got):
            got = got.value_type
        if name in ("time_start", "time_end"):
            if not pa.types.is_timestamp(got):
                raise InputError(f"column '{name}' must be a timestamp, got {got}")
        elif not (
            got == expected or (pa.types.is_floating(got) and pa.types.is_floating(expected))
        ):
            raise InputError(f"column '{name}' must be {expected}, got {got}")

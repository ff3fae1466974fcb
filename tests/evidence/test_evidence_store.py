"""Evidence in a workspace: write-once originals, metadata, working copies, chain of custody."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from tests.evidence.builders import geotagged_jpeg, png_bomb_header, wav_recording
from tests.workspace.builders import firms_row, write_firms
from truce.cli.evidence import evidence_group
from truce.errors import EvidenceRejected, IntegrityViolation
from truce.evidence import (
    add_evidence,
    export_evidence,
    get_evidence,
    link_evidence,
    list_evidence,
    view_evidence,
)
from truce.evidence.blobs import BlobStore, file_sha256
from truce.workspace import Workspace, import_file
from truce.workspace.config import CONFIG_NAME
from truce.workspace.ledger import check_proof, make_checkpoint, prove
from truce.workspace.verify import verify_workspace


def test_an_image_is_stored_write_once_with_metadata_and_copies(
    workspace: Workspace, tmp_path: Path
) -> None:
    photo = geotagged_jpeg(tmp_path / "photo.jpg")
    item = add_evidence(workspace, photo, by="analyst-1")
    assert item.sha256 == file_sha256(photo)
    assert item.media_type == "image/jpeg"
    assert item.path.read_bytes() == photo.read_bytes()
    assert stat.S_IMODE(item.path.stat().st_mode) == 0o444
    assert item.path.name == item.sha256.hex()  # content-addressed, no extension
    assert item.metadata["gps"] == {"lat": 48.5, "lon": 37.76}
    assert item.metadata["camera"]["time"] == "2025:03:18 12:34:56"
    assert (item.metadata["width"], item.metadata["height"]) == (640, 480)
    blobs = BlobStore(workspace.evidence_dir)
    public = Image.open(blobs.path("derived", item.derivatives["public-copy"]))
    assert dict(public.getexif()) == {}  # no GPS, no camera data
    assert public.size == (480, 640)  # orientation applied
    thumbnail = Image.open(blobs.path("derived", item.derivatives["thumbnail"]))
    assert max(thumbnail.size) == 320
    assert [e.action for e in item.custody] == ["received", "derived", "derived", "derived"]
    derived = {e.detail["what"]: e for e in item.custody[1:]}
    assert derived["public-copy"].hash_before == item.sha256
    assert derived["public-copy"].hash_after == item.derivatives["public-copy"]
    assert all(e.actor == "analyst-1" for e in item.custody)


def test_the_same_bytes_again_are_another_receipt(workspace: Workspace, tmp_path: Path) -> None:
    photo = geotagged_jpeg(tmp_path / "photo.jpg")
    first = add_evidence(workspace, photo, by="a")
    before = first.path.stat()
    second = add_evidence(workspace, io.BytesIO(photo.read_bytes()), by="b", name="copy.jpg")
    assert second.id == first.id
    assert [(e.action, e.actor) for e in second.custody][-1] == ("received", "b")
    after = first.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert len(list_evidence(workspace)) == 1


def test_evidence_before_its_report_then_linked(workspace: Workspace, tmp_path: Path) -> None:
    recording = wav_recording(tmp_path / "call.wav")
    item = add_evidence(workspace, recording, by="field-team")
    assert item.metadata["duration_s"] == pytest.approx(1.5)
    assert item.linked_events == []
    import_file(workspace, write_firms(tmp_path / "f.csv", [firms_row(7)]), "firms")
    linked = link_evidence(workspace, f"evidence:{item.id}", "firms-modis:2", by="analyst")
    assert linked.linked_events == [1]
    assert linked.custody[-1].action == "linked"
    assert linked.custody[-1].detail == {"event": "event:1"}
    again = link_evidence(workspace, item.sha256.hex()[:12], "event:1", by="analyst")
    assert len(again.custody) == len(linked.custody)  # linking twice records nothing new


def test_add_with_a_report(workspace: Workspace, tmp_path: Path) -> None:
    import_file(workspace, write_firms(tmp_path / "f.csv", [firms_row(7)]), "firms")
    item = add_evidence(workspace, wav_recording(tmp_path / "a.wav"), by="x", report="event:1")
    assert item.linked_events == [1]


def test_view_and_export_are_custody_events(workspace: Workspace, tmp_path: Path) -> None:
    item = add_evidence(workspace, wav_recording(tmp_path / "call.wav"), by="intake")
    assert view_evidence(workspace, f"evidence:{item.id}", by="reviewer") == item.path
    copy = export_evidence(workspace, str(item.id), tmp_path / "out.wav", by="counsel")
    assert copy.read_bytes() == item.path.read_bytes()
    chain = get_evidence(workspace, f"evidence:{item.id}").custody
    assert [(e.action, e.actor) for e in chain][-2:] == [
        ("viewed", "reviewer"),
        ("exported", "counsel"),
    ]
    assert chain[-1].hash_before == chain[-1].hash_after == item.sha256
    assert chain[-1].detail["to"] == str(copy.absolute())


def test_every_custody_event_has_a_ledger_leaf(workspace: Workspace, tmp_path: Path) -> None:
    item = add_evidence(workspace, geotagged_jpeg(tmp_path / "p.jpg"), by="a")
    make_checkpoint(workspace)
    for event in item.custody:
        proof = prove(workspace, f"custody:{event.id}")
        check_proof(proof, workspace)
    evidence_proof = prove(workspace, f"evidence:{item.id}")
    assert json.loads(evidence_proof["leaf_data"])["file_sha256"] == item.sha256.hex()
    assert verify_workspace(workspace).ok


def test_type_is_read_from_content_not_name(workspace: Workspace, tmp_path: Path) -> None:
    disguised = tmp_path / "holiday.jpg"
    disguised.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(EvidenceRejected, match="ZIP archive"):
        add_evidence(workspace, disguised, by="a")
    program = tmp_path / "photo.png"
    program.write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 100)
    with pytest.raises(EvidenceRejected, match="executable"):
        add_evidence(workspace, program, by="a")
    statement = tmp_path / "statement.exe"
    statement.write_text("I saw the strike at 14:00.\n")
    assert add_evidence(workspace, statement, by="a").media_type == "text/plain"
    assert list(workspace.evidence_dir.joinpath("incoming").iterdir()) == []
    assert len(list_evidence(workspace)) == 1


def test_text_with_binary_after_its_head_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    sneaky = tmp_path / "notes.txt"
    sneaky.write_bytes(b"plain words\n" * 1000 + b"\x00\x01\x02")
    with pytest.raises(EvidenceRejected, match="NUL"):
        add_evidence(workspace, sneaky, by="a")


def test_size_and_pixel_limits(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(EvidenceRejected, match="pixels"):
        add_evidence(workspace, png_bomb_header(tmp_path / "bomb.png"), by="a")
    config = workspace.root / CONFIG_NAME
    config.write_text(config.read_text() + "\n[evidence]\nmax_bytes = 1000\n")
    limited = Workspace.open(workspace.root)
    try:
        with pytest.raises(EvidenceRejected, match="limit of 1000 bytes"):
            add_evidence(limited, wav_recording(tmp_path / "long.wav"), by="a")
    finally:
        limited.close()
    assert list(workspace.evidence_dir.joinpath("incoming").iterdir()) == []


def test_a_changed_original_is_never_served(workspace: Workspace, tmp_path: Path) -> None:
    item = add_evidence(workspace, wav_recording(tmp_path / "call.wav"), by="a")
    os.chmod(item.path, 0o644)
    with item.path.open("r+b") as stream:
        stream.seek(100)
        stream.write(b"\xff")
    with pytest.raises(IntegrityViolation, match=item.sha256.hex()):
        view_evidence(workspace, f"evidence:{item.id}", by="b")


def test_cli_add_show_custody_view(workspace: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(workspace.root)]
    photo = geotagged_jpeg(tmp_path / "photo.jpg")
    result = runner.invoke(evidence_group, ["add", str(photo), "--by", "ana", "--json", *ws])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["record"] == "evidence:1"
    assert document["metadata"]["gps"]["lat"] == 48.5
    custody = json.loads(runner.invoke(evidence_group, ["custody", "1", "--json", *ws]).output)
    assert [c["action"] for c in custody] == ["received", "derived", "derived", "derived"]
    result = runner.invoke(evidence_group, ["view", "evidence:1", "--by", "bo", *ws])
    assert result.output.strip() == document["path"]
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"MZ" + b"\x00" * 10)
    result = runner.invoke(evidence_group, ["add", str(bad), *ws])
    assert result.exit_code != 0
    assert "executable" in str(result.exception)
    listed = runner.invoke(evidence_group, ["list", *ws]).output
    assert "evidence:1" in listed
    assert "photo.jpg" in listed

"""The canonical content of ledgered records is a published format: these bytes must not change,
or every workspace written before would stop verifying."""

from __future__ import annotations

from truce.workspace import records

H1, H2, H3 = "01" * 32, "02" * 32, "03" * 32


def test_evidence_and_custody_content() -> None:
    evidence = {
        "sha256": bytes.fromhex(H1),
        "size": 5,
        "media_type": "image/jpeg",
        "original_name": "é.jpg",
        "received_at": 123,
        "received_by": "a",
    }
    assert records.evidence_content(evidence).decode() == (
        '{"media_type":"image/jpeg","original_name":"é.jpg","received_at":123,'
        f'"received_by":"a","schema":"evidence/1","sha256":"{H1}","size":5}}'
    )
    custody = {
        "evidence_id": 1,
        "action": "viewed",
        "actor": "x",
        "at": 5,
        "hash_before": None,
        "hash_after": memoryview(bytes.fromhex(H2)),
        "detail": "d",
    }
    assert records.custody_content(custody).decode() == (
        f'{{"action":"viewed","actor":"x","at":5,"detail":"d","evidence_id":1,"hash_after":"{H2}",'
        '"hash_before":null,"schema":"custody/1"}'
    )


def test_finding_decision_and_run_content() -> None:
    finding = {"type": "violation", "message": "m", "data": "{}", "created_at": 9}
    assert records.finding_content(finding).decode() == (
        '{"created_at":9,"data":"{}","message":"m","schema":"finding/1","type":"violation"}'
    )
    decision = {"action": "detach", "event_ids": '["a"]', "who": "w", "why": "y", "at": 1}
    assert records.decision_content(decision).decode() == (
        '{"action":"detach","at":1,"event_ids":"[\\"a\\"]","schema":"decision/1","who":"w","why":"y"}'
    )
    run = {
        "started_at": 1,
        "finished_at": 2,
        "settings": "{}",
        "last_event_id": 3,
        "last_decision_id": 0,
        "reports": 4,
        "incidents": 3,
        "grades": "{}",
        "assignments_sha256": bytes.fromhex(H3),
    }
    assert records.corroboration_content(run).decode() == (
        f'{{"assignments_sha256":"{H3}","finished_at":2,"grades":"{{}}","incidents":3,'
        '"last_decision_id":0,"last_event_id":3,"reports":4,"schema":"corroboration/1",'
        '"settings":"{}","started_at":1}'
    )

"""Every class of error is reported precisely (file, line, column, term) and all at once."""

from __future__ import annotations

from pathlib import Path

from tests.agreement.builders import MINIMAL, TERM_PROHIBITED
from tests.agreement.conftest import WriteAgreement
from truce.agreement import validate_text


def kinds(report: object) -> list[str]:
    return [p.type for p in report.problems]  # type: ignore[attr-defined]


def test_minimal_agreement_is_valid(write_agreement: WriteAgreement) -> None:
    report = write_agreement()
    assert report.ok, [str(p) for p in report.problems]
    assert report.agreement is not None
    assert report.agreement.term("no-strikes") is not None


def test_bad_radius_names_file_line_column_term_and_expectation(
    write_agreement: WriteAgreement,
) -> None:
    report = write_agreement(TERM_PROHIBITED.replace("radius: 500 m", "radius: close"))
    assert not report.ok
    (problem,) = report.errors
    line = (MINIMAL + TERM_PROHIBITED).splitlines().index("    radius: 500 m") + 1
    assert (problem.line, problem.column) == (line, 13)
    assert problem.term == "no-strikes"
    assert str(problem).endswith(
        f"agreement.yaml:{line}:13: term 'no-strikes': radius must be a distance such as "
        "'500 m' or '2 km', got 'close'"
    )


def test_bare_number_is_not_a_distance(write_agreement: WriteAgreement) -> None:
    report = write_agreement(TERM_PROHIBITED.replace("radius: 500 m", "radius: 500"))
    assert "got 500" in report.errors[0].message


def test_unknown_key_suggests_the_right_one(write_agreement: WriteAgreement) -> None:
    report = write_agreement(TERM_PROHIBITED.replace("radius:", "raduis:"))
    (problem,) = report.errors
    assert problem.type == "unknown-key"
    assert "unknown key 'raduis' (did you mean 'radius'?)" in problem.message
    assert problem.term == "no-strikes"


def test_unknown_vocabulary_slug_suggests(write_agreement: WriteAgreement) -> None:
    report = write_agreement(TERM_PROHIBITED.replace("acts: [strike]", "acts: [strikes]"))
    assert "unknown event kind 'strikes': did you mean 'strike'" in report.errors[0].message


def test_unknown_term_type(write_agreement: WriteAgreement) -> None:
    report = write_agreement(TERM_PROHIBITED.replace("prohibited-act", "prohibited-acts"))
    assert report.errors[0].type == "unknown-term-type"
    assert "did you mean 'prohibited-act'" in report.errors[0].message


def test_every_problem_reported_at_once(write_agreement: WriteAgreement) -> None:
    second = TERM_PROHIBITED.replace("no-strikes", "second").replace(
        "objects: [{layer: objects", "objects: [{layer: missing-layer"
    )
    third = TERM_PROHIBITED.replace("no-strikes", "third").replace(
        "binds: [north, south]", "binds: [east]"
    )
    report = write_agreement(
        TERM_PROHIBITED.replace("radius: 500 m", "radius: close") + second + third
    )
    messages = [(p.term, p.type) for p in report.errors]
    assert ("no-strikes", "invalid-value") in messages
    assert ("second", "unknown-reference") in messages
    assert ("third", "unknown-reference") in messages


def test_missing_required_key(write_agreement: WriteAgreement) -> None:
    report = write_agreement(TERM_PROHIBITED.replace("    clause: No strikes on power.\n", ""))
    assert any(p.message == "missing required key 'clause'" for p in report.errors)


def test_overlapping_layer_versions(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace(
        """      - geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}""",
        """      - valid_from: 2024-01-01T00:00Z
        valid_until: 2024-04-01T00:00Z
        geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}
      - valid_from: 2024-03-15T00:00Z
        geometry: {type: LineString, coordinates: [[37.0, 48.1], [38.0, 48.6]]}""",
    )
    report = write_agreement(text=text + TERM_PROHIBITED)
    (problem,) = report.errors
    assert problem.type == "overlapping-versions"
    assert "layer 'line'" in problem.message


def test_layer_version_gap_is_a_warning(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace(
        """      - geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}""",
        """      - valid_until: 2024-04-01T00:00Z
        geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}
      - valid_from: 2024-04-10T00:00Z
        geometry: {type: LineString, coordinates: [[37.0, 48.1], [38.0, 48.6]]}""",
    )
    report = write_agreement(text=text + TERM_PROHIBITED)
    assert report.ok
    assert [p.type for p in report.warnings] == ["layer-version-gap"]
    assert (
        "no version is valid from 2024-04-01T00:00Z to 2024-04-10T00:00Z"
        in report.warnings[0].message
    )


def test_impossible_dates(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace("  duration: 60 days", "  until: 2024-01-01T00:00 Europe/Kyiv")
    report = write_agreement(text=text + TERM_PROHIBITED)
    assert "impossible-date" in kinds(report)


def test_nonexistent_local_time_in_dst_gap(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace("at: 2024-03-02T00:00 Europe/Kyiv", "at: 2024-03-31T03:30 Europe/Kyiv")
    report = write_agreement(text=text + TERM_PROHIBITED)
    assert "does not exist in Europe/Kyiv" in report.errors[0].message


def test_time_without_zone_is_refused(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace("at: 2024-03-02T00:00 Europe/Kyiv", "at: 2024-03-02T00:00")
    report = write_agreement(text=text + TERM_PROHIBITED)
    assert "with no time zone" in report.errors[0].message


def test_self_intersecting_zone(write_agreement: WriteAgreement) -> None:
    bowtie = "[[[37, 48], [37.2, 48.2], [37.2, 48], [37, 48.2], [37, 48]]]"
    text = MINIMAL.replace("[[[37, 48], [37.2, 48], [37.2, 48.2], [37, 48.2], [37, 48]]]", bowtie)
    report = write_agreement(text=text + TERM_PROHIBITED)
    (problem,) = report.errors
    assert problem.type == "invalid-geometry"
    assert "Self-intersection" in problem.message
    assert "feature 0 (id 'box')" in problem.message


def test_a_line_that_is_not_a_line(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace(
        "{type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}",
        "{type: Point, coordinates: [37.0, 48.0]}",
    )
    report = write_agreement(text=text + TERM_PROHIBITED)
    (problem,) = report.errors
    assert problem.type == "wrong-geometry-type"
    assert "a line layer needs a line, got a Point" in problem.message


def test_layer_file_missing_and_unreadable(write_agreement: WriteAgreement, tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "      - geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}",
        "      - file: nowhere.geojson",
    ).replace(
        """      - geometry:
          type: FeatureCollection
          features:
            - type: Feature
              properties: {id: box}""",
        """      - file: broken.geojson
      - valid_from: 2030-01-01T00:00Z
        geometry:
          type: FeatureCollection
          features:
            - type: Feature
              properties: {id: box}""",
    )
    report = write_agreement(text=text + TERM_PROHIBITED, files={"broken.geojson": "{not json"})
    types = kinds(report)
    assert "missing-file" in types
    assert "unreadable-file" in types


def test_term_referring_to_wrong_kind_of_layer(write_agreement: WriteAgreement) -> None:
    report = write_agreement(TERM_PROHIBITED.replace("layer: objects", "layer: zones"))
    assert report.errors[0].type == "wrong-reference"
    assert "layer 'zones' is a zone layer; objects expected here" in report.errors[0].message


def test_yaml_syntax_error_has_position() -> None:
    report = validate_text("truce: 1\nid: [unclosed\n", "bad.yaml", Path("."))
    (problem,) = report.problems
    assert problem.type == "yaml-syntax"
    assert problem.line is not None
    assert problem.line >= 2


def test_duplicate_key_is_an_error() -> None:
    report = validate_text("truce: 1\nid: a\nid: b\n", "dup.yaml", Path("."))
    assert "key 'id' appears twice" in report.problems[0].message


def test_not_a_mapping() -> None:
    report = validate_text("- just\n- a list\n", "list.yaml", Path("."))
    assert report.problems[0].message == "an agreement file must be a mapping of keys to values"


def test_missing_approval_warns_never_in_force(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace('  - {party: south, at: "2024-03-01T00:00 Europe/Kyiv"}\n', "")
    report = write_agreement(text=text + TERM_PROHIBITED)
    assert report.ok
    assert any(p.type == "never-in-force" and "'south'" in p.message for p in report.warnings)


def test_empty_class_selection_warns_never_applies(write_agreement: WriteAgreement) -> None:
    report = write_agreement(
        TERM_PROHIBITED.replace("classes: [power-plant]", "classes: [oil-refinery]")
    )
    assert report.ok
    assert [p.type for p in report.warnings] == ["never-applies"]


def test_term_binding_only_monitors_warns(write_agreement: WriteAgreement) -> None:
    report = write_agreement(TERM_PROHIBITED.replace("binds: [north, south]", "binds: [watch]"))
    assert any(p.type == "never-applies" for p in report.warnings)


def test_term_window_outside_agreement_warns(write_agreement: WriteAgreement) -> None:
    report = write_agreement(
        TERM_PROHIBITED + "    active: {from: 90 days after entry into force}\n"
    )
    assert any(p.type == "never-applies" for p in report.warnings)

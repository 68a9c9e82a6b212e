"""`claimscope export`: JSON, CSV (folder and zip) and STIX 2.1, of everything or of a neighbourhood."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from claimscope.db.edtf import parse_edtf
from claimscope.db.export import ExportError, atomic_file
from claimscope.db.stix import NAMESPACE, stix_id
from claimscope.tui.cli import main

# STIX 2.1 Appendix A, Admiralty Credibility: grade 6 ("cannot be judged") has no confidence.
ADMIRALTY_CONFIDENCE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}
TABLES = ("sources", "predicates", "entities", "aliases", "claims", "evidence", "disputes")


def run(*arguments: str, expect: int = 0) -> Any:
    result = CliRunner().invoke(main, ["export", *arguments], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result


def export_json(db: Path, *arguments: str) -> dict[str, Any]:
    return json.loads(run("--format", "json", "--db", str(db), *arguments).stdout)


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def query(db: Path, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, parameters).fetchall()


# -- JSON ----------------------------------------------------------------------------------------


def test_json_round_trips_the_counts(shipped_db: Path) -> None:
    document = export_json(shipped_db)
    assert document["format"] == "claimscope-export" and document["selection"] is None
    assert document["schema_version"] == query(shipped_db, "PRAGMA user_version")[0][0]
    assert len(document["entities"]) == count(shipped_db, "entities")
    assert len(document["claims"]) == count(shipped_db, "claims")
    assert sum(len(claim["evidence"]) for claim in document["claims"]) == count(shipped_db, "evidence")
    assert sum(len(entity["aliases"]) for entity in document["entities"]) == count(shipped_db, "aliases")
    for table in ("sources", "predicates", "disputes"):
        assert len(document[table]) == count(shipped_db, table), table
    assert document["meta"]["entity_counts"]["group"] > 0  # JSON text in meta, decoded


def test_json_decodes_json_columns_and_leaves_out_search_columns(shipped_db: Path) -> None:
    document = export_json(shipped_db)
    source = next(s for s in document["sources"] if s["id"] == "diplomat-2025-iskp-hts")
    assert source["authors"] == ["Abdul Sayed", "Riccardo Valle"]
    assert isinstance(document["predicates"][0]["subject_kinds"], list)
    iskp = next(e for e in document["entities"] if e["id"] == "iskp")
    assert "IS-K" in {alias["alias"] for alias in iskp["aliases"]}
    assert not {"sort_name", "alias_text"} & set(iskp)
    assert not {"folded", "compact", "entity_id"} & set(iskp["aliases"][0])
    claim = document["claims"][0]
    assert "text" not in claim and "statement" in claim and "end" in claim
    assert "claim_id" not in claim["evidence"][0] and "paragraph" in claim["evidence"][0]


def test_json_to_a_file_replaces_it_whole(shipped_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "kb.json"
    target.write_text("old", encoding="utf-8")
    run("--db", str(shipped_db), "-o", str(target))
    assert len(json.loads(target.read_text(encoding="utf-8"))["entities"]) == count(shipped_db, "entities")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["kb.json"]  # no temporary file left


def test_a_failed_write_leaves_the_destination_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "kb.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_file(target) as handle:
        handle.write("half an export")
        raise RuntimeError("the disk filled up")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["kb.json"]
    with pytest.raises(ExportError, match="does not exist"):
        with atomic_file(tmp_path / "missing" / "kb.json"):
            pass


def test_exports_are_reproducible(shipped_db: Path) -> None:
    for export_format in ("json", "stix"):
        first = run("--format", export_format, "--db", str(shipped_db)).stdout
        assert first == run("--format", export_format, "--db", str(shipped_db)).stdout, export_format


# -- CSV -------------------------------------------------------------------------------------------


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def check_tables(shipped_db: Path, files: dict[str, str]) -> None:
    assert sorted(files) == sorted(f"{table}.csv" for table in TABLES)
    for table in TABLES:
        rows = csv_rows(files[f"{table}.csv"])
        assert len(rows) - 1 == count(shipped_db, table), table
        columns = [row[1] for row in query(shipped_db, f'PRAGMA table_info("{table}")')]
        derived = {"sort_name", "alias_text", "context", "folded", "compact", "text", "best_grade", "time_lower",
                   "time_upper"}
        assert rows[0] == [c for c in columns if c not in derived]
    claims = csv_rows(files["claims.csv"])
    header = claims[0]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in claims[1:]}
    statement = query(shipped_db, "SELECT id, statement FROM claims WHERE statement LIKE '%,%' LIMIT 1")[0]
    assert by_id[statement[0]]["statement"] == statement[1]  # quoted, not split at the comma


def test_csv_into_a_folder(shipped_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "tables"
    run("--format", "csv", "--db", str(shipped_db), "--output", str(target))
    check_tables(shipped_db, {path.name: path.read_text(encoding="utf-8") for path in target.glob("*.csv")})
    run("--format", "csv", "--db", str(shipped_db), "--output", str(target))  # a previous export is replaced
    assert len(list(target.iterdir())) == len(TABLES) + 1  # and the file that marks it as an export
    assert (target / ".claimscope-export").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tables"]


def test_csv_into_a_zip(shipped_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "tables.zip"
    run("--format", "csv", "--db", str(shipped_db), "-o", str(target))
    with zipfile.ZipFile(target) as archive:
        check_tables(shipped_db, {name: archive.read(name).decode("utf-8") for name in archive.namelist()})


def test_csv_refuses_a_folder_of_other_files_and_needs_an_output(shipped_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run("--format", "csv", "--db", str(shipped_db), "-o", str(target), expect=2)
    assert "is not an earlier claimscope export (it holds notes.txt)" in result.stderr
    assert [path.name for path in target.iterdir()] == ["notes.txt"]
    assert "--output" in run("--format", "csv", "--db", str(shipped_db), expect=2).stderr


# -- STIX --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle_text(shipped_db: Path) -> str:
    return str(CliRunner().invoke(main, ["export", "--format", "stix", "--db", str(shipped_db)]).stdout)


@pytest.fixture(scope="module")
def bundle(bundle_text: str) -> dict[str, Any]:
    return json.loads(bundle_text)


def by_claimscope_id(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["x_claimscope_id"]: o for o in bundle["objects"] if "x_claimscope_id" in o}


def validator() -> Any:
    import stix2validator  # a test dependency (pyproject.toml): absent, the test must fail, not skip
    from stix2validator.errors import SchemaInvalidError

    probe = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [{
        "type": "identity", "spec_version": "2.1", "id": f"identity--{uuid.uuid4()}", "name": "probe",
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z"}]}
    try:
        stix2validator.validate_instance(probe)
    except SchemaInvalidError as error:
        # stix2-validator 3.3.1 was published without its JSON schemas; pyproject.toml asks for 3.2.
        pytest.fail(f"the installed stix2-validator cannot validate ({error}); install stix2-validator<3.3")
    return stix2validator


def test_stix_bundle_passes_the_validator(bundle_text: str) -> None:
    stix2validator = validator()
    results = stix2validator.validate_string(bundle_text, stix2validator.ValidationOptions(version="2.1"))
    errors = [str(error) for error in results.errors]
    assert results.is_valid, "\n".join(errors[:20])
    assert not errors


def test_stix_ids_are_uuid5_of_claimscope_ids(bundle: dict[str, Any]) -> None:
    iskp = by_claimscope_id(bundle)["iskp"]
    assert iskp["id"] == f"intrusion-set--{uuid.uuid5(NAMESPACE, 'entity:iskp')}"
    assert stix_id("report", "source:x") == f"report--{uuid.uuid5(NAMESPACE, 'source:x')}"
    ids = [o["id"] for o in bundle["objects"]]
    assert len(ids) == len(set(ids))


def test_stix_mapping_of_kinds(shipped_db: Path, bundle: dict[str, Any]) -> None:
    objects = by_claimscope_id(bundle)
    assert objects["iskp"]["type"] == "intrusion-set" and "IS-K" in objects["iskp"]["aliases"]
    assert objects["al-qaida"]["type"] == "intrusion-set"
    assert (objects["united-nations"]["type"], objects["united-nations"]["identity_class"]) == ("identity",
                                                                                                "organization")
    assert objects["al-mersaad"]["type"] == "identity" and objects["al-mersaad"]["roles"] == ["media outlet"]
    person = next(o for o in objects.values() if o.get("x_claimscope_kind") == "person")
    assert person["type"] == "identity" and person["identity_class"] == "individual"
    assert (objects["tajikistan"]["type"], objects["tajikistan"]["country"]) == ("location", "TJ")
    assert objects["termez"]["country"] == "UZ"  # from its located_in claim
    assert all(o.get("region") or o.get("country") for o in objects.values() if o["type"] == "location")
    assert objects["hts-offensive-2024"]["type"] == "campaign"
    assert objects["kabul-airport-bombing-2021"]["type"] == "incident"
    assert sum("x_claimscope_kind" in o for o in objects.values()) == count(shipped_db, "entities")


def test_stix_every_claim_is_in_its_reports(shipped_db: Path, bundle: dict[str, Any]) -> None:
    objects = {o["id"]: o for o in bundle["objects"]}
    in_reports: dict[str, set[str]] = {}
    for report in (o for o in objects.values() if o["type"] == "report"):
        for ref in report["object_refs"]:
            in_reports.setdefault(ref, set()).add(report["id"])
    claims = [o for o in objects.values() if o["type"] in ("relationship", "note")]
    assert len(claims) == count(shipped_db, "claims")
    for claim in claims:
        reports = {item["report_ref"] for item in claim["x_claimscope_evidence"]}
        assert reports and reports <= in_reports.get(claim["id"], set()), claim["x_claimscope_id"]
        assert len(claim["x_claimscope_evidence"]) == len(claim["external_references"])
    for o in objects.values():  # no reference leads outside the bundle
        refs = [o.get("source_ref"), o.get("target_ref"), o.get("created_by_ref"), *o.get("object_refs", ())]
        assert all(ref in objects for ref in refs if ref), o["id"]


def test_stix_confidence_from_the_admiralty_grades(shipped_db: Path, bundle: dict[str, Any]) -> None:
    best = dict(query(shipped_db, "SELECT claim_id, min(grade) FROM evidence WHERE grade < 6 GROUP BY claim_id"))
    claims = [o for o in bundle["objects"] if o["type"] in ("relationship", "note")]
    for claim in claims:
        expected = ADMIRALTY_CONFIDENCE.get(best.get(claim["x_claimscope_id"], 6))
        assert claim.get("confidence") == expected, claim["x_claimscope_id"]
    assert sum("confidence" in claim for claim in claims) == len(best) > 0


def test_stix_relationship_times_from_edtf(shipped_db: Path, bundle: dict[str, Any]) -> None:
    objects = by_claimscope_id(bundle)
    dated = query(shipped_db, 'SELECT id, start, "end" FROM claims WHERE object_id IS NOT NULL'
                              " AND modality <> 'denied' AND (start IS NOT NULL OR \"end\" IS NOT NULL)")
    assert any(end for _, _, end in dated) and any(start for _, start, _ in dated)
    for claim_id, start, end in dated:
        relationship = objects[claim_id]
        if start:
            assert relationship["start_time"] == f"{parse_edtf(start).lower}T00:00:00.000Z"
        if end:
            assert relationship["stop_time"] == f"{parse_edtf(end).upper}T23:59:59.999Z"
    perpetrated = next(o for o in objects.values() if o.get("x_claimscope_predicate") == "perpetrated")
    assert perpetrated["relationship_type"] == "attributed-to"  # the event is attributed to its perpetrator
    assert perpetrated["source_ref"].startswith(("incident--", "campaign--"))


def test_stix_value_and_denied_claims_are_notes(shipped_db: Path, bundle: dict[str, Any]) -> None:
    objects = by_claimscope_id(bundle)
    denied_id, claimant = query(shipped_db, "SELECT id, claimant_id FROM claims WHERE modality = 'denied'")[0]
    denied = objects[denied_id]
    assert denied["type"] == "note" and denied["abstract"].startswith("Denied by")
    assert denied["x_claimscope_claimant_ref"] == objects[claimant]["id"]
    value_id, number = query(shipped_db, "SELECT id, value_number FROM claims WHERE value_number IS NOT NULL")[0]
    assert objects[value_id]["type"] == "note" and objects[value_id]["x_claimscope_value"]["value_number"] == number


# -- neighbourhoods -------------------------------------------------------------------------------------


def test_neighbourhood_of_iskp(shipped_db: Path) -> None:
    neighbour = query(shipped_db, "SELECT object_id FROM claims WHERE subject_id = 'iskp' AND object_id NOT NULL")[0][0]
    linked = {row[0] for row in query(
        shipped_db, "SELECT subject_id FROM claims WHERE 'iskp' IN (subject_id, object_id, claimant_id)"
                    " UNION SELECT object_id FROM claims WHERE 'iskp' IN (subject_id, object_id, claimant_id)"
                    " UNION SELECT claimant_id FROM claims WHERE 'iskp' IN (subject_id, object_id, claimant_id)")}
    places = {row[0] for row in query(shipped_db, "SELECT place_id FROM entities WHERE place_id IS NOT NULL")}
    unrelated = next(row[0] for row in query(shipped_db, "SELECT id FROM entities ORDER BY id")
                     if row[0] not in linked and row[0] not in places)
    one = export_json(shipped_db, "--entity", "iskp", "--depth", "1")
    ids = {entity["id"] for entity in one["entities"]}
    assert {"iskp", neighbour} <= ids and unrelated not in ids
    assert linked - {None} <= ids
    zero = export_json(shipped_db, "--entity", "Wilayat Khurasan", "--depth", "0")  # a name resolves too
    assert {entity["id"] for entity in zero["entities"]} == {"iskp"}
    assert zero["claims"] and len(zero["claims"]) < len(one["claims"])
    for document in (zero, one):
        exported = {entity["id"] for entity in document["entities"]}
        for claim in document["claims"]:
            assert {claim["subject_id"], claim["object_id"], claim["claimant_id"]} - {None} <= exported
        cited = {e["source_id"] for claim in document["claims"] for e in claim["evidence"]}
        assert cited == {source["id"] for source in document["sources"]}
        assert {c["predicate_id"] for c in document["claims"]} == {p["id"] for p in document["predicates"]}
    assert one["selection"] == {"entities": ["iskp"], "where": None, "depth": 1, "entity_count": len(ids)}


def test_neighbourhood_in_csv_and_stix(shipped_db: Path, tmp_path: Path) -> None:
    document = export_json(shipped_db, "--entity", "iskp", "--depth", "0")
    run("--format", "csv", "--db", str(shipped_db), "--entity", "iskp", "--depth", "0", "-o", str(tmp_path / "t"))
    for table, expected in (("entities", 1), ("claims", len(document["claims"])),
                            ("sources", len(document["sources"]))):
        assert len(csv_rows((tmp_path / "t" / f"{table}.csv").read_text(encoding="utf-8"))) - 1 == expected
    text = run("--format", "stix", "--db", str(shipped_db), "--entity", "iskp", "--depth", "0").stdout
    objects = by_claimscope_id(json.loads(text))
    assert {o["x_claimscope_id"] for o in objects.values() if "x_claimscope_kind" in o} == {"iskp"}
    assert {claim["id"] for claim in document["claims"]} <= set(objects)
    stix2validator = validator()
    assert stix2validator.validate_string(text).is_valid


def test_where_selects_entities(shipped_db: Path) -> None:
    document = export_json(shipped_db, "--where", "kind = 'group'", "--depth", "0")
    assert {entity["kind"] for entity in document["entities"]} == {"group"}
    assert len(document["entities"]) == count_kind(shipped_db, "group")
    assert document["selection"]["where"] == "kind = 'group'"


def count_kind(db: Path, kind: str) -> int:
    return int(query(db, "SELECT count(*) FROM entities WHERE kind = ?", kind)[0][0])


def test_bad_selections_are_clear_errors(shipped_db: Path, tmp_path: Path) -> None:
    result = run("--db", str(shipped_db), "--where", "kindd = 'group'", expect=2)
    assert "--where" in result.stderr and "no such column: kindd" in result.stderr
    assert "Traceback" not in result.output
    # A comment could swallow the parentheses the condition is put in: refused (test_export_hardening.py).
    assert "comment" in run("--db", str(shipped_db), "--where", "kind = 'group' -- a comment", expect=2).stderr
    assert "syntax error" in run("--db", str(shipped_db), "--where", "kind = ", expect=2).stderr
    assert "no entity matches" in run("--db", str(shipped_db), "--where", "kind = 'none'", expect=1).stderr
    assert "no entity matches" in run("--db", str(shipped_db), "--entity", "zzqqxx-nothing", expect=1).stderr
    target = tmp_path / "kb.json"
    target.write_text("old", encoding="utf-8")
    run("--db", str(shipped_db), "--where", "nope(", "-o", str(target), expect=2)
    assert target.read_text(encoding="utf-8") == "old"
    assert "is not one of" in run("--db", str(shipped_db), "--format", "xml", expect=2).output
    assert "--depth needs" in run("--db", str(shipped_db), "--depth", "2", expect=2).stderr
    before = shipped_db.read_bytes()
    assert "knowledge base itself" in run("--db", str(shipped_db), "-o", str(shipped_db), expect=2).stderr
    assert shipped_db.read_bytes() == before

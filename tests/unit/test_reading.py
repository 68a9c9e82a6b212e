"""Reading a source with what cites it (passages --claims, --uncited) and citing a claim (cite)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimscope.db.cite import cite, reading
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.cli import main
from claimscope.tui.reading import read_source
from conftest import run_piped

SOURCE = "lossi36-2022-false-claims"


def run(*arguments: str, expect: int = 0) -> str:
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.stdout


def test_claims_under_each_paragraph_match_the_evidence(shipped_db: Path) -> None:
    shaped = json.loads(run("passages", SOURCE, "--claims", "--json", "--db", str(shipped_db)))
    with KnowledgeBase.open(shipped_db) as kb:
        evidence = {(claim.id, e.paragraph, e.sentence) for claim in kb.source_claims(SOURCE)
                    for e in claim.evidence if e.source.id == SOURCE}
        sentences = len(kb.source_passages(SOURCE))
    listed = {(c["id"], c["paragraph"], c["sentence"]) for p in shaped["paragraphs"] for c in p["claims"]}
    assert listed == evidence
    assert sum(len(p["sentences"]) for p in shaped["paragraphs"]) == sentences
    for paragraph in shaped["paragraphs"]:
        for claim in paragraph["claims"]:
            assert claim["paragraph"] == paragraph["paragraph"] and claim["modality"] and 1 <= claim["grade"] <= 6


def test_uncited_lists_exactly_the_sentences_no_claim_cites(shipped_db: Path) -> None:
    everything = json.loads(run("passages", SOURCE, "--claims", "--json", "--db", str(shipped_db)))
    uncited = json.loads(run("passages", SOURCE, "--uncited", "--json", "--db", str(shipped_db)))["uncited"]
    expected = [(p["paragraph"], s["sentence"]) for p in everything["paragraphs"] for s in p["sentences"]
                if not s["claims"]]
    assert [(u["paragraph"], u["sentence"]) for u in uncited] == expected and expected
    text = run("passages", SOURCE, "--uncited", "--db", str(shipped_db)).splitlines()
    assert [tuple(map(int, re.match(r"p(\d+) s(\d+)", line).groups())) for line in text] == expected


def test_without_the_text_the_paragraphs_are_listed_with_their_claims_and_the_reason(tmp_path: Path) -> None:
    from claimscope.seed.knowledge_base import build
    from claimscope.seed.loader import default_seed_dir

    db = tmp_path / "no-texts.db"
    build(db, default_seed_dir(), None)
    result = run_piped("passages", SOURCE, "--claims", "--db", str(db), "--corpus", str(tmp_path))
    assert result.returncode == 0
    assert "is not on this machine" in result.stderr and "listed by number" in result.stderr
    assert "p1: (text not shown)" in result.stdout and "↳ " in result.stdout
    plain = run_piped("passages", SOURCE, "--db", str(db), "--corpus", str(tmp_path))
    assert plain.returncode == 1 and "not on this machine" in plain.stderr


def test_a_changed_text_is_never_shown_but_the_indexed_sentences_are(shipped_db: Path, corpus_dir: Path,
                                                                     tmp_path: Path) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        record = kb.source_record(SOURCE)
        assert record is not None
        changed = tmp_path / "corpus"
        changed.mkdir()
        (changed / record.file).write_text("Something else entirely. Nothing here is the article.", encoding="utf-8")
        found = read_source(kb, SOURCE, changed)
        assert found is not None and found.paragraphs and "has changed" in str(found.text_note)
        assert "indexed" in found.text_from
        assert [s.text for p in found.paragraphs for s in p.sentences] == [p.text for p in kb.source_passages(SOURCE)]


@pytest.mark.parametrize("form", ["text", "markdown", "bibtex", "csl-json"])
def test_every_citation_format_carries_the_claim_and_its_sources(shipped_db: Path, form: str) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        claim = next(c for c in kb.entity("iskp").outgoing if len({e.source.id for e in c.evidence}) > 1)
    printed = run("cite", claim.id, "--format", form, "--db", str(shipped_db))
    assert printed.strip() == cite(claim, form).strip()
    for evidence in claim.evidence:
        source = evidence.source
        assert source.url in printed or source.url.replace("{", "%7B") in printed
        assert f"paragraph {evidence.paragraph}" in printed
    if form in ("text", "markdown"):
        assert reading(claim) in printed
    if form == "csl-json":
        items = json.loads(printed)
        assert {item["id"] for item in items} == {e.source.id for e in claim.evidence}
        for item in items:
            source = next(e.source for e in claim.evidence if e.source.id == item["id"])
            assert item["title"] == source.title and item["URL"] == source.url
            if source.authors:
                assert [f"{a['given']} {a['family']}" for a in item["author"]] == list(source.authors)
    if form == "bibtex":
        entries = re.findall(r"@misc\{(\w+),", printed)
        assert len(entries) == len({e.source.id for e in claim.evidence}) == len(set(entries))


def test_citation_dates_are_as_precise_as_the_source_record(shipped_db: Path) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        by_source = {}
        for source in kb.sources():
            claim = kb.source_claims(source.id)[0]
            by_source[source.id] = json.loads(cite(claim, "csl-json"))
    issued = {source_id: next(i for i in items if i["id"] == source_id).get("issued") for source_id, items in
              by_source.items()}
    assert issued["idsa-2023-iskp-central-asia"] == {"date-parts": [[2023, 6, 28]]}
    assert issued["diplomat-2025-iskp-hts"] == {"date-parts": [[2025, 1]]}  # the day is not confirmed
    assert issued["eurasianet-2023-almersaad"] == {"date-parts": [[2023]]}  # September or October


def test_bibtex_escapes_what_would_break_it() -> None:
    from claimscope.db.models import Claim, EntityRef, Evidence, SourceRef

    source = SourceRef("s", "A {braced} 100% & #1 title_with\\backslash", "Pub & Co", ("Ann Other",), "2024",
                       "https://example.org/a?b=1&c={2}", "B", "f.txt", False, ())
    claim = Claim("c", "p", "said", None, EntityRef("x", "group", "X"), None, "v", None, "v", None, None, None,
                  "asserted", None, None, None, None, False, (Evidence(source, 1, 2, None, None, 2, False),))
    entry = cite(claim, "bibtex")
    assert r"A \{braced\} 100\% \& \#1 title\_with\textbackslash{}backslash" in entry
    assert entry.count("{") - entry.count(r"\{") == entry.count("}") - entry.count(r"\}")  # the entry's own braces pair


def test_an_unknown_claim_id_gets_the_ids_that_start_so(shipped_db: Path) -> None:
    result = CliRunner().invoke(main, ["cite", "iskp--accused", "--db", str(shipped_db)])
    assert result.exit_code == 1 and "iskp--accused--" in result.output

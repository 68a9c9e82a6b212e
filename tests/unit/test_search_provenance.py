"""Every way in carries provenance, and odd queries get a clear answer (from a review of issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import claimscope
from claimscope.db.fulltext import MAX_WORDS, text_query
from claimscope.tui.cli import main


def invoke(shipped_db: Path, *arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*arguments, "--db", str(shipped_db)])
    return result.exit_code, result.stdout, result.stderr


def test_a_hit_through_a_claim_carries_its_evidence_and_a_passage_its_source(shipped_db: Path) -> None:
    code, out, _ = invoke(shipped_db, "search", "intelligence in Idlib", "--json", "--limit", "20")
    assert code == 0
    hits = json.loads(out)
    by_claim = [hit for hit in hits if hit["how"] == "claim"]
    passages = [hit for hit in hits if hit["how"] == "passage"]
    assert by_claim and passages
    with claimscope.open(shipped_db) as kb:
        for hit in by_claim:
            claim = kb.store.claim(hit["claim"])
            assert claim is not None
            assert hit["modality"] == claim.modality and hit["statement"] == claim.statement
            assert hit["claimant"] == (claim.claimant and {"id": claim.claimant.id, "kind": claim.claimant.kind,
                                                           "name": claim.claimant.name})
            assert [(e["source"]["id"], e["paragraph"], e["sentence"], e["grade"], e["source"]["grade"])
                    for e in hit["evidence"]] == [(e.source.id, e.paragraph, e.sentence, e.grade, e.source.grade)
                                                  for e in claim.evidence]
            assert hit["evidence"]
        for hit in passages:
            source = kb.store.source_record(hit["source"])
            assert source is not None
            assert (hit["source_title"], hit["source_grade"]) == (source.title, source.grade)
    # The table says the same in a line: modality, claimant, source, locator and grade.
    code, out, _ = invoke(shipped_db, "search", "intelligence in Idlib", "--limit", "20")
    alleged = next(hit for hit in by_claim if hit["modality"] == "alleged")
    evidence = alleged["evidence"][0]
    assert (f"[alleged by {alleged['claimant']['name']}; {evidence['source']['id']} ¶{evidence['paragraph']}."
            f"{evidence['sentence']} grade {evidence['source']['grade']}{evidence['grade']}]") in out


def test_nothing_found_is_an_empty_list_for_a_script(shipped_db: Path) -> None:
    code, out, err = invoke(shipped_db, "search", "zzqqxx", "--json")
    assert code == 1 and json.loads(out) == [] and "nothing matches 'zzqqxx'" in err


@pytest.mark.parametrize("arguments, message", [
    (["'\""], "holds no word to search for"),
    (["(("], "holds no word to search for"),
    (["--since", "2023", "--until", "2021"], "--since '2023' is after --until '2021'"),
])
def test_claims_refuses_what_would_quietly_list_everything_or_nothing(shipped_db: Path, arguments: list[str],
                                                                      message: str) -> None:
    code, out, err = invoke(shipped_db, "claims", *arguments)
    assert code == 2 and not out and message in err


def test_no_claim_with_the_filters_says_how_many_the_words_alone_find(shipped_db: Path) -> None:
    words = "intelligence in Idlib"
    with claimscope.open(shipped_db) as kb:
        alone = kb.claim_count(words)
        assert alone and not kb.claim_count(words, modality=["claimed", "alleged"], grade=1)
    code, _, err = invoke(shipped_db, "claims", words, "--modality", "claimed", "--modality", "alleged",
                          "--grade", "1")
    assert code == 0 and f"with these filters; {alone} match without them" in err
    code, _, err = invoke(shipped_db, "claims", "ISKP", "--offset", "99999")
    assert "--offset 99999 is past the last of the" in err and "filters" not in err


def test_the_python_api_says_what_is_wrong_with_an_argument(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        with pytest.raises(TypeError, match="text must be a string"):
            kb.claims(123)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="grade must be a whole number from 1"):
            kb.claims(grade="2")
        with pytest.raises(ValueError, match="holds no word"):
            kb.claims('"')
        assert len(kb.claims("", limit=5)) == 5  # no text: every claim the filters keep


def test_a_pasted_text_is_read_for_its_first_words_only() -> None:
    words = [f"word{number}" for number in range(200)]
    query = text_query(" ".join(words * 3))
    assert query is not None and query.words == tuple(words[:MAX_WORDS])
    assert text_query("killed killed KILLED") == text_query("killed")


def test_leads_finds_the_leader(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        first = kb.claims("ISKP leader", limit=1)[0].claim
        assert first.predicate == "leader_of" and first.object is not None and first.object.id == "iskp"
        assert any(hit.claim.predicate == "leader_of" for hit in kb.claims("who leads HTS", limit=20))

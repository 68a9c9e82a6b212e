"""Finding claims and events by their words: full-text search, passages, the claims command and its facets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import claimscope
from claimscope.db.fulltext import split_snippet, text_query
from claimscope.db.models import ClaimQuery
from claimscope.db.queries import KnowledgeBase
from claimscope.seed.knowledge_base import build
from claimscope.seed.loader import default_seed_dir
from claimscope.tui.cli import main
from conftest import ROOT, run_piped

LOOKUPS = json.loads((ROOT / "tests" / "data" / "lookups.json").read_text(encoding="utf-8"))


def cli_json(*arguments: str) -> object:
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- the query language --------------------------------------------------------------------------------


def test_words_are_quoted_stemmed_and_widened(shipped_db: Path) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        query = text_query('intelligence in "Idlib" AND ( NEAR(', kb.connection)
        assert query is not None and query.words == ("intelligence", "idlib", "near")  # small words dropped
        assert '"intelligence" AND "idlib"' in query.all_words and "(" not in query.all_words.split('"')[0]
        widened = text_query("Daud Muzammil assassination", kb.connection)
        assert widened is not None and '"killing"' in widened.all_words  # a synonym stemming cannot find
        alias = text_query("IS-K bombing", kb.connection)
        assert alias is not None and '"islamic state khorasan province"' in alias.all_words  # an alias, by name
    assert text_query("   ", None) is None


def test_a_snippet_keeps_its_marks_on_the_words() -> None:
    text, marks = split_snippet("…passing \ue000intelligence\ue001 in \ue000Idlib\ue001 to")
    assert text == "…passing intelligence in Idlib to"
    assert [text[start:end] for start, end in marks] == ["intelligence", "Idlib"]


# -- search: names first, then summaries, claims and passages -----------------------------------------


def test_events_and_facts_are_found_by_their_words(shipped_db: Path) -> None:
    """The issue's own examples, each of which found nothing when every word had to start an alias."""
    expected = {
        "intelligence in Idlib": "iskp",
        "ISKP founding": "iskp",
        "Usmon Ghazi killed": "killing-of-usmon-ghazi-2015",
        "Daud Muzammil assassination": "killing-of-daud-muzammil-2023",
        "al-Hashimi killed Idlib": "killing-of-al-hashimi-2023",
        "cyclists killed Tajikistan 2018": "cyclist-attack-2018",
    }
    for query, entity_id in expected.items():
        results = cli_json("search", query, "--json", "--db", str(shipped_db))
        assert entity_id in [result["id"] for result in results], (query, results)


def test_each_hit_says_where_it_matched_and_shows_the_words(shipped_db: Path) -> None:
    results = cli_json("search", "intelligence in Idlib", "--json", "--db", str(shipped_db), "--limit", "20")
    by_how: dict[str, dict] = {}
    for result in results:
        by_how.setdefault(result["how"], result)  # the best of each kind
    claim = by_how["claim"]
    assert claim["claim"] in {c["id"] for c in cli_json("show", claim["id"], "--json", "--db",
                                                       str(shipped_db))["claims"]}  # the claim is the entity's
    passage = by_how["passage"]
    assert passage["kind"] == "passage" and passage["id"] == f"{passage['source']}:{passage['paragraph']}." \
        f"{passage['sentence']}"
    assert passage["citing"], "the sentence is cited by claims, named here"
    for result in (claim, passage):
        marked = [result["snippet"][start:end].lower() for start, end in result["marks"]]
        assert {"intelligence", "idlib"} <= set(marked), result


def test_names_still_come_first_and_unchanged(shipped_db: Path) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        names = kb.search("Khurasan", limit=50, text=False)
        everything = kb.search("Khurasan", limit=50)
    assert [r.id for r in everything[:len(names)]] == [r.id for r in names]
    assert all(r.how in ("exact", "prefix", "word", "fuzzy") for r in everything[:len(names)])
    assert min(r.score for r in names) > max(r.score for r in everything[len(names):])


def test_a_passage_no_claim_cites_is_a_curators_lead(shipped_db: Path) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        uncited = kb.connection.execute(
            "SELECT p.source_id, p.paragraph, p.sentence, p.text FROM passages p WHERE NOT EXISTS (SELECT 1 FROM"
            " evidence e WHERE e.source_id = p.source_id AND e.paragraph = p.paragraph AND (e.sentence = p.sentence"
            " OR e.sentence IS NULL)) AND length(p.text) > 80 LIMIT 1").fetchone()
        assert uncited is not None
        source_id, paragraph, sentence, text = uncited
        words = " ".join(word for word in text.split() if len(word) > 6)[:80]
        hits = [r for r in kb.search(words, limit=30) if r.how == "passage"]
    hit = next(r for r in hits if (r.source, r.paragraph, r.sentence) == (source_id, paragraph, sentence))
    assert hit.citing == ()


@pytest.mark.parametrize("lookup", LOOKUPS, ids=[lookup["query"] for lookup in LOOKUPS])
def test_natural_lookups_land_on_what_they_mean(shipped_db: Path, lookup: dict) -> None:
    """45 lookups written from the articles in a researcher's words (none from the code): each must find
    an entity it means, and the passage it means, in the first ten results of ``search``."""
    with KnowledgeBase.open(shipped_db) as kb:
        results = kb.search(lookup["query"], limit=10)
    ids = [result.id for result in results]
    if lookup["entities"]:
        assert set(lookup["entities"]) & set(ids), ids
    if lookup["passage"]:
        wanted = (lookup["passage"]["source"], lookup["passage"]["paragraph"])
        assert wanted in [(r.source, r.paragraph) for r in results if r.how == "passage"], ids


def test_natural_lookups_find_their_claims(shipped_db: Path) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        wanted = [lookup for lookup in LOOKUPS if lookup["claims"]]
        missed = [lookup["query"] for lookup in wanted
                  if not set(lookup["claims"]) & {hit.claim.id for hit in kb.claims(ClaimQuery(lookup["query"]),
                                                                                      limit=10)}]
    # Two of them are answered by claims that hold every word but are not the ones listed.
    assert len(missed) <= 2, missed


def test_without_the_texts_there_are_no_passages_and_search_says_so_once(tmp_path: Path) -> None:
    db = tmp_path / "no-texts.db"
    build(db, default_seed_dir(), None)
    result = run_piped("search", "intelligence in Idlib", "--db", str(db))
    assert result.returncode == 0 and "\tpassage\t" not in result.stdout
    assert result.stderr.count("built without the source texts") == 1


# -- claims: words, filters, facets ------------------------------------------------------------------


def test_claims_by_words_have_their_evidence_and_snippet(shipped_db: Path) -> None:
    found = cli_json("claims", "intelligence in Idlib", "--json", "--db", str(shipped_db))
    assert found["total"] == len(found["claims"]) >= 2
    ids = [claim["id"] for claim in found["claims"]]
    assert any(claim_id.startswith("iskp--accused--") for claim_id in ids)
    for claim in found["claims"]:
        assert claim["evidence"] and claim["snippet"] and claim["marks"] and claim["score"] > 0
        for evidence in claim["evidence"]:
            assert {"source", "paragraph", "sentence", "grade"} <= set(evidence)
        assert claim["modality"] and "claimant" in claim
    scores = [claim["score"] for claim in found["claims"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("arguments, check", [
    (["--modality", "claimed", "--modality", "alleged"], lambda c: c["modality"] in ("claimed", "alleged")),
    (["--grade", "1"], lambda c: min(e["grade"] for e in c["evidence"]) == 1),
    (["--source", "lossi36-2022-false-claims"],
     lambda c: "lossi36-2022-false-claims" in {e["source"]["id"] for e in c["evidence"]}),
    (["--source-grade", "B"], lambda c: bool({e["source"]["grade"] for e in c["evidence"]} & {"A", "B"})),
    (["--entity", "Termez"], lambda c: "termez" in {(c["subject"] or {}).get("id"), (c["object"] or {}).get("id")}),
    (["--claimant", "al-Mersaad"], lambda c: (c["claimant"] or {}).get("id") == "al-mersaad"),
    (["--predicate", "estimated_strength"], lambda c: c["predicate"] == "estimated_strength"),
    (["--disputed"], lambda c: c["disputed"]),
    (["--undisputed", "--predicate", "founded_on"], lambda c: not c["disputed"] and c["predicate"] == "founded_on"),
])
def test_each_filter_keeps_only_what_it_says(shipped_db: Path, arguments: list[str], check) -> None:
    found = cli_json("claims", *arguments, "--limit", "10000", "--json", "--db", str(shipped_db))
    assert found["claims"] and found["total"] == len(found["claims"])
    assert all(check(claim) for claim in found["claims"]), arguments
    everything = cli_json("claims", "--limit", "10000", "--json", "--db", str(shipped_db))
    assert sum(check(claim) for claim in everything["claims"]) == found["total"]  # and nothing it should keep is lost
    ids = [claim["id"] for claim in found["claims"]]
    assert ids == sorted(ids)  # without words: by id, a stated and stable order


def test_since_and_until_keep_claims_about_a_time_that_overlaps(shipped_db: Path) -> None:
    found = cli_json("claims", "--since", "2022-04", "--until", "2022-04", "--limit", "10000", "--json",
                     "--db", str(shipped_db))
    assert found["total"] > 0
    assert any(claim["subject"]["id"] == "termez-rocket-claim-2022" for claim in found["claims"])
    result = CliRunner().invoke(main, ["claims", "--since", "spring", "--db", str(shipped_db)])
    assert result.exit_code == 2 and "--since" in result.output


def test_facets_count_the_selection(shipped_db: Path) -> None:
    found = cli_json("claims", "ISKP", "--facets", "--limit", "10000", "--json", "--db", str(shipped_db))
    facets, claims = found["facets"], found["claims"]
    assert set(facets) == {"modality", "predicate", "source", "claimant", "grade", "disputed"}
    for name in ("modality", "predicate", "claimant", "grade", "disputed"):
        assert sum(f["count"] for f in facets[name]) == found["total"], name
    modality = {f["value"]: f["count"] for f in facets["modality"]}
    assert modality == {m: sum(c["modality"] == m for c in claims) for m in modality}
    grade = {int(f["value"]): f["count"] for f in facets["grade"]}
    assert grade == {g: sum(min(e["grade"] for e in c["evidence"]) == g for c in claims) for g in grade}
    sources = {f["value"]: f["count"] for f in facets["source"]}
    assert sources == {s: sum(s in {e["source"]["id"] for e in c["evidence"]} for c in claims) for s in sources}


def test_claims_page_without_repeats_or_gaps(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        for text in ("killed", "Taliban commander assassinated Mazar-i-Sharif", "Sanaulah Gafari", None):
            total = kb.claim_count(text)
            paged = [hit.claim.id for offset in range(0, total, 7) for hit in kb.claims(text, limit=7, offset=offset)]
            assert len(paged) == len(set(paged)) == total, text
            assert paged[:7] == [hit.claim.id for hit in kb.claims(text, limit=7)]


def test_a_misspelt_name_still_finds_that_entitys_claims(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        hits = kb.claims("Sanaulah Gafari")
    assert hits and hits[0].claim.subject.id == "sanaullah-ghafari"


def test_claims_into_a_pipe_is_one_line_per_claim_with_its_provenance(shipped_db: Path) -> None:
    result = run_piped("claims", "Termez", "--db", str(shipped_db))
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows and all(len(row) == 6 for row in rows)
    assert all("¶" in row[5] and "credibility" in row[5] for row in rows)  # source, locator and grade on each


def test_unknown_ids_and_names_get_suggestions(shipped_db: Path) -> None:
    for arguments, status, fragment in ((["--source", "lossi36"], 2, "did you mean lossi36-2022-false-claims"),
                                        (["--entity", "Termzz"], 1, "Termez"),
                                        (["--predicate", "acused"], 2, "did you mean accused")):
        result = CliRunner().invoke(main, ["claims", *arguments, "--db", str(shipped_db)])
        assert result.exit_code == status and fragment in result.output, result.output


def test_the_api_takes_the_same_filters(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        hits = kb.claims("rockets", modality=["claimed", "alleged"], grade=2, entity="Termez")
        facets = kb.claim_facets("rockets", modality="claimed")
        assert all(h.claim.modality in ("claimed", "alleged") for h in hits)
        assert facets.total == kb.claim_count("rockets", modality="claimed") == sum(f.count for f in facets.modality)
        with pytest.raises(ValueError):
            kb.claims(grade=9)
        with pytest.raises(ValueError):
            kb.claims(modality="rumoured")


# -- the passages index: built from the texts present, never exported -----------------------------------


def test_the_build_indexes_every_body_sentence_and_an_export_carries_none(shipped_db: Path, tmp_path: Path) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        counted = kb.connection.execute("SELECT count(*) FROM passages").fetchone()[0]
        for source in kb.sources():
            listed = run_piped("passages", source.id, "--db", str(shipped_db)).stdout.splitlines()
            indexed = kb.connection.execute("SELECT count(*) FROM passages WHERE source_id = ?",
                                            (source.id,)).fetchone()[0]
            assert len(listed) == indexed > 0
    exported = json.loads(run_piped("export", "--db", str(shipped_db)).stdout)
    assert counted > 300 and "passages" not in exported


def test_involving_is_what_an_entity_pane_lists_and_an_empty_claimant_is_the_author(shipped_db: Path) -> None:
    from claimscope.tui.render import card_claims

    with KnowledgeBase.open(shipped_db) as kb:
        card = kb.entity("iskp")
        assert card is not None
        pane = {claim.id for claim, _ in card_claims(card)}
        involving = {hit.claim.id for hit in kb.claims(ClaimQuery(involving="iskp"), limit=10_000)}
        assert involving == pane and len(involving) > kb.claim_count(ClaimQuery(entity="iskp"))
        authors = kb.claims(ClaimQuery(claimant=""), limit=10_000)
        assert authors and all(hit.claim.claimant is None for hit in authors)
        facets = kb.claim_facets(ClaimQuery())
        assert next(f.count for f in facets.claimant if f.value == "") == len(authors)
        assert len(authors) + sum(f.count for f in facets.claimant if f.value) == facets.total


def test_a_word_in_more_claims_than_are_ranked_ranks_the_first_and_lists_every_match_once(
        shipped_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past RANK_POOL matches the first ones are ranked and said to be; paging still lists each match once."""
    from claimscope.db import fulltext

    with KnowledgeBase.open(shipped_db) as kb:
        query = ClaimQuery(text="ISKP")
        total = kb.claim_count(query)
        everything = kb.claims(query, limit=total)
        assert everything.ranked_among is None and len(everything) == total > 20
        monkeypatch.setattr(fulltext, "RANK_POOL", 10)
        first = kb.claims(query, limit=5)
        assert first.ranked_among == 10
        scores = [hit.score for hit in first]
        assert scores == sorted(scores, reverse=True)  # the ranked part is in relevance order
        pages = [hit.claim.id for offset in range(0, total, 7) for hit in kb.claims(query, offset=offset, limit=7)]
        assert sorted(pages) == sorted(hit.claim.id for hit in everything) and len(set(pages)) == total
        result = CliRunner().invoke(main, ["claims", "ISKP", "--json", "--limit", "3", "--db", str(shipped_db)])
        assert json.loads(result.stdout)["ranked_among"] == 10
        assert "were ranked by relevance, not all of them" in result.stderr

"""Importing a researcher's own sources and annotations: quote anchors, entity resolution, atomicity."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimscope.db.build import build_database
from claimscope.db.dump import read_records
from claimscope.db.queries import KnowledgeBase
from claimscope.seed.loader import default_seed_dir, load_seed
from claimscope.seed.quotes import find_quote, normalise
from claimscope.tui.cli import main
from conftest import ROOT, digest

EXAMPLE = ROOT / "tests" / "data" / "import-example"


def run(*arguments: str, expect: int = 0) -> str:
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A copy of the worked example, to be spoilt by a test."""
    folder = tmp_path / "notes"
    shutil.copytree(EXAMPLE, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the example no longer holds {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# -- finding quotes ----------------------------------------------------------------------------


def test_a_quote_is_found_whatever_its_spaces_quotation_marks_and_dashes() -> None:
    text = "He said \u201cthe  group\nwill\u00a0return\u201d \u2014 soon. It\u2019s late\u2026"
    [(start, end)] = find_quote(text, '"the group will return" - soon')
    assert text[start:end] == "\u201cthe  group\nwill\u00a0return\u201d \u2014 soon"
    [(start, end)] = find_quote(text, "It's late...")
    assert text[start:end] == "It\u2019s late\u2026"
    assert find_quote(text, "the group will not return") == []
    assert find_quote(text, "  ") == []


def test_normalise_keeps_an_offset_for_every_character() -> None:
    text = "a \u00ad b\u2026"
    normalised, origin = normalise(text)
    assert normalised == "a b..." and len(origin) == len(normalised)


# -- the worked example ----------------------------------------------------------------------------


def test_the_worked_example_imports_and_its_quotes_point_at_their_passages(kb: Path) -> None:
    before = read_records(kb)
    output = run("import", "--db", str(kb), str(EXAMPLE / "notes.yaml"))
    assert "1 source, 1 new entity and 1 merged" in output and "3 anchored by quote" in output and "1 merged" in output
    assert "1 already there" in output
    after = read_records(kb)
    assert len(after.sources) == len(before.sources) + 1
    assert len(after.claims) == len(before.claims) + 2
    assert len(after.evidence) == len(before.evidence) + 3
    text = (EXAMPLE / "notes.txt").read_text(encoding="utf-8")
    quoted = [e for e in after.evidence if e.source_id == "my-note-7"]
    for evidence in quoted:
        assert evidence.quote and normalise(text[evidence.start:evidence.end])[0] == normalise(evidence.quote)[0]
        assert evidence.paragraph_start <= evidence.start < evidence.end <= evidence.paragraph_end
    source = next(s for s in after.sources if s.id == "my-note-7")
    assert source.corpus_dir == str(EXAMPLE.resolve()) and source.sha256 == digest(EXAMPLE / "notes.txt")
    with KnowledgeBase.open(kb) as knowledge_base:
        # The claim that was already there now has a second source.
        card = knowledge_base.entity("voice-of-khorasan")
        assert card is not None
        operated = [c for c in card.incoming if c.predicate == "operates_outlet" and c.subject.id == "iskp"]
        assert {e.source.id for c in operated for e in c.evidence} >= {"my-note-7"}
        # The same_as entity was merged, not added.
        assert knowledge_base.entity("isis-k") is None
        assert knowledge_base.resolve("Sada-i Khurasan Archive")[0].id == "sada-archive"
        assert any(c.modality == "denied" and c.claimant.id == "sada-archive"
                   for c in knowledge_base.entity("sada-archive").outgoing)
    imports = json.loads(dict(after.meta)["imports"])
    assert imports[-1]["claims"] == 2 and imports[-1]["files"] == [str((EXAMPLE / "notes.yaml").resolve())]
    # The imported text's sentences are searchable passages, with the claims that cite them,
    # and the knowledge base's own passages are all still there.
    assert len(after.passages) > len(before.passages) and set(before.passages) <= set(after.passages)
    with KnowledgeBase.open(kb) as knowledge_base:
        hits = [r for r in knowledge_base.search("independent collectors", limit=20) if r.how == "passage"]
    assert hits and hits[0].source == "my-note-7" and hits[0].paragraph == 3 and hits[0].citing


def test_the_readme_shows_the_worked_example_as_it_is_tested() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("notes.txt", "notes.yaml"):
        assert (EXAMPLE / name).read_text(encoding="utf-8").strip() in readme, f"the README's {name} differs"


def test_an_import_of_the_same_files_again_is_refused_and_changes_nothing(kb: Path) -> None:
    run("import", "--db", str(kb), str(EXAMPLE))
    before = digest(kb)
    output = run("import", "--db", str(kb), str(EXAMPLE), expect=1)
    assert "source id 'my-note-7' is already in the knowledge base" in output
    assert digest(kb) == before


def test_dry_run_checks_and_writes_nothing(kb: Path) -> None:
    before = digest(kb)
    output = run("import", "--dry-run", "--db", str(kb), str(EXAMPLE))
    assert "check passed" in output and "nothing written" in output
    assert digest(kb) == before


# -- stale quotes, collisions, bad files: reported, and nothing written ---------------------------


def test_a_stale_quote_is_reported_moved_or_orphaned_and_nothing_is_written(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "paragraph: 2", "paragraph: 3")
    edit(notes / "notes.yaml", "no tie to ISIS-K", "no links to ISIS-K")
    before = digest(kb)
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "notes.yaml:37: error: quote moved: it is in paragraph 2 of my-note-7 (notes.txt), not in paragraph 3" \
        in output
    assert "set paragraph: 2" in output
    assert "notes.yaml:48: error: quote orphaned: not found in my-note-7" in output
    assert "closest passage is in paragraph 3" in output
    assert digest(kb) == before


def test_a_quote_with_a_paragraph_that_does_not_exist_says_so_and_the_closest_passage_is_whole_words(
        kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "paragraph: 2", "paragraph: 9")
    edit(notes / "notes.yaml", "no tie to ISIS-K", "no ties with ISIS-K, say analysts in Dushanbe")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "my-note-7 has 3 body paragraphs; paragraph 9 does not exist (the quote is in paragraph 2)" in output
    assert "set paragraph: 2, or leave paragraph: out" in output
    # The excerpt of the closest passage starts and ends on whole words.
    assert "alike): 'say they have no tie to ISIS-K.')" in output


def test_a_yaml_error_is_one_error_and_an_unclosed_quote_is_pointed_at(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", 'spring 2024"', "spring 2024")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "a quote opens on line 4 and does not close on it" in output
    assert "note: 1 file(s) could not be read" in output and "import failed: 1 error," in output


def test_an_unknown_key_gets_a_suggestion_only_when_it_is_near_one(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "        grade: 2", "        confidence: high\n        grade: 2")
    edit(notes / "notes.yaml", "        grade: 3", "        grdae: 3")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "unknown key 'confidence' in a piece of evidence (expected one of source," in output
    assert "unknown key 'grdae' in a piece of evidence (did you mean 'grade'?)" in output


def test_a_text_changed_after_annotation_orphans_its_quote(kb: Path, notes: Path) -> None:
    edit(notes / "notes.txt", "began reposting", "started reposting")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "notes.yaml:37: error: quote orphaned" in output


def test_a_quote_found_twice_asks_which(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", 'quote: "say they have no tie to ISIS-K"', 'quote: "ISIS-K"')
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "quote found in paragraphs 1, 3" in output and "add paragraph: N" in output


def test_a_name_of_an_existing_entity_needs_same_as_or_distinct_from(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "    same_as: iskp              # the same group: merge, do not add a new one\n", "")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "entity 'isis-k' may already be in the knowledge base: iskp (Islamic State Khorasan Province" in output
    assert "add same_as: iskp to merge it, or distinct_from: [iskp]" in output
    # Saying it is another group is an answer too: then it is added as one.
    edit(notes / "notes.yaml", "    summary: The name most Western officials use.",
         "    summary: The name most Western officials use.\n    distinct_from: [iskp]")
    run("import", "--db", str(kb), str(notes))
    with KnowledgeBase.open(kb) as knowledge_base:
        assert knowledge_base.entity("isis-k") is not None


def test_a_name_merely_alike_is_a_warning_with_candidates(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "entities:\n", "entities:\n  - {id: ghag, kind: outlet, name: Khurasan Ghag Radioo, "
         "summary: A station.}\n")
    output = run("import", "--db", str(kb), str(notes))
    assert "notes.yaml:13: warning: entity 'ghag' has a name like khurasan-ghag-radio" in output
    assert "% alike" in output and "distinct_from: [khurasan-ghag-radio]" in output


def test_every_problem_of_a_bad_file_is_reported_with_its_line(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "predicate: supports\n    object: voice-of-khorasan",
         "predicate: suports\n    object: voice-of-khorasann")
    edit(notes / "notes.yaml", "grade: 3", "grade: 9")
    edit(notes / "notes.yaml", "file: notes.txt", "file: note.txt")
    before = digest(kb)
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "notes.yaml:32: error: unknown predicate 'suports' (did you mean 'supports'?)" in output
    assert "notes.yaml:49: error: grade: expected an information-credibility grade from 1 to 6, found 9" in output
    assert "notes.yaml:3: error: corpus text 'note.txt' not found beside the file" in output
    assert "was not changed" in output and digest(kb) == before


def test_a_file_that_is_not_yaml_or_holds_control_characters_is_refused(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "title: \"Monitoring", "title: \"\\e]0;pwned\\aMonitoring")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "U+001B" in output
    (notes / "notes.yaml").write_text("sources: [\n", encoding="utf-8")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "notes.yaml:" in output and "could not be read" in output


def test_an_import_into_a_missing_or_foreign_file_says_so(tmp_path: Path) -> None:
    output = run("import", "--db", str(tmp_path / "none.db"), str(EXAMPLE), expect=2)
    assert "no such knowledge base" in output and "claimscope build --db" in output
    (tmp_path / "foreign.db").write_bytes(b"not a database at all" * 100)
    output = run("import", "--db", str(tmp_path / "foreign.db"), str(EXAMPLE), expect=2)
    assert "not a knowledge base" in output


def test_a_claim_citing_a_shipped_source_by_paragraph_is_checked_against_its_text(kb: Path, notes: Path,
                                                                                  corpus_dir: Path) -> None:
    (notes / "more.yaml").write_text(
        "claims:\n"
        "  - subject: sada-archive\n    predicate: supports\n    object: al-azaim\n"
        "    evidence:\n      - {source: diplomat-2025-iskp-hts, paragraph: 99, grade: 3}\n",
        encoding="utf-8",
    )
    output = run("import", "--db", str(kb), "--corpus", str(corpus_dir), str(notes), expect=1)
    assert "more.yaml:6: error: diplomat-2025-iskp-hts has 23 body paragraphs; paragraph 99 does not exist" in output


# -- the knowledge base is read back exactly ------------------------------------------------------


def test_a_knowledge_base_reads_back_as_the_records_it_was_built_from(tmp_path: Path, corpus_dir: Path) -> None:
    records = load_seed(default_seed_dir(), corpus_dir).records
    assert records is not None
    build_database(tmp_path / "kb.db", records)
    back = read_records(tmp_path / "kb.db")
    for name in ("sources", "predicates", "entities", "aliases", "claims", "evidence"):
        assert getattr(back, name) == getattr(records, name), name
    assert dict(back.meta) == dict(records.meta)
    # Built again from what was read, the file holds the same rows.
    build_database(tmp_path / "again.db", back)
    assert dataclasses.astuple(read_records(tmp_path / "again.db")) == dataclasses.astuple(back)


def test_a_text_changed_after_import_shows_its_quotes_moved_or_orphaned_not_re_anchored(kb: Path, notes: Path) -> None:
    from claimscope.tui.passages import PassageStore
    from claimscope.tui.widgets.provenance import prepare_provenance

    run("import", "--db", str(kb), str(notes))

    def provenance(entity: str) -> list[str]:
        with KnowledgeBase.open(kb) as knowledge_base:
            card = knowledge_base.entity(entity)
            assert card is not None
            return [prepare_provenance(PassageStore(None), claim).plain for claim in card.outgoing]

    shown = provenance("sada-archive")
    assert all("(by quote)" in text for text in shown)
    assert any("began reposting the magazine's issues" in text for text in shown)
    # The researcher edits the note: one quote now sits in another paragraph, one is gone.
    edit(notes / "notes.txt", "It gives no contact and no names.\n\n", "")
    edit(notes / "notes.txt", "ISIS-K kept", "Its operators have since gone quiet. A Telegram channel calling itself "
         "the Sada-i Khurasan Archive began reposting the magazine's issues.\n\nISIS-K kept")
    edit(notes / "notes.txt", "no tie to ISIS-K", "nothing to do with anyone")
    shown = provenance("sada-archive")
    assert any("moved. The knowledge base keeps the anchor it was imported with." in text for text in shown)
    assert any("no longer in the text: orphaned" in text for text in shown)
    assert not any("began reposting the magazine's issues" in text for text in shown), "a passage was re-anchored"


def test_prefix_and_suffix_pick_one_of_several_places_as_a_text_quote_selector_does(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", 'quote: "say they have no tie to ISIS-K"',
         'quote: "ISIS-K"\n        prefix: "say they have no tie to"')
    run("import", "--db", str(kb), str(notes))
    evidence = [e for e in read_records(kb).evidence if e.quote == "ISIS-K"]
    assert [e.paragraph for e in evidence] == [3]
    text = (notes / "notes.txt").read_text(encoding="utf-8")
    assert text[evidence[0].start - 10:evidence[0].end] == "no tie to ISIS-K"
    assert find_quote(text, "ISIS-K", suffix="kept its") != find_quote(text, "ISIS-K", prefix="no tie to")
    assert find_quote(text, "ISIS-K", prefix="nothing like this") == []


def test_a_build_over_a_knowledge_base_with_imports_asks_for_force(kb: Path, corpus_dir: Path) -> None:
    run("import", "--db", str(kb), str(EXAMPLE))
    before = digest(kb)
    output = run("build", "--db", str(kb), "--corpus", str(corpus_dir), expect=1)
    assert "holds 1 imported source(s), with what they added, that a build from the seed files would drop" in output \
        and "--force" in output
    assert digest(kb) == before
    # Removed again, the note leaves the spelling it merged into ISKP: that is what a build would drop.
    run("remove", "--db", str(kb), "my-note-7")
    output = run("build", "--db", str(kb), "--corpus", str(corpus_dir), expect=1)
    assert "holds spellings that earlier imports merged into the seed's entities" in output
    run("build", "--db", str(kb), "--corpus", str(corpus_dir), "--force")
    assert "my-note-7" not in {source.id for source in read_records(kb).sources}


def test_a_fifo_or_a_device_given_as_a_note_is_named_for_what_it_is(kb: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "notes.yaml"
    os.mkfifo(fifo)
    before = digest(kb)
    output = run("import", "--db", str(kb), str(fifo), "/dev/null", expect=1)
    assert f"{fifo}: error: a FIFO (named pipe), not a YAML file or a folder of them" in output
    assert "/dev/null: error: a character device, not a YAML file" in output
    assert "import failed: 2 errors, 0 warnings in 0 files" in output
    assert digest(kb) == before


def test_an_excerpt_is_widened_to_whole_words_and_cut_at_one() -> None:
    from types import SimpleNamespace

    from claimscope.seed.importer import _whole_words

    text = "First paragraph.\n\nAlpha beta gamma, delta epsilon.\n"
    paragraph = SimpleNamespace(start=18, end=len(text) - 1)
    assert _whole_words(text, 25, 34, paragraph) == "beta gamma,"  # from "eta gamma" to the words it cuts
    assert _whole_words(text, 18, len(text) - 1, paragraph, limit=20) == "Alpha beta..."


def test_a_deeply_nested_or_huge_value_is_named_by_what_it_is_not_printed(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", 'title: "Monitoring note 7: Khorasan channels, spring 2024"',
         "title: " + "[" * 90 + "x" + "]" * 90)
    edit(notes / "notes.yaml", "publisher: My own notes", "publisher: [" + ", ".join(["w"] * 100_000) + "]")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "notes.yaml:4: error: title: expected a non-empty text, found a list of 1 item" in output
    assert "notes.yaml:5: error: publisher: expected a non-empty text, found a list of 100000 items" in output
    assert len(output) < 5_000


def test_brackets_nested_past_a_hundred_are_refused_before_libyaml_reads_them(kb: Path, notes: Path) -> None:
    """libyaml's time grows with the square of the depth: 200 KB of brackets took 31 s."""
    edit(notes / "notes.yaml", "authors: [A. Researcher]", "authors: " + "[" * 200_000 + "]" * 200_000)
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "notes.yaml:6: error: values are nested more than 100 deep here" in output


def test_a_character_yaml_refuses_is_named_at_its_line(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "publisher: My own notes", "publisher: My own\x1b notes")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "notes.yaml:5: error: the text holds U+001B, which YAML does not accept in a file" in output


def test_a_path_that_is_not_utf8_is_refused_in_a_sentence(kb: Path, notes: Path, tmp_path: Path) -> None:
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/f\xe9"))
    shutil.copytree(notes, folder)
    before = digest(kb)
    output = run("import", "--db", str(kb), str(folder / "notes.yaml"), expect=1)
    assert "this path is not UTF-8 text" in output and "f\\xe9" in output
    assert digest(kb) == before


def test_a_record_left_out_for_a_problem_is_not_reported_again_by_what_cites_it(kb: Path, notes: Path) -> None:
    edit(notes / "notes.yaml", "    publisher: My own notes", "    publsher: My own notes")
    edit(notes / "notes.yaml", "    grade: B", "    grade: ~")
    output = run("import", "--db", str(kb), str(notes), expect=1)
    assert "notes.yaml:5: error: unknown key 'publsher' in a source (did you mean 'publisher'?)" in output
    assert "notes.yaml:9: error: a source needs 'grade'" in output  # at the key with no value
    assert "unknown source 'my-note-7'" not in output
    assert "import failed: 3 errors," in output  # the two above and the missing publisher

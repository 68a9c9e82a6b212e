"""Every kind of seed error is reported with its file and line, and a suggestion where one exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimscope.seed.loader import load_seed
from conftest import MINI_CLAIMS, MINI_ENTITIES, MINI_PREDICATES, MINI_SOURCES, write_mini_seed


def problems_for(tmp_path: Path, **files: str) -> list:
    seed, corpus = write_mini_seed(tmp_path, **files)
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.records is None, "a broken seed must not produce records"
    return result.errors


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing ``needle``."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def only(problems: list, fragment: str):
    matching = [p for p in problems if fragment in p.message]
    assert len(matching) == 1, f"expected one problem about {fragment!r}, got {[str(p) for p in problems]}"
    return matching[0]


def test_the_mini_seed_is_valid(mini_seed: tuple[Path, Path]) -> None:
    result = load_seed(*mini_seed, require_corpus=True)
    assert result.problems == []
    assert result.records is not None


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    broken = MINI_ENTITIES.replace("    name: Radio Example\n", "    name: Radio: Example: [\n")
    problem = only(problems_for(tmp_path, **{"entities.yaml": broken}), "YAML syntax")
    assert problem.file.endswith("entities.yaml")
    assert problem.line == line_of(broken, "Radio: Example")


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    broken = MINI_ENTITIES.replace("    summary: An invented station.", "    sumary: An invented station.")
    problems = problems_for(tmp_path, **{"entities.yaml": broken})
    problem = only(problems, "unknown key 'sumary'")
    assert problem.line == line_of(broken, "sumary")
    assert "summary" in problem.suggestion


def test_unknown_entity_id_has_did_you_mean(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace("object: radio-example", "object: radio-exampel")
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "unknown entity 'radio-exampel'")
    assert problem.file.endswith("claims.yaml")
    assert problem.line == line_of(broken, "radio-exampel")
    assert problem.suggestion == "did you mean 'radio-example'?"


def test_predicate_used_with_the_wrong_kinds(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace(
        "  - subject: example-front\n    predicate: operates_outlet\n    object: radio-example",
        "  - subject: example-front\n    predicate: operates_outlet\n    object: sampletown",
    )
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "takes an object of kind outlet")
    assert "'sampletown' is a place" in problem.message
    assert problem.line == line_of(broken, "object: sampletown")


def test_malformed_edtf_date(tmp_path: Path) -> None:
    broken = MINI_SOURCES.replace('published: "2024-05"', "published: May 2024")
    problem = only(problems_for(tmp_path, **{"sources.yaml": broken}), "EDTF")
    assert problem.file.endswith("sources.yaml")
    assert problem.line == line_of(broken, "published: May 2024")


def test_impossible_day_is_not_a_date(tmp_path: Path) -> None:
    broken = MINI_CLAIMS + (
        "  - subject: example-front\n    predicate: operates_outlet\n    object: radio-example\n"
        '    start: "2023-02-30"\n    evidence:\n      - {source: example-times, paragraph: 1, grade: 2}\n'
    )
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "2023-02-30")
    assert problem.line == line_of(broken, "2023-02-30")


def test_duplicate_ids_point_at_the_first(tmp_path: Path) -> None:
    broken = MINI_ENTITIES + "  - id: sampletown\n    kind: place\n    name: Sampletown again\n    summary: Twice.\n"
    problem = only(problems_for(tmp_path, **{"entities.yaml": broken}), "duplicate entity id 'sampletown'")
    assert problem.line == line_of(broken, "id: sampletown", 2)
    assert f"entities.yaml:{line_of(broken, 'id: sampletown')}" in problem.suggestion


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    broken = MINI_ENTITIES.replace("    name: Sampletown\n", "    name: Sampletown\n    name: Sample Town\n")
    problem = only(problems_for(tmp_path, **{"entities.yaml": broken}), "duplicate key 'name'")
    assert problem.line == line_of(broken, "name: Sample Town")


def test_paragraph_out_of_range(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace("{source: example-times, paragraph: 1, grade: 2}",
                                 "{source: example-times, paragraph: 9, grade: 2}")
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "paragraph 9 does not exist")
    assert "has 2 body paragraphs" in problem.message
    assert problem.line == line_of(broken, "paragraph: 9")


def test_sentence_out_of_range(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace("paragraph: 2, sentence: 1", "paragraph: 2, sentence: 3")
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "sentence 3 does not exist")
    assert "has 2 sentences" in problem.message
    assert problem.line == line_of(broken, "sentence: 3")


@pytest.mark.parametrize(("line", "what"), [(1, "page furniture"), (8, "page furniture"), (5, "subheading")])
def test_locator_in_furniture_or_heading(tmp_path: Path, line: int, what: str) -> None:
    broken = MINI_CLAIMS.replace("{source: example-times, paragraph: 1, grade: 2}",
                                 f"{{source: example-times, line: {line}, grade: 2}}")
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), what)
    assert problem.line == line_of(broken, f"line: {line}")


def test_claim_without_evidence(tmp_path: Path) -> None:
    broken = MINI_CLAIMS + "  - subject: example-front\n    predicate: located_in\n    object: sampletown\n"
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "needs 'evidence'")
    assert problem.line == line_of(broken, "predicate: located_in", 2) - 1


def test_corpus_text_that_changed(tmp_path: Path) -> None:
    seed, corpus = write_mini_seed(tmp_path)
    (corpus / "mini.txt").write_text("Example Times\n\nA different text now.\n", encoding="utf-8")
    result = load_seed(seed, corpus, require_corpus=True)
    problem = only(result.errors, "does not match its source record")
    assert problem.file.endswith("sources.yaml")
    assert problem.line == line_of(MINI_SOURCES, "sha256")


def test_missing_corpus_text_fails_check_but_not_build(tmp_path: Path) -> None:
    seed, corpus = write_mini_seed(tmp_path)
    (corpus / "mini.txt").unlink()
    assert only(load_seed(seed, corpus, require_corpus=True).errors, "not found")
    lenient = load_seed(seed, corpus, require_corpus=False)
    assert lenient.records is not None and lenient.warnings
    assert all(evidence.start is None for evidence in lenient.records.evidence)


def test_actor_claim_recorded_as_fact_is_refused(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace("    modality: reported\n", "    modality: asserted\n    claimant: ann-other\n")
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "not the source author's")
    assert problem.line == line_of(broken, "claimant: ann-other")


def test_alleged_claim_needs_a_claimant(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace("    modality: reported\n", "    modality: estimated\n")
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "needs a claimant")
    assert problem.line == line_of(broken, "modality: estimated")


def test_passage_that_names_none_of_the_entities(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace("{source: example-times, paragraph: 2, sentence: 1, grade: 3}",
                                 "{source: example-times, paragraph: 1, grade: 3}")
    entities = MINI_ENTITIES.replace("aliases: [EF, {alias: The Front, weak: true}]", "aliases: [EF]").replace(
        "name: Example Front", "name: Exemplary Front")
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken, "entities.yaml": entities}), "names none of")
    assert problem.line == line_of(broken, "paragraph: 1, grade: 3")
    assert "anaphora" in problem.suggestion


def test_anaphora_annotation_is_accepted_and_counted(tmp_path: Path) -> None:
    entities = MINI_ENTITIES.replace("name: Example Front", "name: Exemplary Front").replace(
        "aliases: [EF, {alias: The Front, weak: true}]", "aliases: [EF]")
    claims = MINI_CLAIMS.replace("{source: example-times, paragraph: 2, sentence: 1, grade: 3}",
                                 "{source: example-times, paragraph: 1, grade: 3, anaphora: true}")
    seed, corpus = write_mini_seed(tmp_path, **{"claims.yaml": claims, "entities.yaml": entities})
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.errors == []
    assert result.anaphora == 1


def test_several_errors_are_reported_together(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace("object: radio-example", "object: radio-exampel").replace(
        "paragraph: 2, sentence: 1", "paragraph: 2, sentence: 7")
    entities = MINI_ENTITIES.replace("kind: place", "kind: planet")
    problems = problems_for(tmp_path, **{"claims.yaml": broken, "entities.yaml": entities})
    messages = " | ".join(p.message for p in problems)
    assert "radio-exampel" in messages and "sentence 7" in messages and "planet" in messages
    assert all(p.line for p in problems)


def test_number_predicate_refuses_text(tmp_path: Path) -> None:
    broken = MINI_CLAIMS.replace("value: 300", "value: about three hundred")
    problem = only(problems_for(tmp_path, **{"claims.yaml": broken}), "takes a number")
    assert problem.line == line_of(broken, "about three hundred")


def test_an_unreadable_file_does_not_bury_its_error_under_unknown_ids(tmp_path: Path) -> None:
    broken = MINI_ENTITIES.replace("    summary: An invented town.", "      summary: An invented town.")
    problems = problems_for(tmp_path, **{"entities.yaml": broken})
    assert [p for p in problems if "YAML syntax" in p.message]
    assert not [p for p in problems if "unknown entity" in p.message]
    assert any("references between files were not checked" in p.message for p in problems)


def test_check_lists_entities_a_source_names_without_evidence(tmp_path: Path) -> None:
    # Ann Other is named in paragraph 2, but no claim citing the source is about her.
    seed, corpus = write_mini_seed(tmp_path)
    result = load_seed(seed, corpus, require_corpus=True)
    assert [(m.entity_id, m.paragraphs) for m in result.mentions] == [("ann-other", (2,))]


def test_a_claim_of_responsibility_is_never_recorded_as_fact(tmp_path: Path) -> None:
    predicates = MINI_PREDICATES + (
        "  - id: claimed_responsibility_for\n    label: claimed responsibility for\n    subject: [group]\n"
        "    object: [outlet]\n    self_claim: true\n"
    )
    claims = MINI_CLAIMS + (
        "  - subject: example-front\n    predicate: claimed_responsibility_for\n    object: radio-example\n"
        "    evidence:\n      - {source: example-times, paragraph: 1, grade: 2}\n"
    )
    problem = only(problems_for(tmp_path, **{"predicates.yaml": predicates, "claims.yaml": claims}), "own claim")
    assert problem.suggestion == "set modality: claimed and claimant: example-front"
    unclaimed = "    object: radio-example\n    evidence:\n      - {source: example-times, paragraph: 1, grade: 2}\n"
    fixed = claims.replace(unclaimed, "    object: radio-example\n    modality: claimed\n    claimant: example-front\n"
                                      "    evidence:\n      - {source: example-times, paragraph: 1, grade: 2}\n")
    seed, corpus = write_mini_seed(tmp_path / "fixed", **{"predicates.yaml": predicates, "claims.yaml": fixed})
    assert load_seed(seed, corpus, require_corpus=True).errors == []


def test_contradicts_must_name_a_claim(tmp_path: Path) -> None:
    claims = MINI_CLAIMS.replace("    modality: reported\n",
                                 "    modality: reported\n    contradicts: [no-such-claim]\n")
    problem = only(problems_for(tmp_path, **{"claims.yaml": claims}), "contradicts")
    assert problem.line == line_of(claims, "contradicts")


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """Nested YAML aliases would expand a few lines into billions of entries: aliases are refused."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 12)]
    bomb = MINI_ENTITIES + "\n".join(lines) + "\n"
    problems = problems_for(tmp_path, **{"entities.yaml": bomb})
    alias = [problem for problem in problems if "alias (*name)" in problem.message]
    assert alias and alias[0].line == line_of(bomb, "a0: &a0"), [str(problem) for problem in problems]


def test_the_c_parser_is_used_when_pyyaml_has_it() -> None:
    import yaml

    from claimscope.seed import yamlfile

    assert yamlfile._LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- sentence coverage, skip lists, curators' notes and scopes ------------------------------------


def sources_with_skip(tmp_path: Path, *entries: str) -> tuple[Path, Path, str]:
    """The mini seed with ``skip:`` entries on its one source; returns the seed, corpus and sources text."""
    base, _ = write_mini_seed(tmp_path / "probe")
    sha256 = (base / "sources.yaml").read_text(encoding="utf-8").split("sha256: ", 1)[1].split("\n", 1)[0]
    sources = MINI_SOURCES.format(sha256=sha256) + "    skip:\n" + "".join(f"      - {entry}\n" for entry in entries)
    seed, corpus = write_mini_seed(tmp_path / "seed", **{"sources.yaml": sources})
    return seed, corpus, sources


def test_sentence_coverage_counts_and_lists_the_uncited(mini_seed: tuple[Path, Path]) -> None:
    result = load_seed(*mini_seed, require_corpus=True)
    (coverage,) = result.coverage
    # A paragraph cited without a sentence number cites each of its sentences.
    assert (coverage.sentences, coverage.sentences_cited) == (4, 3)
    assert coverage.uncited_sentences == ((2, 2),) and coverage.skipped == ()
    (warning,) = result.uncited_sentences
    assert warning.severity == "warning" and warning.file.endswith("sources.yaml")
    assert "sentence 2.2 of example-times" in warning.message and "skip:" in warning.suggestion
    assert result.problems == [], "uncited sentences are for check to report, not a build's problems"


def test_a_skip_entry_accounts_for_an_uncited_sentence(tmp_path: Path) -> None:
    seed, corpus, _ = sources_with_skip(tmp_path, '{paragraph: 2, sentence: 2, reason: comment, note: "A reply."}')
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.problems == [] and result.uncited_sentences == []
    assert result.coverage[0].skipped == ((2, 2, "comment"),)


def test_a_skip_entry_must_resolve(tmp_path: Path) -> None:
    seed, corpus, sources = sources_with_skip(tmp_path, "{paragraph: 2, sentence: 5, reason: comment}")
    problem = only(load_seed(seed, corpus, require_corpus=True).errors, "skip:")
    assert problem.line == line_of(sources, "sentence: 5") and "has 2 sentences" in problem.message


def test_a_skip_reason_comes_from_the_list(tmp_path: Path) -> None:
    seed, corpus, sources = sources_with_skip(tmp_path, "{paragraph: 2, sentence: 2, reason: boring}")
    problem = only(load_seed(seed, corpus, require_corpus=True).errors, "reason")
    assert problem.line == line_of(sources, "boring") and "signpost" in problem.message


def test_skipping_a_cited_sentence_is_a_warning(tmp_path: Path) -> None:
    seed, corpus, sources = sources_with_skip(tmp_path, "{paragraph: 1, sentence: 2, reason: repetition}")
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.errors == []
    (warning,) = result.warnings
    assert "a claim cites it" in warning.message and warning.line == line_of(sources, "repetition")


def test_a_curators_note_stays_in_the_seed(tmp_path: Path) -> None:
    entities = MINI_ENTITIES.replace(
        "    summary: An invented station.\n",
        "    summary: An invented station.\n    note: Broadcasts at night.\n"
        "    curator_note: Split it if the day service turns up.\n")
    seed, corpus = write_mini_seed(tmp_path, **{"entities.yaml": entities})
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.records is not None and result.problems == []
    (radio,) = [entity for entity in result.records.entities if entity.id == "radio-example"]
    assert radio.note == "Broadcasts at night."
    (note,) = result.curator_notes
    assert (note.record, note.text, note.line) == ("radio-example", "Split it if the day service turns up.",
                                                   line_of(entities, "curator_note"))


def test_a_scope_is_read_and_keeps_two_figures_apart(tmp_path: Path) -> None:
    claims = MINI_CLAIMS + (
        "  - subject: example-front\n    predicate: estimated_strength\n    value: 300\n    unit: fighters\n"
        "    modality: reported\n    scope: in Sampletown only\n"
        "    evidence:\n      - {source: example-times, paragraph: 2, sentence: 1, grade: 3}\n")
    seed, corpus = write_mini_seed(tmp_path, **{"claims.yaml": claims})
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.records is not None, [str(problem) for problem in result.errors]
    strengths = [claim for claim in result.records.claims if claim.predicate == "estimated_strength"]
    assert sorted(str(claim.scope) for claim in strengths) == ["None", "in Sampletown only"]
    assert len({claim.id for claim in strengths}) == 2, "the scope is part of the derived id"

"""Hostile text wherever it enters: seed files, search queries, CLI arguments, rendering.

Nothing crashes; markup is shown literally; no control sequence reaches the terminal.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimscope.db.folding import fold
from claimscope.db.queries import KnowledgeBase
from claimscope.seed.loader import load_seed
from claimscope.tui.render import claim_line, render_card, render_header, render_provenance, result_line
from claimscope.tui.text import clean
from conftest import MINI_ENTITIES, build_hostile_kb, run_cli, run_piped, write_mini_seed

# Everything a terminal could act on: C0 and C1 controls (newline and tab are layout, not commands).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SGR = re.compile(r"\x1b\[[0-9;]*m")

HOSTILE = [
    "[bold]Front[/] [link=https://x.example]click[/link]",
    "[unterminated",
    "[/]",
    "\x1b]52;c;aGVsbG8=\x07",              # OSC 52: write to the clipboard
    "\x1b]0;pwned\x1b\\",                  # set the window title
    "\x1b[2J\x1b[31mred",                  # clear the screen, colour
    "\x9b31m C1 CSI",
    "nul\x00byte",
    "ولایت خراسان دولت اسلامی",             # Dari/Pashto, right to left
    "د خراسان ولایت",                       # Pashto
    "Вилояти Хуросон",                      # Tajik Cyrillic
    "Xuroson viloyati oʻzbekcha",           # Uzbek Latin with the modifier letter
    "Z\u0336a\u0336l\u0336g\u0336o\u0301\u0302\u0303",  # combining marks
    "🔥 Front 🇦🇫 👨‍👩‍👧",
    "\u202eevil override",
    '"AND (', "NEAR(", "*", "-", ":", "a:b", '"', "''", "^", "OR", "NOT x",
    "x" * 10_000,
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from('"*():-^+ ANDORNEAR[]/\\\x1b\x07\x00\x9bab'), max_size=40),
)


@pytest.fixture(scope="module")
def shipped(shipped_db: Path) -> KnowledgeBase:
    knowledge_base = KnowledgeBase.open(shipped_db)
    yield knowledge_base
    knowledge_base.close()


# -- search and folding ------------------------------------------------------------------------


@given(hostile_text, st.sampled_from([None, "group", "person"]))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_search_returns_results_or_nothing_for_any_query(shipped: KnowledgeBase, query: str, kind: str | None) -> None:
    results = shipped.search(query, kind=kind, limit=10)
    assert isinstance(results, list) and len(results) <= 10
    assert all(kind is None or result.kind == kind for result in results)


@pytest.mark.parametrize("query", HOSTILE)
def test_every_hostile_query_is_answered(shipped: KnowledgeBase, query: str) -> None:
    assert isinstance(shipped.search(query), list)
    entity, candidates = shipped.resolve(query)
    assert entity is None or entity.id
    assert isinstance(shipped.timeline(actor=query, limit=5), list)


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_folding_has_no_control_characters_and_is_stable(text: str) -> None:
    folded = fold(text)
    assert not CONTROL.search(folded)
    assert fold(folded) == folded


# -- rendering ----------------------------------------------------------------------------------


def _assert_safe(rendered, *fields: str) -> None:  # type: ignore[no-untyped-def]
    plain = rendered.plain
    assert not CONTROL.search(plain), repr(plain[:200])
    for field in fields:
        # Markup is text: what was written in brackets is on screen as written (white space
        # may be folded, and a field may be cut at the end of a line).
        if "[" in field and not CONTROL.search(field):
            start = " ".join(clean(field).split())[:40]
            assert start in " ".join(plain.split())


@given(hostile_text, hostile_text, hostile_text)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_rendering_any_field_shows_it_literally_without_control_characters(
    shipped: KnowledgeBase, name: str, summary: str, statement: str
) -> None:
    card = shipped.entity("iskp")
    assert card is not None
    hostile_card = dataclasses.replace(card, name=name, summary=summary, note=statement)
    _assert_safe(render_header(hostile_card), name)
    _assert_safe(render_card(hostile_card))
    claim = card.outgoing[0]
    subject = dataclasses.replace(claim.subject, name=name)
    hostile_claim = dataclasses.replace(claim, subject=subject, statement=statement, note=summary)
    _assert_safe(claim_line(hostile_claim, "incoming"), name)
    texts = {evidence.source.id: (statement + "\n\n" + summary, None) for evidence in claim.evidence}
    _assert_safe(render_provenance(hostile_claim, texts), statement)
    results = shipped.search("ISKP", limit=1)
    _assert_safe(result_line(dataclasses.replace(results[0], name=name, matched=summary)), name)


# -- seed files ---------------------------------------------------------------------------------

LEGITIMATE = MINI_ENTITIES + """\
  - id: hostile-front
    kind: group
    name: "[bold]Front[/] [link=https://x.example]click"
    aliases: ["ولایت خراسان", "Вилояти Хуросон", "Z\u0336a\u0336l\u0336g\u0336o", "🔥 Front 🔥", "[unterminated"]
    summary: "{long}"
""".replace("{long}", "a" * 10_000)


def test_a_seed_may_hold_markup_scripts_emoji_and_long_text(tmp_path: Path) -> None:
    seed, corpus = write_mini_seed(tmp_path, **{"entities.yaml": LEGITIMATE})
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.errors == [], [str(p) for p in result.errors]
    names = {entity.name for entity in result.records.entities}
    assert "[bold]Front[/] [link=https://x.example]click" in names


def test_control_characters_in_a_seed_are_refused_together_with_their_lines(tmp_path: Path) -> None:
    entities = MINI_ENTITIES.replace(
        "    summary: An invented town.\n", '    summary: "An invented \\e]52;c;aGk=\\a town."\n'
    ).replace("    summary: An invented official.\n", '    summary: "An invented\\x9b official."\n')
    seed, corpus = write_mini_seed(tmp_path, **{"entities.yaml": entities})
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.records is None
    control = [problem for problem in result.errors if "control character" in problem.message]
    lines = entities.splitlines()
    assert sorted(problem.line for problem in control) == [
        number for number, line in enumerate(lines, start=1) if "\\e]52" in line or "\\x9b" in line
    ]
    assert {problem.message.split("U+")[1][:4] for problem in control} == {"001B", "009B"}
    assert all(problem.suggestion for problem in control)
    assert all(not CONTROL.search(str(problem)) for problem in result.errors)


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", [h for h in HOSTILE if "\x00" not in h][:6] + ["Вилояти Хуросон", "x" * 10_000])
@pytest.mark.parametrize("as_json", [True, False])
def test_cli_prints_no_control_sequence_for_a_hostile_argument(shipped_db: Path, query: str, as_json: bool) -> None:
    for command in (["search", query], ["show", query]):
        status, output, errors = run_cli(*command, *(["--json"] if as_json else []), "--db", str(shipped_db))
        assert status in (0, 1), output + errors
        assert "Traceback" not in output + errors
        assert not CONTROL.search(errors.replace("\r\n", "").replace("\n", "")), repr(errors[:300])
        # Rich styles its tables with SGR sequences (ESC [ ... m); anything else would be a leak.
        leaked = CONTROL.search(SGR.sub("", output).replace("\r\n", "").replace("\n", "").replace("\t", ""))
        assert not leaked, repr(output[:300])
        if as_json and status == 0:
            json.loads(output)


def test_json_output_escapes_c1_controls_and_stays_json(tmp_path: Path) -> None:
    from claimscope.tui.cli import json_text

    value = {"name": "a\x9b31mb\x1bc\u202ed", "plain": "Вилояти"}
    text = json_text(value)
    assert not CONTROL.search(text.replace("\n", ""))
    assert json.loads(text) == value
    assert "Вилояти" in text


@pytest.mark.parametrize("command", [["search", "Front"], ["show", "example-front"], ["sources"], ["disputes"],
                                     ["timeline"]])
@pytest.mark.parametrize("as_json", [True, False])
def test_cli_prints_hostile_data_without_control_sequences(tmp_path: Path, command: list[str], as_json: bool) -> None:
    db, corpus = build_hostile_kb(tmp_path)
    status, output, errors = run_cli(*command, *(["--json"] if as_json else []), "--db", str(db), "--corpus",
                                     str(corpus))
    assert status == 0, output + errors
    assert not CONTROL.search(SGR.sub("", errors).replace("\r\n", "").replace("\n", "")), repr(errors[:300])
    assert not CONTROL.search(SGR.sub("", output).replace("\r\n", "").replace("\n", "").replace("\t", "")), \
        repr(output[:300])
    if command[0] in ("search", "show"):
        assert "[bold]Front[/]" in output  # markup is shown as written
    if as_json:
        json.loads(output)


@pytest.mark.parametrize("command", [["search", "Front"], ["show", "example-front"], ["sources"], ["disputes"],
                                     ["timeline"]])
def test_piped_output_of_hostile_data_holds_no_control_character(tmp_path: Path, command: list[str]) -> None:
    """Into a pipe the tables become tab-separated lines: a field's own tab or newline must not split a row."""
    db, corpus = build_hostile_kb(tmp_path)
    result = run_piped(*command, "--db", str(db), "--corpus", str(corpus))
    assert result.returncode == 0, result.stderr
    assert not CONTROL.search(result.stdout.replace("\n", "").replace("\t", "")), repr(result.stdout[:300])
    if command[0] == "search":  # (the mini knowledge base has no dated event for the timeline)
        assert {len(line.split("\t")) for line in result.stdout.splitlines()} == {5}, result.stdout[:500]

"""Each command's output, and the documented --json shapes (a contract scripts rely on)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimscope.tui.cli import main
from conftest import MINI_CLAIMS, run_cli, run_piped, write_mini_seed

SEARCH_KEYS = {"id", "kind", "name", "score", "matched"}
SHOW_KEYS = {"id", "kind", "name", "aliases", "summary", "date", "claims"}
CLAIM_KEYS = {"id", "predicate", "label", "subject", "object", "value", "modality", "claimant", "evidence"}
SGR = re.compile(r"\x1b\[[0-9;]*m")
EVIDENCE_KEYS = {"source", "paragraph", "sentence", "start", "end", "grade"}
SOURCE_KEYS = {"id", "title", "publisher", "published", "url"}


def run(*arguments: str, expect: int = 0) -> str:
    """What the command prints on standard output (notes on standard error are left out)."""
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.stdout


def test_search_json(shipped_db: Path) -> None:
    results = json.loads(run("search", "IS-K", "--json", "--db", str(shipped_db)))
    assert results[0]["id"] == "iskp" and results[0]["matched"] == "IS-K"
    assert all(SEARCH_KEYS <= set(result) for result in results)


def test_search_kind_and_limit(shipped_db: Path) -> None:
    results = json.loads(run("search", "a", "--kind", "place", "--limit", "3", "--json", "--db", str(shipped_db)))
    assert len(results) <= 3 and all(result["kind"] == "place" for result in results)


def test_show_json_on_a_search_result(shipped_db: Path) -> None:
    top = json.loads(run("search", "ISIS-K", "--json", "--db", str(shipped_db)))[0]
    card = json.loads(run("show", top["id"], "--json", "--db", str(shipped_db)))
    assert SHOW_KEYS <= set(card)
    assert card["claims"], "ISKP has claims"
    for claim in card["claims"]:
        assert CLAIM_KEYS <= set(claim)
        assert claim["evidence"], f"claim {claim['id']} has no evidence"
        for evidence in claim["evidence"]:
            assert EVIDENCE_KEYS <= set(evidence)
            assert SOURCE_KEYS <= set(evidence["source"])
            assert evidence["start"] is not None and evidence["end"] > evidence["start"]
    directions = {claim["direction"] for claim in card["claims"]}
    assert {"outgoing", "incoming"} <= directions


def test_show_accepts_a_name(shipped_db: Path) -> None:
    assert json.loads(run("show", "Wilayat Khurasan", "--json", "--db", str(shipped_db)))["id"] == "iskp"


def test_show_unknown_is_an_error_with_candidates(shipped_db: Path) -> None:
    result = CliRunner().invoke(main, ["show", "no-such-thing-at-all", "--db", str(shipped_db)])
    assert result.exit_code == 1
    assert "no entity matches" in result.output or "candidates" in result.output


def test_show_text_output(shipped_db: Path) -> None:
    output = run("show", "iskp", "--db", str(shipped_db))
    assert "Islamic State Khorasan Province" in output and "↳ ¶" in output


def test_timeline_json_sorted_and_filtered(shipped_db: Path) -> None:
    events = json.loads(run("timeline", "--json", "--db", str(shipped_db)))
    assert events and [e["sort"] for e in events] == sorted(e["sort"] for e in events)
    assert all({"id", "name", "date", "precision", "lower", "upper"} <= set(e) for e in events)
    recent = json.loads(run("timeline", "--since", "2023", "--json", "--db", str(shipped_db)))
    assert recent and all(e["upper"] >= "2023-01-01" for e in recent)
    assert len(recent) < len(events)
    actor = json.loads(run("timeline", "--actor", "al-mersaad", "--json", "--db", str(shipped_db)))
    assert actor and len(actor) < len(events)


def test_timeline_rejects_a_bad_date(shipped_db: Path) -> None:
    result = CliRunner().invoke(main, ["timeline", "--since", "last year", "--db", str(shipped_db)])
    assert result.exit_code == 2 and "EDTF" in result.output


def test_sources_json(shipped_db: Path) -> None:
    sources = json.loads(run("sources", "--json", "--db", str(shipped_db)))
    assert len(sources) == 5
    assert all(SOURCE_KEYS | {"grade", "claims", "paragraphs", "cited_paragraphs"} <= set(s) for s in sources)
    lossi = next(s for s in sources if s["id"] == "lossi36-2022-false-claims")
    assert lossi["authors"] == [] and "authors" in lossi["unconfirmed"]


def test_disputes_json(shipped_db: Path) -> None:
    disputes = json.loads(run("disputes", "--json", "--db", str(shipped_db)))
    assert disputes
    for dispute in disputes:
        assert len(dispute["claims"]) >= 2
        assert all(CLAIM_KEYS <= set(claim) and claim["evidence"] for claim in dispute["claims"])


def test_check_over_the_reference_corpus(corpus_dir: Path) -> None:
    output = run("check", "--corpus", str(corpus_dir))
    assert "check passed" in output
    assert "5 sources" in output and "locators resolved" in output and "paragraphs cited" in output


def test_check_fails_on_a_broken_seed(tmp_path: Path) -> None:
    seed, corpus = write_mini_seed(tmp_path, **{"claims.yaml": MINI_CLAIMS.replace("radio-example", "radio-exampel")})
    result = CliRunner().invoke(main, ["check", "--seed", str(seed), "--corpus", str(corpus)])
    assert result.exit_code == 1
    assert "claims.yaml:4" in result.output and "did you mean 'radio-example'?" in result.output


def test_build_with_a_malformed_seed_changes_nothing(tmp_path: Path) -> None:
    seed, corpus = write_mini_seed(tmp_path)
    db = tmp_path / "kb.db"
    run("build", "--seed", str(seed), "--corpus", str(corpus), "--db", str(db))
    before = db.read_bytes()
    (seed / "entities.yaml").write_text("entities:\n  - id: x\n    name: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--seed", str(seed), "--corpus", str(corpus), "--db", str(db)])
    assert result.exit_code == 1
    assert "entities.yaml:" in result.output and "was not changed" in result.output
    assert db.read_bytes() == before


def test_missing_db_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["search", "x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_default_knowledge_base_is_built_on_first_use_and_rebuilt_on_change(tmp_path: Path, corpus_dir: Path) -> None:
    environment = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "CLAIMSCOPE_CORPUS": str(corpus_dir)}
    environment.pop("CLAIMSCOPE_DB", None)
    command = [sys.executable, "-m", "claimscope", "search", "ISKP", "--json"]
    first = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    assert json.loads(first.stdout)[0]["id"] == "iskp"
    built = list((tmp_path / "data").rglob("claimscope.db"))
    assert len(built) == 1
    stamp = built[0].stat().st_mtime_ns
    subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    assert built[0].stat().st_mtime_ns == stamp, "an unchanged seed must not be rebuilt"


@pytest.mark.parametrize("arguments", [["search", "ISKP"], ["show", "iskp"], ["sources"], ["disputes"], ["timeline"]])
def test_commands_without_json_print_tables(shipped_db: Path, arguments: list[str]) -> None:
    assert run(*arguments, "--db", str(shipped_db)).strip()


@pytest.mark.parametrize("breakage", [
    # wrong types, an unknown key, an unknown id, a date that is not EDTF, a locator out of range
    ("claims.yaml", "paragraph: 1, sentence: 2, grade: 2", "paragraph: one, sentence: 2, grade: [2]"),
    ("entities.yaml", "    summary: An invented station.\n", "    summary: An invented station.\n    colour: red\n"),
    ("claims.yaml", "object: sampletown", "object: samplet0wn"),
    ("claims.yaml", "    unit: fighters\n", "    unit: fighters\n    start: spring 2024\n"),
    ("claims.yaml", "paragraph: 2, sentence: 1", "paragraph: 9, sentence: 1"),
    ("entities.yaml", "  - id: sampletown\n", "  - id: radio-example\n"),
])
def test_every_kind_of_bad_seed_is_reported_with_its_line_and_the_file_is_byte_for_byte_unchanged(
        tmp_path: Path, breakage: tuple[str, str, str]) -> None:
    seed, corpus = write_mini_seed(tmp_path)
    db = tmp_path / "kb.db"
    run("build", "--seed", str(seed), "--corpus", str(corpus), "--db", str(db))
    before = db.read_bytes()
    name, old, new = breakage
    text = (seed / name).read_text(encoding="utf-8")
    assert old in text
    broken = text.replace(old, new, 1)
    (seed / name).write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--seed", str(seed), "--corpus", str(corpus), "--db", str(db)])
    assert result.exit_code == 1
    pairs = zip(text.splitlines(), broken.splitlines(), strict=False)  # an added line makes one longer
    changed = next(number for number, (a, b) in enumerate(pairs, start=1) if a != b)
    reported = [line for line in result.output.splitlines() if f"{name}:" in line]
    assert reported, result.output
    assert any(f"{name}:{number}:" in line for line in reported for number in range(changed - 3, changed + 3)), \
        result.output
    assert db.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [".kb.db.lock", "corpus", "kb.db", "seed"]


def test_several_kinds_of_error_in_one_file_come_in_one_run(tmp_path: Path) -> None:
    seed, corpus = write_mini_seed(tmp_path)
    text = (seed / "claims.yaml").read_text(encoding="utf-8")
    broken = (text.replace("paragraph: 1, sentence: 2, grade: 2", "paragraph: one, sentence: 2, grade: 2")
              .replace("object: sampletown", "object: samplet0wn")
              .replace("value: 300", "value: lots"))
    (seed / "claims.yaml").write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--seed", str(seed), "--corpus", str(corpus)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if "claims.yaml:" in line and "error" in line]
    assert len(errors) >= 3, result.output
    assert any("sampletown" in line for line in errors), "the unknown id comes with a suggestion"


# -- into a pipe, at a terminal, and when there is more or nothing ------------------------------------------


def test_piped_search_is_one_tab_separated_line_per_result(shipped_db: Path) -> None:
    piped = run_piped("search", "ISKP", "--limit", "20", "--db", str(shipped_db))
    assert piped.returncode == 0, piped.stderr
    rows = [line.split("\t") for line in piped.stdout.splitlines()]
    expected = json.loads(run("search", "ISKP", "--limit", "20", "--json", "--db", str(shipped_db)))
    assert [row[0] for row in rows] == [result["id"] for result in expected]
    assert [row[2] for row in rows] == [result["name"] for result in expected]  # whole names, never cut
    assert all(len(row) == 5 for row in rows) and max(len("\t".join(row)) for row in rows) > 80


def test_piped_timeline_is_one_line_per_event(shipped_db: Path) -> None:
    piped = run_piped("timeline", "--db", str(shipped_db))
    events = json.loads(run("timeline", "--json", "--db", str(shipped_db)))
    rows = [line.split("\t") for line in piped.stdout.splitlines()]
    assert [row[-1] for row in rows] == [event["id"] for event in events]
    assert [row[1] for row in rows] == [event["name"] for event in events]


def test_piped_show_is_not_wrapped(shipped_db: Path) -> None:
    piped = run_piped("show", "iskp", "--db", str(shipped_db), environment={"COLUMNS": "60"})
    lines = piped.stdout.splitlines()
    card = json.loads(run("show", "iskp", "--json", "--db", str(shipped_db)))
    statements = [claim["statement"] for claim in card["claims"] if claim["statement"]]
    assert all(f"    {statement}" in lines for statement in statements)  # each whole, on its own line
    assert card["summary"] in lines
    assert not [line for line in lines if line != line.rstrip()], "no trailing spaces"


def test_at_a_terminal_search_is_still_a_table(shipped_db: Path) -> None:
    status, output, _ = run_cli("search", "ISKP", "--db", str(shipped_db))
    assert status == 0 and "\t" not in output
    assert re.search(r"id\s+kind\s+name\s+matched\s+score", SGR.sub("", output)), output


def test_search_says_how_many_more_match_and_how_to_see_them(shipped_db: Path) -> None:
    every = json.loads(run("search", "Mazar", "--limit", "1000", "--json", "--db", str(shipped_db)))
    piped = run_piped("search", "Mazar", "--limit", "3", "--db", str(shipped_db))
    assert len(piped.stdout.splitlines()) == 3
    assert re.search(r"3 shown; (at least )?\d+ more match", piped.stderr), piped.stderr
    all_of_them = run_piped("search", "Mazar", "--limit", str(len(every)), "--db", str(shipped_db))
    assert len(all_of_them.stdout.splitlines()) == len(every) > 3 and all_of_them.stderr == ""


def test_a_name_that_matches_nothing_gets_the_closest_names(shipped_db: Path) -> None:
    result = CliRunner().invoke(main, ["show", "Abu Umar Khorsani", "--db", str(shipped_db)])
    assert result.exit_code == 1 and "no entity matches" in result.output
    assert "the closest names: " in result.output and "(abu-umar-jawad)" in result.output
    # search lists what its words find, and says which names are closest on standard error.
    piped = run_piped("search", "Abu Umar Khorsani", "--db", str(shipped_db))
    assert "no name matches 'Abu Umar Khorsani'; the closest names: " in piped.stderr and "(abu-umar-jawad)" in \
        piped.stderr
    result = CliRunner().invoke(main, ["search", "zzqx blorf", "--db", str(shipped_db)])
    assert result.exit_code == 1 and "nothing matches 'zzqx blorf'" in result.output
    result = CliRunner().invoke(main, ["show", "Islamic Stat Korasan Provnce", "--db", str(shipped_db)])
    assert result.exit_code == 1 and "the closest names: Islamic State Khorasan Province (iskp)" in result.output


def complete(words: str, cursor: int, **environment: str) -> list[str]:
    """What bash completion offers for ``words`` with the cursor on word number ``cursor``."""
    result = run_piped(environment={"_CLAIMSCOPE_COMPLETE": "bash_complete", "COMP_WORDS": words,
                                    "COMP_CWORD": str(cursor), **environment})
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if "," in line]


def test_completion_offers_entity_and_source_ids(shipped_db: Path, tmp_path: Path) -> None:
    db = str(shipped_db)
    assert {"iskp", "iskp-tajik-wing"} <= set(complete(f"claimscope --db {db} show isk", 4))
    # A name, not an id: the ids it names (bash, which would put their common start in place of the
    # word, gets the best one only; zsh shows each with its name).
    assert complete(f"claimscope show daesh --db {db}", 2) == ["islamic-state"]
    zsh = run_piped(environment={"_CLAIMSCOPE_COMPLETE": "zsh_complete", "COMP_CWORD": "2",
                                 "COMP_WORDS": f"claimscope show daesh --db {db}"}).stdout.splitlines()
    assert {"islamic-state", "iskp"} <= set(zsh) and "Islamic State Khorasan Province" in zsh
    assert complete("claimscope timeline --actor al-mer", 3, CLAIMSCOPE_DB=db)[0] == "al-mersaad"
    assert complete(f"claimscope passages lossi --db {db}", 2) == ["lossi36-2022-false-claims"]
    assert complete(f"claimscope export --entity iskp-t --db {db}", 3) == ["iskp-tajik-wing"]
    # Completion never builds the default knowledge base: without the file it offers nothing, and writes nothing.
    assert complete("claimscope show isk", 2, CLAIMSCOPE_DB="", XDG_DATA_HOME=str(tmp_path)) == []
    assert list(tmp_path.iterdir()) == []
    assert complete("claimscope show isk", 2, CLAIMSCOPE_DB=str(tmp_path / "none.db")) == []


def test_completion_scripts_for_each_shell() -> None:
    for shell, marker in (("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --no-files")):
        script = run("completion", shell)
        assert "_CLAIMSCOPE_COMPLETE" in script and marker in script, script

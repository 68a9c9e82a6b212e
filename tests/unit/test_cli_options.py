"""--db and --corpus mean the same before the command as after it, for every command; never another file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claimscope.tui.cli import main
from conftest import ROOT

EXAMPLE = ROOT / "tests" / "data" / "import-example" / "notes.yaml"

#: Every command, with arguments that make it read the knowledge base given by --db.
READERS = {
    "ui": ["--entity", "iskp"],
    "search": ["ISKP"],
    "show": ["iskp"],
    "claims": ["Termez", "--entity", "iskp"],
    "cite": ["iskp--accused--158d113c"],
    "timeline": [],
    "sources": [],
    "disputes": [],
    "passages": ["lossi36-2022-false-claims"],
    "export": ["--entity", "al-mersaad"],
    "serve": ["--port", "1"],
    "import": ["--dry-run", str(EXAMPLE)],
    "remove": ["--dry-run", "my-note-7"],
}
#: The commands that write the file --db names, or that read no knowledge base at all.
OTHERS = {"build": [], "check": [], "completion": ["bash"]}


def invoke(*arguments: str) -> Result:
    return CliRunner().invoke(main, list(arguments))


def both_ways(option: str, value: str, command: str, arguments: list[str]) -> tuple[Result, Result]:
    return invoke(option, value, command, *arguments), invoke(command, *arguments, option, value)


def test_the_tables_name_every_command() -> None:
    assert set(READERS) | set(OTHERS) == set(main.commands)


@pytest.mark.parametrize("command", sorted(READERS))
def test_a_missing_knowledge_base_is_refused_both_ways(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    for result in both_ways("--db", str(missing), command, READERS[command]):
        assert result.exit_code == 2, result.output
        assert f"{missing}: no such" in result.output
    assert not missing.exists()


@pytest.mark.parametrize("command", sorted(READERS) + ["build", "check"])
def test_a_missing_corpus_folder_is_refused_both_ways(command: str, tmp_path: Path) -> None:
    arguments = READERS.get(command, [])
    for result in both_ways("--corpus", str(tmp_path / "nowhere"), command, arguments):
        assert result.exit_code == 2 and "does not exist" in result.output, result.output


@pytest.mark.parametrize("command", ["search", "show", "claims", "timeline", "sources", "disputes", "passages",
                                     "export"])
def test_readers_answer_the_same_both_ways(command: str, shipped_db: Path, corpus_dir: Path) -> None:
    before, after = both_ways("--db", str(shipped_db), command, [*READERS[command], "--corpus", str(corpus_dir)])
    assert before.exit_code == after.exit_code == 0, before.output + after.output
    assert before.output == after.output and before.output.strip()


def test_import_reads_the_same_file_both_ways(shipped_db: Path, corpus_dir: Path) -> None:
    before, after = both_ways("--db", str(shipped_db), "import", READERS["import"])
    assert before.exit_code == after.exit_code == 0, before.output + after.output
    assert before.output == after.output and "would import 1 source," in before.output


def test_build_writes_where_it_is_told_both_ways(tmp_path: Path, corpus_dir: Path) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert invoke("--db", str(first), "build", "--corpus", str(corpus_dir)).exit_code == 0
    assert invoke("build", "--corpus", str(corpus_dir), "--db", str(second)).exit_code == 0
    assert first.is_file() and second.is_file()


@pytest.mark.parametrize("command, flag", [("check", "--db"), ("completion", "--db"), ("completion", "--corpus")])
def test_an_option_a_command_cannot_use_is_refused(command: str, flag: str, tmp_path: Path) -> None:
    value = str(tmp_path)
    result = invoke(flag, value, command, *OTHERS[command])
    assert result.exit_code == 2 and flag in result.output, result.output
    if command == "check":
        result = invoke(command, flag, value)
        assert result.exit_code == 2 and flag in result.output, result.output


def test_two_different_values_are_refused_not_guessed(shipped_db: Path, tmp_path: Path) -> None:
    for arguments in (["--db", str(shipped_db), "search", "ISKP", "--db", str(tmp_path / "other.db")],
                      ["search", "ISKP", "--db", str(shipped_db), f"--db={tmp_path / 'other.db'}"],
                      ["--corpus", str(tmp_path), "--corpus", str(ROOT), "sources"]):
        result = invoke(*arguments)
        assert result.exit_code == 2 and "more than once" in result.output, result.output
    same = invoke("--db", str(shipped_db), "search", "ISKP", "--db", str(shipped_db))
    assert same.exit_code == 0


def test_the_command_line_wins_over_the_environment_in_either_place(shipped_db: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMSCOPE_DB", str(tmp_path / "from-the-environment.db"))
    for result in both_ways("--db", str(shipped_db), "show", ["iskp"]):
        assert result.exit_code == 0 and "Islamic State Khorasan Province" in result.output, result.output
    result = invoke("show", "iskp")
    assert result.exit_code == 2 and "from-the-environment.db: no such file" in result.output

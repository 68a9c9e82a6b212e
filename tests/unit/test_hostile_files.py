"""Paths, files and arguments that fight back: nothing lost, nothing replaced that is not ours, no traceback.

Each test is a reproducer from an attack review of the knowledge base's files, or a variant of one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimscope.db.queries import KnowledgeBase
from claimscope.seed.corpus import MAX_TEXT_BYTES
from claimscope.seed.knowledge_base import build
from claimscope.seed.loader import load_seed
from claimscope.seed.segment import segment
from claimscope.tui.cli import main
from conftest import MINI_ENTITIES, ROOT, run_piped, write_mini_seed

EXAMPLE = ROOT / "tests" / "data" / "import-example"


def cli(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return run_piped(*(str(a) for a in arguments))


def digest(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture
def kb(mini_seed: tuple[Path, Path], tmp_path: Path) -> Path:
    """The invented mini knowledge base, with its seed and corpus beside it."""
    seed, corpus = mini_seed
    build(tmp_path / "kb.db", seed, corpus)
    return tmp_path / "kb.db"


@pytest.fixture
def shipped(shipped_db: Path, tmp_path: Path) -> Path:
    """A copy of the shipped knowledge base, which the README's import example is written for."""
    copy = tmp_path / "shipped" / "kb.db"
    copy.parent.mkdir()
    shutil.copy(shipped_db, copy)
    return copy


# -- 1. logs and journals beside a knowledge base ------------------------------------------------------


def wal_with_changes(path: Path) -> None:
    """Switch ``path`` to write-ahead logging and leave committed changes in its log, as a killed writer does."""
    script = (
        "import sqlite3, os, signal, sys\n"
        "c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute(\"UPDATE entities SET summary = summary || 'x'\"); c.commit()\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert Path(f"{path}-wal").stat().st_size > 0


def test_a_log_left_beside_a_file_is_never_laid_over_a_new_one(kb: Path) -> None:
    wal_with_changes(kb)
    before = digest(kb), digest(Path(f"{kb}-wal"))
    # Reading and importing refuse it, with the command that folds the log in, and change nothing.
    for command in (("show", "example-front"), ("import", EXAMPLE / "notes.yaml"), ("import", "--dry-run",
                                                                                     EXAMPLE / "notes.yaml")):
        result = cli(*command, "--db", kb)
        assert result.returncode == 2 and "write-ahead" in result.stderr and "wal_checkpoint" in result.stderr
    assert (digest(kb), digest(Path(f"{kb}-wal"))) == before
    # A rebuild replaces the file and removes the old log first: the new file reads whole.
    seed = kb.parent / "seed"
    assert cli("build", "--db", kb, "--seed", seed, "--corpus", kb.parent / "corpus").returncode == 0
    assert not Path(f"{kb}-wal").exists() and not Path(f"{kb}-shm").exists()
    with KnowledgeBase.open(kb) as knowledge_base:
        assert knowledge_base.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not knowledge_base.entity("example-front").summary.endswith("x")


def test_reading_writes_nothing_beside_the_file_even_in_wal_mode(kb: Path) -> None:
    connection = sqlite3.connect(kb)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()  # the last connection folds the log in and removes it
    before = sorted(os.listdir(kb.parent))
    assert cli("show", "example-front", "--db", kb).returncode == 0
    assert sorted(os.listdir(kb.parent)) == before


# -- 2. paths that mean something in a SQLite URI -------------------------------------------------------


@pytest.mark.parametrize("name", ["kb#2.db", "case#12/kb.db", "kb%41.db", "kb?mode=rwc.db", "k b.db"])
def test_a_path_with_uri_characters_opens_that_file_and_no_other(shipped: Path, name: str) -> None:
    kb = shipped
    target = kb.parent / name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(kb, target)
    original = digest(kb)
    listed = sorted(str(p.relative_to(kb.parent)) for p in kb.parent.rglob("*"))
    result = cli("import", EXAMPLE / "notes.yaml", "--db", target)
    assert result.returncode == 0, result.stderr
    assert digest(kb) == original  # the file beside it was neither read into nor written
    now = sorted(str(p.relative_to(kb.parent)) for p in kb.parent.rglob("*"))
    assert set(now) - set(listed) <= {f"{Path(name).parent}/.{Path(name).name}.lock".lstrip("./")
                                      if "/" in name else f".{name}.lock"}, now
    assert "sada-archive" in cli("show", "sada-archive", "--db", target).stdout


# -- 3 and 18. what is not a regular file ----------------------------------------------------------------


@pytest.mark.parametrize("special", ["/dev/null", "/dev/zero", "fifo", "folder"])
def test_nothing_but_a_regular_file_is_read_or_replaced(kb: Path, special: str) -> None:
    path = Path(special)
    if special == "fifo":
        path = kb.parent / "fifo.db"
        os.mkfifo(path)
    elif special == "folder":
        path = kb.parent / "folder.db"
        path.mkdir()
    what = {"/dev/null": "character device", "/dev/zero": "character device", "fifo": "FIFO", "folder": "directory"}
    for command in (("search", "x"), ("build", "--seed", kb.parent / "seed")):
        result = cli(*command, "--db", path)
        assert result.returncode == 2, result.stderr
        assert what[special] in result.stderr and "claimscope build --db" not in result.stderr
    assert path.exists() and not path.is_file()  # still what it was


def test_a_proc_file_is_said_to_be_one(tmp_path: Path) -> None:
    result = cli("show", "x", "--db", "/proc/self/status")
    assert result.returncode == 2 and "special file" in result.stderr and "empty" not in result.stderr


def test_a_symlinked_knowledge_base_is_written_through_and_stays_a_link(shipped: Path) -> None:
    kb = shipped
    link = kb.parent / "link.db"
    link.symlink_to(kb)
    result = cli("import", EXAMPLE / "notes.yaml", "--db", link)
    assert result.returncode == 0 and "symlink" in result.stderr and str(kb) in result.stderr
    assert link.is_symlink() and "sada-archive" in cli("show", "sada-archive", "--db", kb).stdout


# -- 12. arguments that are not UTF-8 ----------------------------------------------------------------------


@pytest.mark.parametrize("arguments", [("show", "\udcff"), ("timeline", "--actor", "\udcff"),
                                       ("ui", "--entity", "\udcff"), ("export", "--entity", "\udcff"),
                                       ("export", "--where", "name = '\udcff'"), ("search", "ab\udcffc")])
def test_text_arguments_that_are_not_utf8_are_refused(kb: Path, arguments: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*arguments, "--db", str(kb)])
    assert result.exit_code == 2 and "not UTF-8 text" in result.output, result.output


def test_a_path_that_is_not_utf8_still_works(kb: Path) -> None:
    odd = Path(os.fsdecode(bytes(kb.parent) + b"/k\xff.db"))
    shutil.copy(kb, odd)
    result = subprocess.run([sys.executable, "-m", "claimscope", "search", "Front", "--db", odd],
                            capture_output=True, cwd=ROOT)
    assert result.returncode == 0 and b"example-front" in result.stdout, result.stderr


# -- 7 and 13. YAML that fights back ----------------------------------------------------------------------


def test_a_recursive_alias_and_a_lone_surrogate_are_reported_with_their_line(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from claimscope.seed import yamlfile

    seed, corpus = write_mini_seed(tmp_path, **{"predicates.yaml": "predicates: &a [*a]\n"})
    problems = [str(p) for p in load_seed(seed, corpus).problems]
    assert any("predicates.yaml:1" in p and "alias" in p for p in problems), problems
    # The pure-Python parser takes "\ud83d" as a character; libyaml calls it a syntax error. Both are refused.
    entities = MINI_ENTITIES.replace("summary: An invented station.", 'summary: "An invented \\ud83d station."')
    for loader in {yaml.SafeLoader, yamlfile._LOADER}:
        monkeypatch.setattr(yamlfile, "_LOADER", loader)
        seed, corpus = write_mini_seed(tmp_path / loader.__name__, **{"entities.yaml": entities})
        result = load_seed(seed, corpus)
        assert result.records is None
        assert any("entities.yaml:" in str(p) for p in result.errors), [str(p) for p in result.problems]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["id", "kind", "name", "claims", "entities",
                                                                "sources", "evidence", "file", "subject",
                                                                "predicate", "quote", "paragraph"]),
                                               children, max_size=4)),
    max_leaves=20))
def test_generated_yaml_gives_a_result_or_a_problem_never_a_traceback(document: object, kb: Path,
                                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("generated")
    (folder / "notes.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    before = digest(kb)
    for command in (("check", "--seed", folder, "--corpus", folder),
                    ("import", "--dry-run", folder / "notes.yaml", "--db", kb),
                    ("import", folder / "notes.yaml", "--db", kb)):
        result = CliRunner().invoke(main, [str(part) for part in command])
        # A result, or problems reported and a status: an exception other than exiting is a traceback.
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code != 0:
        assert digest(kb) == before


# -- 9 and 15. source texts ---------------------------------------------------------------------------------


def note(folder: Path, file: str) -> Path:
    """An import file whose text is ``file`` (relative to the import file's folder)."""
    (folder / "note.yaml").write_text(
        "sources:\n  - id: my-note\n    file: " + file + "\n    title: A note\n    publisher: Me\n"
        "    authors: [Me]\n    published: '2024'\n    url: file:note\n    grade: B\n", encoding="utf-8")
    return folder / "note.yaml"


def test_a_text_in_a_subfolder_or_behind_a_symlink_is_found_again(kb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "note.txt").write_text("The Example Front met in Sampletown.\n", encoding="utf-8")
    (folder / "linked.txt").symlink_to(folder / "texts" / "note.txt")
    for file in ("texts/note.txt", "linked.txt"):
        copy = tmp_path / f"{file.replace('/', '-')}.db"
        shutil.copy(kb, copy)
        assert cli("import", note(folder, file), "--db", copy).returncode == 0
        listed = cli("passages", "my-note", "--db", copy)
        assert listed.returncode == 0 and "p1 s1" in listed.stdout, listed.stderr


def test_a_fifo_or_a_huge_file_as_a_text_is_named_and_never_read(kb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    result = cli("import", "--dry-run", note(folder, "pipe.txt"), "--db", kb)
    assert result.returncode == 1 and "FIFO" in result.stderr
    with open(folder / "sparse.txt", "wb") as handle:  # no disk used: a hole of 2 GB
        handle.truncate(MAX_TEXT_BYTES * 32)
    result = cli("import", "--dry-run", note(folder, "sparse.txt"), "--db", kb)
    assert result.returncode == 1 and "MB a source text may have" in result.stderr


def test_a_text_swapped_for_a_fifo_does_not_hang_the_provenance(kb: Path, tmp_path: Path) -> None:
    from claimscope.tui.passages import PassageStore

    corpus = kb.parent / "corpus"
    (corpus / "mini.txt").unlink()
    os.mkfifo(corpus / "mini.txt")
    with KnowledgeBase.open(kb) as knowledge_base:
        source = knowledge_base.entity("example-front").outgoing[0].evidence[0].source
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(PassageStore(corpus).text_of(source)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock it before failing, so the test run does not hang
        with open(corpus / "mini.txt", "w"):
            pass
        pytest.fail("reading the text blocked on a FIFO")
    assert found[0].text is None and "FIFO" in found[0].problem


# -- 16. a dry run on a read-only knowledge base --------------------------------------------------------------


def test_a_dry_run_takes_no_lock_and_writes_nothing(shipped: Path) -> None:
    kb = shipped
    before = sorted(os.listdir(kb.parent))
    result = cli("import", "--dry-run", EXAMPLE / "notes.yaml", "--db", kb)
    assert result.returncode == 0 and sorted(os.listdir(kb.parent)) == before


# -- 17. quotes, line ends, look-alike names ---------------------------------------------------------------------


def test_a_quote_in_one_unicode_form_finds_a_text_in_the_other() -> None:
    import unicodedata

    from claimscope.seed.quotes import find_quote

    text = unicodedata.normalize("NFC", "Ghafari met Qāri Hikmatullāh in Darzāb.")
    quote = unicodedata.normalize("NFD", "Qāri Hikmatullāh in Darzāb")
    [(start, end)] = find_quote(text, quote)
    assert text[start:end] == unicodedata.normalize("NFC", quote)


def test_a_text_with_only_carriage_returns_has_its_paragraphs() -> None:
    assert len(segment("First one.\rSecond one.\rThird one.").paragraphs) == 3
    assert len(segment("First one.\r\nSecond one.\r\n").paragraphs) == 2


def test_a_name_in_look_alike_letters_is_flagged(kb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "entities.yaml").write_text(
        "entities:\n  - id: look-alike\n    kind: group\n    name: \"Ехаmple Front\"\n"  # Cyrillic Е, х, а
        "    summary: A group that is not new.\n", encoding="utf-8")
    result = cli("import", "--dry-run", folder / "entities.yaml", "--db", kb)
    assert result.returncode == 1 and "mixes scripts" in result.stderr and "example-front" in result.stderr


def test_a_quote_found_everywhere_names_a_few_places_not_all(kb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "note.txt").write_text("\n".join("The same words again." for _ in range(500)), encoding="utf-8")
    (folder / "note.yaml").write_text(
        note(folder, "note.txt").read_text(encoding="utf-8")
        + "claims:\n  - subject: example-front\n    predicate: located_in\n    object: sampletown\n"
          "    evidence:\n      - {source: my-note, quote: \"same words again\", grade: 2}\n", encoding="utf-8")
    result = cli("import", "--dry-run", folder / "note.yaml", "--db", kb)
    assert result.returncode == 1 and "and 490 more paragraphs" in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 600


# -- 11. a full disk ------------------------------------------------------------------------------------------


def test_a_full_disk_is_a_message_and_the_old_file_survives(mini_seed: tuple[Path, Path], tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here to fill ({mounted.stderr.decode().strip()})")
    try:
        seed, corpus = mini_seed
        first = cli("build", "--db", small / "kb.db", "--seed", seed, "--corpus", corpus)
        assert first.returncode == 0, first.stderr
        before = digest(small / "kb.db")
        (small / "filler").write_bytes(b"\0" * (256 * 1024 - len(before) - 8192))
        again = cli("build", "--db", small / "kb.db", "--seed", seed, "--corpus", corpus, "--force")
        assert again.returncode == 1 and "no space left" in again.stderr and "Traceback" not in again.stderr
        assert digest(small / "kb.db") == before
        default = run_piped("search", "x", environment={"XDG_DATA_HOME": str(small / "data"), "CLAIMSCOPE_DB": ""})
        assert default.returncode == 1 and "no space left" in default.stderr and "Traceback" not in default.stderr
    finally:
        subprocess.run(["umount", str(small)], check=False)

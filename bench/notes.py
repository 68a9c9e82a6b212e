"""A researcher's note for the import benchmarks: invented text and claims about a knowledge base's own entities.

The note cites entities already in the knowledge base by id (read from the file, a few rows
by rowid), so it imports into any size; each claim has a paragraph of its own that names both
of its entities, and the note adds one new person whose name is checked against the
knowledge base's spellings as any new entity is.

    python3 bench/notes.py --db /tmp/l.db --claims 50000 --out /tmp/note
"""

from __future__ import annotations

import argparse
import random
import sqlite3
from pathlib import Path


def _sample(connection: sqlite3.Connection, kind: str, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """``count`` entities of ``kind`` (id, name), drawn by rowid: a few indexed reads whatever the size."""
    highest = connection.execute("SELECT MAX(rowid) FROM entities").fetchone()[0]
    # A small knowledge base may hold fewer: take them all (the shipped one has 33 groups).
    count = min(count, connection.execute("SELECT COUNT(*) FROM entities WHERE kind = ?", (kind,)).fetchone()[0])
    if count == 0:
        raise SystemExit(f"notes.py: {db_name(connection)} holds no {kind}: the note needs some")
    found: dict[str, str] = {}
    while len(found) < count:
        rowids = [rng.randint(1, highest) for _ in range(count * 8)]
        marks = ",".join("?" * len(rowids))
        for entity_id, name in connection.execute(
                f"SELECT id, name FROM entities WHERE rowid IN ({marks}) AND kind = ?", (*rowids, kind)):  # noqa: S608
            found.setdefault(entity_id, name)
    return list(found.items())[:count]


def db_name(connection: sqlite3.Connection) -> str:
    return str(connection.execute("PRAGMA database_list").fetchone()[2])


def write_note(db: Path, folder: Path, claims: int, seed: int = 7, source_id: str = "bench-note",
               grade: int = 3) -> Path:
    """Write ``note.txt`` and ``note.yaml`` into ``folder``: one source, one new person, ``claims`` claims.

    One claim is a denial.
    """
    rng = random.Random(seed)
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        groups = _sample(connection, "group", min(200, claims), rng)
        places = _sample(connection, "place", min(200, claims), rng)
    finally:
        connection.close()
    folder.mkdir(parents=True, exist_ok=True)
    person = f"Bench Tester {seed}"
    paragraphs = [f"{person} is said to belong to {groups[0][1]}."]
    lines = ["sources:", f"  - id: {source_id}", "    file: note.txt", f"    title: Benchmark note {seed}",
             "    publisher: The benchmarks", "    authors: [A. Bencher]", "    published: '2026-11'",
             "    url: file:note.txt", "    grade: C", "    headings: [1]",
             "entities:", f"  - id: {source_id}-person", "    kind: person", f"    name: {person}",
             "    summary: A person the benchmark note invents.",
             "claims:", f"  - subject: {source_id}-person", "    predicate: member_of", f"    object: {groups[0][0]}",
             "    modality: reported", "    evidence:", f"      - source: {source_id}", "        paragraph: 1",
             f"        grade: {grade}"]
    # A denial, as researchers' notes hold them: it makes the import work out the disputes of
    # its subject and predicate again (the path that once read every claim of the file).
    paragraphs.append(f"{groups[0][1]} denied having been in {places[0][1]}.")
    lines += [f"  - id: {source_id}-denial", f"    subject: {groups[0][0]}", "    predicate: active_in",
              f"    object: {places[0][0]}", "    modality: denied", f"    claimant: {groups[0][0]}",
              "    statement: The group says it was never there.", "    evidence:", f"      - source: {source_id}",
              "        paragraph: 2", f"        grade: {grade}"]
    for number in range(claims - 2):
        group_id, group = groups[number % len(groups)]
        place_id, place = places[rng.randrange(len(places))]
        paragraphs.append(f"{group} was seen in {place} in test period {number}.")
        lines += [f"  - id: {source_id}-{number}", f"    subject: {group_id}", "    predicate: active_in",
                  f"    object: {place_id}", "    modality: reported", f"    statement: Seen there in period {number}.",
                  "    evidence:", f"      - source: {source_id}", f"        paragraph: {number + 3}",
                  f"        grade: {grade}"]
    (folder / "note.txt").write_text(f"Benchmark note {seed}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (folder / "note.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--claims", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    write_note(arguments.db, arguments.out, arguments.claims, arguments.seed)


if __name__ == "__main__":
    main()

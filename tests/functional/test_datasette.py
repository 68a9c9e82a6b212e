"""The knowledge base opens in Datasette as it is: search on entities and claims, foreign keys as links."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import free_port, running_server

pytestmark = pytest.mark.skipif(importlib.util.find_spec("datasette") is None,
                                reason="datasette is not installed (pip install -e '.[test]')")

Get = Callable[[str], Any]


@pytest.fixture(scope="module")
def knowledge_base(shipped_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped knowledge base named ``kb.db``, so that Datasette calls it ``kb``."""
    copy = tmp_path_factory.mktemp("datasette") / "kb.db"
    shutil.copyfile(shipped_db, copy)
    return copy


@pytest.fixture(scope="module")
def datasette(knowledge_base: Path) -> Iterator[Get]:
    """``datasette -i kb.db`` on a free loopback port; yields a function that GETs a path."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> Any:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            body = response.read().decode("utf-8")
        return json.loads(body) if ".json" in path.split("?")[0] else body

    argv = [sys.executable, "-m", "datasette", "serve", "-i", str(knowledge_base), "-h", "127.0.0.1", "-p", str(port)]
    with running_server(argv, f"{base}/-/versions.json", knowledge_base.with_name("datasette.log")):
        yield get


def fts_count(knowledge_base: Path, table: str, query: str) -> int:
    with sqlite3.connect(f"file:{knowledge_base}?mode=ro", uri=True) as connection:
        return connection.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (f'"{query}"',)).fetchone()[0]


@pytest.mark.parametrize("table", ["entities", "claims"])
def test_the_search_box_uses_the_full_text_index(datasette: Get, knowledge_base: Path, table: str) -> None:
    found = datasette(f"/kb/{table}.json?_search=ISKP&_size=max")
    assert f"{table}_fts" in found["query"]["sql"], "Datasette did not detect the FTS table"
    rows = [dict(zip(found["columns"], row, strict=True)) for row in found["rows"]]
    assert rows and len(rows) == found["filtered_table_rows_count"] == fts_count(knowledge_base, f"{table}_fts",
                                                                                "ISKP")
    searched = ("name", "alias_text", "summary", "context") if table == "entities" else ("text",)
    for row in rows:
        assert "iskp" in " ".join(row[column] for column in searched).lower(), row
    if table == "entities":
        assert "iskp" in {row["id"] for row in rows}
    else:
        assert any(row["subject_id"] == "iskp" for row in rows)
    assert datasette(f"/kb/{table}.json?_search=zzqxv&_shape=array") == []
    page = datasette(f"/kb/{table}?_search=ISKP")
    assert '<input id="_search" type="search" name="_search" value="ISKP">' in page


def test_foreign_keys_are_links_labelled_with_the_entity_name(datasette: Get, knowledge_base: Path) -> None:
    with sqlite3.connect(f"file:{knowledge_base}?mode=ro", uri=True) as connection:
        claim_id, name = connection.execute(
            "SELECT claims.id, entities.name FROM claims JOIN entities ON entities.id = claims.subject_id"
            " WHERE subject_id = 'iskp' ORDER BY claims.id LIMIT 1").fetchone()
    [claim] = datasette(f"/kb/claims.json?id={urllib.parse.quote(claim_id)}&_labels=on&_shape=array")
    assert claim["subject_id"] == {"value": "iskp", "label": name}
    page = datasette(f"/kb/claims?id={urllib.parse.quote(claim_id)}")
    assert f'<a href="/kb/entities/iskp">{name}</a>' in page
    [evidence] = datasette(f"/kb/evidence.json?claim_id={urllib.parse.quote(claim_id)}&_labels=on&_shape=array"
                           "&_size=1")
    assert evidence["source_id"]["label"]  # sources are labelled by their title

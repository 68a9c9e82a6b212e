"""Untrusted text reaches the terminal without control sequences and without markup."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from claimscope.db.models import SearchResult
from claimscope.tui.render import result_line
from claimscope.tui.text import clean, clean_line

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@given(st.text(max_size=500))
@settings(max_examples=300, deadline=None)
def test_clean_leaves_no_control_character(text: str) -> None:
    assert not CONTROL.search(clean(text))
    assert "\n" not in clean_line(text) and "\t" not in clean_line(text)


def test_escape_sequences_are_removed_whole() -> None:
    hostile = "a\x1b]52;c;SGVsbG8=\x07b\x1b[31mc\x1b[0m\x1b]0;title\x1b\\d\x00e\u202ef"
    assert clean(hostile) == "abcdef"


def test_markup_in_names_is_shown_literally() -> None:
    result = SearchResult("x", "group", "[bold]Front[/] [link=http://x]", 100.0, "[/]", False, "exact")
    assert result_line(result).plain.startswith("[bold]Front[/] [link=http://x]")

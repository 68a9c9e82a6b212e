"""The shortcut of the check that a cited paragraph names the claim's entities.

``_names_plainly`` finds an alias in the passage as it stands, without folding the passage;
it may only say yes where the folded passage says yes too (a no sends the check the full
way). Random passages built from the characters folding treats specially, and aliases that
could be caught by them, hold it to that.
"""

from __future__ import annotations

import random

from claimscope.seed.loader import _folded_passage, _names_plainly

_PIECES = [*"alesk x", *" -'’`.,;:!?()[]\"0123456789\t\n", "İ", "K", "\u212a", "\u0301", "É", "é", "ß", "ﬁ",
           "ال", "قاعدة", "Ал", "'s", "’s", "al-", "el ", "Al ", "AL-"]
_ALIASES = ["al", "el", "ask", "k", "sk", "la", "al la", "ka", "le", "es", "s", "e kal", "ss", "el s", "a", "x al"]


def test_a_yes_without_folding_is_a_yes_after_folding() -> None:
    rng = random.Random(11)
    yes = 0
    for _ in range(60000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 14)))
        for alias in rng.sample(_ALIASES, 4):
            if _names_plainly(text, [alias]):
                yes += 1
                assert f" {alias} " in _folded_passage(text), (alias, text)
    assert yes > 1000  # the shortcut is taken, not only refused


def test_plain_names_in_an_ordinary_sentence_are_found_without_folding() -> None:
    text = "On 5 May, the Islamic State Khorasan Province (ISKP) claimed the attack."
    assert _names_plainly(text, ["islamic state khorasan province"])
    assert _names_plainly(text, ["nobody", "iskp"])
    assert not _names_plainly(text, ["khorasan state"])
    # Glued, possessive or hyphenated forms are left to the folded passage, which finds them.
    for text, alias in [("ISKP's claim", "iskp"), ("al-Qaida", "qaida"), ("Taliban2 said", "taliban")]:
        assert not _names_plainly(text, [alias])
        assert f" {alias} " in _folded_passage(text)

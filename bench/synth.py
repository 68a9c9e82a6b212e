"""A synthetic knowledge base of a given size, deterministic for a seed number.

Names are made of transliterated syllables with hyphens, apostrophes, diacritics and
Arabic articles, as real ones are; each entity has several aliases (a plain-ASCII
spelling, a vowel variant, an acronym for groups); claims use the real predicate
vocabulary with kinds that fit, and carry evidence spread over the sources; events have
dates of mixed precision. Records go straight into the builder.

    python3 bench/synth.py --size M --out /tmp/m.db
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claimscope.db.build import build_database  # noqa: E402
from claimscope.db.records import (  # noqa: E402
    AliasRecord,
    ClaimRecord,
    EntityRecord,
    EvidenceRecord,
    PredicateRecord,
    Records,
    SourceRecord,
)
from claimscope.seed.loader import default_seed_dir, load_seed  # noqa: E402

SIZES = {
    # name: (entities, claims, sources); S is the shipped knowledge base itself.
    "M": (10_000, 100_000, 1_000),
    "L": (100_000, 1_000_000, 10_000),
}
KIND_SHARE = (("group", 0.2), ("outlet", 0.1), ("person", 0.35), ("place", 0.15), ("event", 0.2))
ONSETS = ["b", "d", "f", "gh", "h", "j", "k", "kh", "l", "m", "n", "q", "r", "s", "sh", "t", "z", "ʿ", "y", "w"]
VOWELS = ["a", "i", "u", "ā", "ī", "ū", "o", "e"]
CODAS = ["", "", "n", "r", "m", "d", "l", "s", "h", "'"]
ARTICLES = ["al-", "el-", "ad-", "as-", "an-", ""]
GROUP_WORDS = ["Jamā'at", "Katibat", "Harakat", "Tehrik-i", "Ittihad", "Lashkar", "Jabhat", "Ansar"]
OUTLET_WORDS = ["Media", "Foundation", "Radio", "Voice of", "Magazine", "News", "Channel"]
PLACE_WORDS = ["", "", "Province", "District", "Valley"]
EVENT_WORDS = ["attack on", "takeover of", "killing in", "statement on", "video about", "arrest in", "meeting in"]
PRECISIONS = ("day", "month", "year", "approx", "interval")


def syllable(rng: random.Random) -> str:
    return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)


def word(rng: random.Random, low: int = 2, high: int = 3) -> str:
    text = "".join(syllable(rng) for _ in range(rng.randint(low, high)))
    return text[:1].upper() + text[1:]


def plain(text: str) -> str:
    """The same name without diacritics and ayn marks, as many researchers type it."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return stripped.replace("ʿ", "").replace("'", "")


def name_for(kind: str, rng: random.Random) -> str:
    if kind == "person":
        return f"{word(rng)} {rng.choice(ARTICLES)}{word(rng)}"
    if kind == "group":
        return f"{rng.choice(GROUP_WORDS)} {rng.choice(ARTICLES)}{word(rng)}-{word(rng, 1, 2)}"
    if kind == "outlet":
        return f"{rng.choice(ARTICLES).capitalize()}{word(rng)} {rng.choice(OUTLET_WORDS)}"
    if kind == "place":
        return f"{word(rng)} {rng.choice(PLACE_WORDS)}".strip()
    return f"{word(rng)} {rng.choice(EVENT_WORDS)} {word(rng)}"


def aliases_for(kind: str, name: str, rng: random.Random) -> list[tuple[str, bool]]:
    variants = [(plain(name), False), (plain(name).replace("u", "o").replace("i", "e"), False)]
    if kind == "group":
        initials = "".join(part[0] for part in plain(name).replace("-", " ").split() if part[:1].isalpha())
        variants.append((initials.upper(), True))
    elif kind == "person":
        variants.append((f"Abu {word(rng)}", True))
    return variants


def edtf_for(rng: random.Random) -> str:
    year = rng.randint(1990, 2025)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    precision = rng.choice(PRECISIONS)
    if precision == "day":
        return f"{year}-{month:02d}-{day:02d}"
    if precision == "month":
        return f"{year}-{month:02d}"
    if precision == "year":
        return str(year)
    if precision == "approx":
        return f"{year}-{month:02d}~"
    return f"{year}-{month:02d}/{year + 1}-{month:02d}"


def synthesize(entity_count: int, claim_count: int, source_count: int, seed: int = 1) -> Records:
    """Records for a synthetic knowledge base (predicates from the shipped vocabulary)."""
    rng = random.Random(seed)
    shipped = load_seed(default_seed_dir(), None).records
    assert shipped is not None
    predicates = shipped.predicates
    sources = tuple(
        SourceRecord(
            id=f"src-{n:05d}", file=f"synthetic-{n:05d}.txt", sha256="0" * 64, title=f"Report {n} on {word(rng)}",
            publisher=f"{word(rng)} Review", authors=(f"{word(rng)} {word(rng)}",), published=edtf_for(rng).rstrip("~"),
            url=f"https://example.org/{n}", grade=rng.choice("ABCDF"), text_present=False,
        )
        for n in range(source_count)
    )
    entities: list[EntityRecord] = []
    aliases: list[AliasRecord] = []
    by_kind: dict[str, list[str]] = {kind: [] for kind, _ in KIND_SHARE}
    for n in range(entity_count):
        roll, kind = rng.random(), "event"
        for candidate, share in KIND_SHARE:
            roll -= share
            if roll < 0:
                kind = candidate
                break
        entity_id = f"{kind[:2]}-{n:06d}"
        name = name_for(kind, rng)
        entities.append(EntityRecord(entity_id, kind, name, f"A synthetic {kind}.",
                                     subtype="attack" if kind == "event" else None))
        by_kind[kind].append(entity_id)
        aliases.append(AliasRecord(entity_id, name))
        aliases.extend(AliasRecord(entity_id, text, weak) for text, weak in aliases_for(kind, name, rng))
    claims: list[ClaimRecord] = []
    evidence: list[EvidenceRecord] = []
    # Every event gets a date; the rest of the claims are relationships and values.
    for event_id in by_kind["event"]:
        claims.append(ClaimRecord(f"c{len(claims):07d}", event_id, "occurred_on", value_date=edtf_for(rng)))
    usable = [p for p in predicates if p.id != "occurred_on" and all(by_kind[k] for k in p.subject_kinds)]
    while len(claims) < claim_count:
        predicate: PredicateRecord = rng.choice(usable)
        subject = rng.choice(by_kind[rng.choice(predicate.subject_kinds)])
        fields: dict[str, object] = {}
        if predicate.value_type == "number":
            fields = {"value_number": float(rng.randint(1, 10_000)), "unit": "fighters"}
        elif predicate.value_type == "date":
            fields = {"value_date": edtf_for(rng)}
        elif predicate.value_type == "text":
            fields = {"value_text": word(rng)}
        else:
            fields = {"object": rng.choice(by_kind[rng.choice(predicate.object_kinds)])}
        modality = rng.choice(("asserted", "asserted", "asserted", "reported", "claimed", "alleged", "hedged"))
        claimant = rng.choice(by_kind["group"] or by_kind["person"]) if modality in ("claimed", "alleged") else None
        if predicate.self_claim:
            modality, claimant = "claimed", subject
        claims.append(ClaimRecord(f"c{len(claims):07d}", subject, predicate.id, modality=modality,
                                  claimant=claimant, **fields))  # type: ignore[arg-type]
    for claim in claims:
        for _ in range(rng.choice((1, 1, 1, 2))):
            evidence.append(EvidenceRecord(claim.id, rng.choice(sources).id, rng.randint(1, 40), rng.randint(1, 6),
                                           sentence=rng.randint(1, 5)))
    return Records(sources=sources, predicates=predicates, entities=tuple(entities), aliases=tuple(aliases),
                   claims=tuple(claims), evidence=tuple(evidence), meta=(("synthetic", f"seed {seed}"),))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    entity_count, claim_count, source_count = SIZES[arguments.size]
    started = time.perf_counter()
    records = synthesize(entity_count, claim_count, source_count, arguments.seed)
    generated = time.perf_counter()
    build_database(arguments.out, records)
    built = time.perf_counter()
    print(f"{arguments.size}: {len(records.entities)} entities, {len(records.aliases)} aliases, "
          f"{len(records.claims)} claims, {len(records.evidence)} evidence; generated in {generated - started:.1f} s, "
          f"built in {built - generated:.1f} s ({len(records.claims) / (built - generated):,.0f} claims/s)")


if __name__ == "__main__":
    main()

"""A synthetic knowledge base of a given size, deterministic for a seed number.

Names are made of transliterated syllables with hyphens, apostrophes, diacritics and
Arabic articles, as real ones are; each entity has several aliases (a plain-ASCII
spelling, a vowel variant, an acronym for groups); claims use the real predicate
vocabulary with kinds that fit, and carry evidence spread over the sources; events have
dates of mixed precision; every claim has a short statement, as curators write them, made
from a fixed vocabulary (``VOCABULARY``) and the names of the knowledge base, so that full-text
queries find many claims for a common word and few for a rare one. Records go straight into
the builder.

    python3 bench/synth.py --size M --out /tmp/m.db
"""

from __future__ import annotations

import argparse
import itertools
import random
import string
import sys
import time
import unicodedata
from collections.abc import Iterator
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

#: The words of the statements, slot by slot, the most frequent first: within a slot the
#: word of rank r is drawn with weight 1 / r (Zipf's law, as in written text), so that a few
#: words are in a large share of the claims and most are in few.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "actor": tuple("""fighters militants commander members gunmen leader recruits spokesman insurgents cell faction
        supporters emir defectors guards volunteers preacher tribesmen smugglers financier deputy envoy couriers
        snipers veterans""".split()),
    "did": tuple("""attacked killed claimed released recruited captured published seized arrested executed announced
        threatened ambushed bombed denied praised condemned targeted abducted smuggled financed trained pledged
        negotiated kidnapped raided besieged infiltrated deployed surrendered mobilised shelled looted evacuated
        sheltered warned accused mourned""".split()),
    "target": tuple("""checkpoint mosque convoy market school prison border shrine bus hospital embassy base airport
        bridge village hotel consulate wedding funeral church bank pipeline outpost garrison compound camp madrasa
        courthouse ministry stadium office patrol motorcade""".split()),
    "media": tuple("""video statement magazine audio channel poster leaflet broadcast newsletter nasheed sermon
        interview photo post speech infographic communique pamphlet podcast eulogy""".split()),
    "topic": tuple("""propaganda recruitment financing retaliation allegiance ideology smuggling ceasefire training
        sanctions succession rivalry defection revenge loyalty martyrdom apostasy governance taxation extortion
        kidnapping clemency""".split()),
    "area": tuple("""province border district city valley capital outskirts mountains highway region frontier
        countryside suburb crossing pass river""".split()),
    "place": tuple("""Kabul Nangarhar Kunar Jalalabad Peshawar Kandahar Kunduz Herat Quetta Badakhshan Balkh Helmand
        Zabul Paktia Khost Logar Ghazni Farah Nimroz Bajaur Khyber Orakzai Waziristan Tirah Swat Dushanbe Tashkent
        Idlib Raqqa Mosul Termez Fergana Bishkek Karachi Faryab Jawzjan Takhar Baghlan Laghman Nuristan""".split()),
    "when": tuple("night morning Friday evening Ramadan dawn weekend winter Eid spring summer autumn".split()),
    "count": tuple("two three several dozens five hundreds twelve seven forty seventeen".split()),
    "who": tuple("""civilians soldiers worshippers policemen children students pilgrims officials villagers workers
        journalists refugees""".split()),
}
#: How a statement reads, each slot at most once; ``{name}`` is an entity of the knowledge base
#: (rare words, as names are).
TEMPLATES = (
    "The {actor} {did} the {target} in {place} {area} at {when}, killing {count} {who}.",
    "The {media} from the {actor} shows the {target} in {place} and calls for {topic}.",
    "{name} {did} the {target} near the {area}, according to the {media} on {topic}.",
    "Local {who} said the {actor} {did} the {target} on the {area} road to {place}, killing {count}.",
    "The {media} praises {name} for {topic} and names the {actor} who {did} the {target}.",
    "{count} {who} died in {place} {area} after the {actor} {did} the {target}, the {media} said.",
    "Officials in {place} blame {name} for the {topic} and the {target} {did} at {when}.",
    "The {actor} of {name} {did} the {target} in {place}, their {media} said.",
)


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


#: Each slot's Zipf distribution as a table of this many words, drawn from uniformly (fast).
TABLE_SIZE = 4_096


def _zipf_table(words: tuple[str, ...]) -> list[str]:
    """``words`` repeated in proportion to 1 / rank: a uniform draw from the table is a Zipf draw."""
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    total = sum(weights)
    return [term for term, weight in zip(words, weights, strict=True)
            for _ in range(max(1, round(TABLE_SIZE * weight / total)))]


def synthetic_statements(count: int, names: list[str], places: list[str], seed: int) -> list[str]:
    """``count`` statements from ``VOCABULARY`` and ``TEMPLATES``, with their own random stream.

    Words are drawn in bulk, template by template and slot by slot (a uniform draw from a
    table that holds each word as often as Zipf's law says), which keeps a million statements
    to a few seconds. The stream is separate from the one that makes names and claims, so
    that those are the same as they were before claims had statements. Half the places
    named are the knowledge base's own (rare words), the others from the vocabulary.
    """
    rng = random.Random(seed * 7_919 + 17)
    tables = {slot: _zipf_table(words) for slot, words in VOCABULARY.items()}
    chosen = rng.choices(range(len(TEMPLATES)), k=count)
    uses = [0] * len(TEMPLATES)
    for index in chosen:
        uses[index] += 1
    made: list[Iterator[str]] = []
    for template, used in zip(TEMPLATES, uses, strict=True):
        parsed = list(string.Formatter().parse(template))
        slots = [field for _, field, _, _ in parsed if field]
        columns: list[list[str]] = []
        for slot in slots:
            if slot == "name":
                column = rng.choices(names, k=used)
            elif slot == "place" and places:
                draw, own, table = rng.random, len(places), tables["place"]
                column = [places[int(u * 2 * own)] if u < 0.5 else table[int((u - 0.5) * 2 * len(table))]
                          for u in (draw() for _ in range(used))]
            else:
                column = rng.choices(tables[slot], k=used)
            columns.append(column)
        if template.startswith("{") and columns:
            columns[0] = [term[:1].upper() + term[1:] for term in columns[0]]
        # Numbered fields, filled by str.format over the columns: one C call a statement.
        numbered = "".join(literal + (f"{{{number}}}" if field else "")
                           for number, (literal, field, _, _) in enumerate(parsed))
        made.append(itertools.starmap(numbered.format, zip(*columns, strict=True)))
    return [next(made[index]) for index in chosen]


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
    names = [entity.name for entity in entities]
    places = [entity.name for entity in entities if entity.kind == "place"]
    statements = iter(synthetic_statements(max(claim_count, len(by_kind["event"])), names, places, seed))
    # Every event gets a date; the rest of the claims are relationships and values.
    for event_id in by_kind["event"]:
        claims.append(ClaimRecord(f"c{len(claims):07d}", event_id, "occurred_on", value_date=edtf_for(rng),
                                  statement=next(statements)))
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
                                  claimant=claimant, statement=next(statements), **fields))  # type: ignore[arg-type]
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

"""The knowledge base, or a neighbourhood of it, as a STIX 2.1 bundle (written as JSON, object by object).

The mapping (the README's "Export" section says it for people):

- groups: ``intrusion-set`` when the knowledge base shows the group as an armed actor (see
  ``_armed_groups``), otherwise ``identity`` of class ``organization`` (governments, agencies,
  alliances, think tanks, communities);
- outlets: ``identity`` of class ``organization`` with the role ``media outlet``;
- people: ``identity`` of class ``individual``;
- places: ``location``, with the ISO country code and region found from its names or from the
  places its ``located_in`` claims put it in, and the region ``unknown`` when neither is found;
- events: ``campaign`` for a campaign, offensive or war (with ``first_seen``/``last_seen`` from
  its date), ``incident`` for every other event;
- a claim between two entities: a ``relationship``; a claim of a value, or a denied claim: a
  ``note`` about its entities (a relationship would state what the claimant denies);
- a source: a ``report`` whose ``object_refs`` hold every claim it supports and their entities;
- a dispute: a ``grouping`` of the disagreeing claims.

Every claim keeps its provenance: ``external_references`` (publisher, URL, paragraph and
sentence) and ``x_claimscope_evidence`` (the report, locator and grades), declared by a
``toplevel-property-extension`` extension definition. Ids are UUIDv5 of claimscope ids, so
that exporting again gives the same ids.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from claimscope.db.edtf import OPEN_LOWER, OPEN_UPPER, EDTFError, parse_edtf
from claimscope.db.export import Scope, UnreadableKnowledgeBase, dumps
from claimscope.db.values import value_display

__all__ = ["ADMIRALTY_CONFIDENCE", "NAMESPACE", "stix_id", "write_stix"]

#: The namespace of every id: uuid5(NAMESPACE, "<kind>:<claimscope id>").
NAMESPACE = uuid.UUID("bf89aade-079c-487c-905b-8eb3d6c58b4b")
_NAMESPACE_BYTES = NAMESPACE.bytes
#: STIX 2.1 Appendix A, "Admiralty Credibility": information grade -> confidence. Grade 6
#: ("truth cannot be judged") has no value: the confidence property is left out.
ADMIRALTY_CONFIDENCE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}
MAPPING_VERSION = "1.0.0"
# The date of this mapping version: the created/modified time of the objects that describe
# claimscope itself (its identity and its extension definition), not of the knowledge.
_MAPPING_TIME = "2026-01-01T00:00:00.000Z"

_CUSTOM_PROPERTIES = (
    "x_claimscope_id", "x_claimscope_kind", "x_claimscope_subtype", "x_claimscope_date", "x_claimscope_aliases",
    "x_claimscope_predicate", "x_claimscope_modality", "x_claimscope_claimant_ref", "x_claimscope_start",
    "x_claimscope_end", "x_claimscope_value", "x_claimscope_evidence", "x_claimscope_disputed",
    "x_claimscope_authors", "x_claimscope_published", "x_claimscope_reliability", "x_claimscope_unconfirmed",
    "x_claimscope_file", "x_claimscope_sha256", "x_claimscope_dispute_id",
)

# Predicates that mean a standard STIX relationship: (relationship type, reversed). A claim
# "X perpetrated E" is the STIX "E attributed-to X".
_STANDARD_RELATIONSHIPS = {
    "perpetrated": ("attributed-to", True),
    "targeted": ("targets", False),
    "occurred_in": ("located-at", False),
    "located_in": ("located-at", False),
}
_CAMPAIGN_SUBTYPES = {"campaign", "offensive", "war"}
# What shows a group as an armed actor: violence it committed, claimed or took part in ...
_VIOLENT_SUBTYPES = {"attack", "bombing", "killing", "assassination", "takeover", "offensive", "battle", "strike",
                     "war", "raid", "ambush", "kidnapping", "execution", "insurgency", "campaign"}
_VIOLENT_PREDICATES = ("perpetrated", "claimed_responsibility_for", "participated_in")
# ... being a branch, affiliate or splinter of an armed group, or sworn to one ...
_ARMED_LINKS = ("branch_of", "affiliate_of", "splinter_of", "pledged_allegiance_to")
# ... or a summary (the project's own words) that opens by calling it so.
_ARMED_WORDS = re.compile(r"\b(militant|jihadist|armed|insurgent|insurgency|guerrilla|paramilitary)\b", re.I)
_ARMED_WORD_WINDOW = 8
_UNTRUSTED_MODALITIES = ("alleged", "denied")


def stix_id(stix_type: str, key: str) -> str:
    """A deterministic STIX id: ``<type>--<uuid5(NAMESPACE, key)>``."""
    # uuid.uuid5 by hand: the same bytes, without building a UUID object (a million claims).
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + key.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{stix_type}--{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


IDENTITY_ID = stix_id("identity", "identity:claimscope")
EXTENSION_ID = stix_id("extension-definition", "extension:claimscope-provenance")
_EXTENSIONS = {EXTENSION_ID: {"extension_type": "toplevel-property-extension"}}


def _day_start(day: str) -> str:
    return f"{day}T00:00:00.000Z"


def _day_end(day: str) -> str:
    return f"{day}T23:59:59.999Z"


def _bounds(date: str | None) -> tuple[str | None, str | None]:
    """The first and last day an EDTF date stands for; None for an open or unreadable end."""
    if not date:
        return None, None
    try:
        parsed = parse_edtf(date)
    except EDTFError:
        return None, None
    return (parsed.lower if parsed.lower != OPEN_LOWER else None,
            parsed.upper if parsed.upper != OPEN_UPPER else None)


def _knowledge_base_time(connection: sqlite3.Connection, path: Path | None) -> str:
    """When the knowledge base was built: the ``modified`` time of every object exported from it.

    A build time recorded in ``meta`` if there is one, else the file's modification time: the
    same file exports the same bundle, and a rebuilt one gives every object a newer version.
    """
    meta = dict(connection.execute("SELECT key, value FROM meta"))
    for key in ("built_at", "build_time", "built"):
        if key in meta:
            try:
                moment = datetime.fromisoformat(str(meta[key]))
            except ValueError:
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if path is not None and path.exists():
        moment = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return _MAPPING_TIME


def _marks(count: int) -> str:
    return ",".join("?" * count)


class _Mapper:
    """What every object needs to know about the others: their STIX types, names and dates."""

    def __init__(self, scope: Scope, path: Path | None) -> None:
        self.scope = scope
        self.connection = scope.connection
        self.modified = _knowledge_base_time(self.connection, path)
        self.armed = self._armed_groups()
        self._refs: dict[str, str] = {}
        # id -> (kind, subtype, name); the whole table, since claims may name any entity.
        self.entities: dict[str, tuple[str, str | None, str]] = {
            row[0]: (row[1], row[2], row[3])
            for row in self.connection.execute("SELECT id, kind, subtype, name FROM entities")
        }
        self.labels = dict(self.connection.execute("SELECT id, label FROM predicates"))
        self.sources: dict[str, dict[str, Any]] = {}
        for row in self.connection.execute(
            "SELECT id, title, publisher, url, grade, published_lower FROM sources"
        ):
            self.sources[row[0]] = {"title": row[1], "publisher": row[2], "url": row[3], "grade": row[4],
                                    "day": row[5], "ref": stix_id("report", f"source:{row[0]}")}

    # -- the types ------------------------------------------------------------------------------

    def _armed_groups(self) -> set[str]:
        """Groups the knowledge base shows as armed actors (see the module docstring)."""
        armed: set[str] = set()
        marks = _marks(len(_VIOLENT_SUBTYPES))
        for (group_id,) in self.connection.execute(
            "SELECT DISTINCT c.subject_id FROM claims c JOIN entities s ON s.id = c.subject_id"
            " JOIN entities e ON e.id = c.object_id"
            f" WHERE c.predicate_id IN ({_marks(len(_VIOLENT_PREDICATES))}) AND s.kind = 'group'"
            f" AND e.subtype IN ({marks}) AND c.modality NOT IN ('alleged', 'denied')",
            [*_VIOLENT_PREDICATES, *sorted(_VIOLENT_SUBTYPES)],
        ):
            armed.add(group_id)
        for group_id, summary in self.connection.execute("SELECT id, summary FROM entities WHERE kind = 'group'"):
            opening = " ".join(str(summary or "").split()[:_ARMED_WORD_WINDOW])
            if _ARMED_WORDS.search(opening):
                armed.add(group_id)
        branches: dict[str, list[str]] = defaultdict(list)  # group -> groups that are its branches, ...
        for subject_id, object_id in self.connection.execute(
            "SELECT c.subject_id, c.object_id FROM claims c JOIN entities s ON s.id = c.subject_id"
            " JOIN entities o ON o.id = c.object_id"
            f" WHERE c.predicate_id IN ({_marks(len(_ARMED_LINKS))}) AND s.kind = 'group' AND o.kind = 'group'"
            " AND c.modality NOT IN ('alleged', 'denied')",
            _ARMED_LINKS,
        ):
            branches[object_id].append(subject_id)
        waiting = list(armed)
        while waiting:  # a branch of a branch of an armed group is armed too
            for branch in branches.pop(waiting.pop(), ()):
                if branch not in armed:
                    armed.add(branch)
                    waiting.append(branch)
        return armed

    def stix_type(self, entity_id: str) -> str:
        if entity_id not in self.entities:
            # A file written with its foreign keys unchecked: a relationship to nothing is not STIX.
            raise UnreadableKnowledgeBase(f"a claim names the entity {entity_id!r}, which the knowledge base "
                                          "does not hold")
        kind, subtype, _ = self.entities[entity_id]
        if kind == "group":
            return "intrusion-set" if entity_id in self.armed else "identity"
        if kind == "place":
            return "location"
        if kind == "event":
            return "campaign" if (subtype or "").lower() in _CAMPAIGN_SUBTYPES else "incident"
        return "identity"

    def ref(self, entity_id: str) -> str:
        ref = self._refs.get(entity_id)
        if ref is None:
            ref = self._refs[entity_id] = stix_id(self.stix_type(entity_id), f"entity:{entity_id}")
        return ref

    def name(self, entity_id: str | None) -> str:
        return self.entities[entity_id][2] if entity_id in self.entities else str(entity_id)

    @staticmethod
    def claim_type(object_id: str | None, modality: str) -> str:
        """A relationship for a claim between two entities; a note for a value or a denial."""
        return "relationship" if object_id is not None and modality != "denied" else "note"

    def claim_ref(self, claim_id: str, object_id: str | None, modality: str) -> str:
        return stix_id(self.claim_type(object_id, modality), f"claim:{claim_id}")


def _common(stix_type: str, object_id: str, created: str, modified: str) -> dict[str, Any]:
    return {"type": stix_type, "spec_version": "2.1", "id": object_id, "created_by_ref": IDENTITY_ID,
            "created": min(created, modified), "modified": modified}


def _modality_phrase(modality: str, claimant: str | None) -> str:
    if claimant:
        return f"{modality.capitalize()} by {claimant}."
    if modality == "asserted":
        return "Asserted by the source's author."
    return f"{modality.capitalize()} in the source."


def _claim_objects(mapper: _Mapper, claims: Iterator[dict[str, Any]], first_days: dict[str, str],
                   disputed: dict[str, tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """A relationship or a note for each claim; notes each entity's earliest source day on the way."""
    for claim in claims:
        evidence = claim.get("evidence", [])
        days = [mapper.sources[e["source_id"]]["day"] for e in evidence if e["source_id"] in mapper.sources]
        created = _day_start(min(days)) if days else mapper.modified
        subject_id, object_id, claimant_id = claim["subject_id"], claim.get("object_id"), claim.get("claimant_id")
        for entity_id in (subject_id, object_id, claimant_id):
            if entity_id and days and (entity_id not in first_days or min(days) < first_days[entity_id]):
                first_days[entity_id] = min(days)
        modality = claim["modality"]
        predicate = claim["predicate_id"]
        label = mapper.labels.get(predicate, predicate.replace("_", " "))
        value = value_display(claim.get("value_text"), claim.get("value_number"), claim.get("value_date"),
                              claim.get("unit"), claim.get("qualifier"))
        target = mapper.name(object_id) if object_id else value
        reading = f"{mapper.name(subject_id)} {label} {target}"
        description = [f"{reading}."]
        if claim.get("statement"):
            description.append(str(claim["statement"]))
        description.append(_modality_phrase(modality, mapper.name(claimant_id) if claimant_id else None))
        if claim.get("inferred"):
            description.append(f"Inferred: {claim['inferred']}")
        if claim.get("note"):
            description.append(f"Note: {claim['note']}")
        stix_type = mapper.claim_type(object_id, modality)
        record = _common(stix_type, stix_id(stix_type, f"claim:{claim['id']}"), created, mapper.modified)
        if stix_type == "relationship":
            relationship_type, reverse = _STANDARD_RELATIONSHIPS.get(
                predicate, (re.sub(r"[^a-z0-9]+", "-", predicate.lower()).strip("-"), False))
            source_ref, target_ref = mapper.ref(subject_id), mapper.ref(str(object_id))
            if reverse:
                source_ref, target_ref = target_ref, source_ref
            record.update(relationship_type=relationship_type, source_ref=source_ref, target_ref=target_ref,
                          description=" ".join(description))
            start, _ = _bounds(claim.get("start"))
            _, stop = _bounds(claim.get("end"))
            if start:
                record["start_time"] = _day_start(start)
            if stop and (not start or _day_end(stop) > record["start_time"]):
                record["stop_time"] = _day_end(stop)
        else:
            refs = [mapper.ref(subject_id)] + ([mapper.ref(object_id)] if object_id else [])
            record.update(abstract=(f"Denied by {mapper.name(claimant_id)}: " if modality == "denied" else "")
                          + reading, content=" ".join(description), object_refs=refs)
        grades = [e["grade"] for e in evidence if e.get("grade") in ADMIRALTY_CONFIDENCE]
        if grades:
            record["confidence"] = ADMIRALTY_CONFIDENCE[min(grades)]
        references = []
        provenance = []
        for e in evidence:
            source = mapper.sources.get(e["source_id"])
            if source is None:
                continue
            locator = f"paragraph {e['paragraph']}" + (f", sentence {e['sentence']}" if e.get("sentence") else "")
            # The URL is on the report: here it would want a hash of the page, which is not known.
            references.append({"source_name": source["publisher"], "external_id": e["source_id"],
                               "description": f"{source['title']}, {locator}"})
            item = {"report_ref": source["ref"], **{k: v for k, v in e.items() if k not in ("id",)}}
            item["source_grade"] = source["grade"]
            provenance.append(item)
        if references:
            record["external_references"] = references
        record["extensions"] = _EXTENSIONS
        record["x_claimscope_id"] = claim["id"]
        record["x_claimscope_predicate"] = predicate
        record["x_claimscope_modality"] = modality
        if claimant_id:
            record["x_claimscope_claimant_ref"] = mapper.ref(claimant_id)
        for column in ("start", "end"):
            if claim.get(column):
                record[f"x_claimscope_{column}"] = claim[column]
        if object_id is None:
            record["x_claimscope_value"] = {
                column: claim.get(column) for column in ("value_text", "value_number", "value_date", "unit",
                                                         "qualifier") if claim.get(column) is not None
            }
        if claim.get("disputed"):
            record["x_claimscope_disputed"] = True
            disputed[claim["id"]] = (record["id"], f"{mapper.name(subject_id)}: {label}")
        record["x_claimscope_evidence"] = provenance
        yield record


def _entity_objects(mapper: _Mapper, entities: Iterator[dict[str, Any]],
                    first_days: dict[str, str]) -> Iterator[dict[str, Any]]:
    geography = _Geography(mapper)
    for entity in entities:
        entity_id = entity["id"]
        stix_type = mapper.stix_type(entity_id)
        created = _day_start(first_days[entity_id]) if entity_id in first_days else mapper.modified
        record = _common(stix_type, mapper.ref(entity_id), created, mapper.modified)
        record["name"] = entity["name"]
        description = str(entity.get("summary") or "")
        if entity.get("note"):
            description += f"\n\nNote: {entity['note']}"
        if description:
            record["description"] = description
        aliases = [a["alias"] for a in entity.get("aliases", ()) if a["alias"] != entity["name"]]
        kind = entity["kind"]
        if stix_type == "identity":
            record["identity_class"] = "individual" if kind == "person" else "organization"
            if kind == "outlet":
                record["roles"] = ["media outlet"]
        elif stix_type == "location":
            record.update(geography.locate(entity_id, entity["name"], aliases))
        elif stix_type == "campaign":
            first, last = _bounds(entity.get("date"))
            if first:
                record["first_seen"] = _day_start(first)
            if last:
                record["last_seen"] = _day_end(last)
        if stix_type in ("intrusion-set", "campaign"):
            if aliases:
                record["aliases"] = aliases
        record["extensions"] = _EXTENSIONS
        record["x_claimscope_id"] = entity_id
        record["x_claimscope_kind"] = kind
        if entity.get("subtype"):
            record["x_claimscope_subtype"] = entity["subtype"]
        if entity.get("date"):
            record["x_claimscope_date"] = entity["date"]
        if aliases and stix_type not in ("intrusion-set", "campaign"):
            record["x_claimscope_aliases"] = aliases
        yield record


class _Geography:
    """Finds a place's country and region from its names, or from the places it is located in."""

    def __init__(self, mapper: _Mapper) -> None:
        from claimscope.db.gazetteer import country_of, region_of

        self.country_of, self.region_of = country_of, region_of
        self.mapper = mapper
        self.parents: dict[str, list[str]] = defaultdict(list)
        for subject_id, object_id in mapper.connection.execute(
            "SELECT DISTINCT c.subject_id, c.object_id FROM claims c JOIN entities o ON o.id = c.object_id"
            " WHERE c.predicate_id = 'located_in' AND o.kind = 'place' AND c.modality NOT IN ('alleged', 'denied')"
            " ORDER BY c.subject_id, c.object_id"
        ):
            self.parents[subject_id].append(object_id)
        self.aliases: dict[str, list[str]] = {}

    def _own(self, name: str, aliases: list[str]) -> tuple[str | None, str | None]:
        for candidate in (name, *aliases):
            found = self.country_of(candidate)
            if found:
                return found
        for candidate in (name, *aliases):
            region = self.region_of(candidate)
            if region:
                return None, region
        return None, None

    def locate(self, entity_id: str, name: str, aliases: list[str]) -> dict[str, str]:
        """``country`` and ``region`` for a location: from the place itself, else its nearest located-in places."""
        country, region = self._own(name, aliases)
        seen = {entity_id}
        level = [entity_id]
        while not country and level:  # breadth first: the nearest places that know
            level = [parent for place in level for parent in self.parents.get(place, ()) if parent not in seen]
            seen.update(level)
            found = [self._own(self.mapper.name(parent), []) for parent in level]
            countries = {code for code, _ in found if code}
            regions = {area for _, area in found if area}
            if len(countries) == 1:
                country = countries.pop()
                region = region or next(area for code, area in found if code == country)
            elif len(countries) > 1:
                break  # a place in two countries (a border): neither is its country
            elif not region and len(regions) == 1:
                region = regions.pop()
        located = {}
        if country:
            located["country"] = country
        located["region"] = region or "unknown"
        return located


def _report_objects(mapper: _Mapper, scope: Scope) -> Iterator[dict[str, Any]]:
    chosen = set(scope.claim_ids) if scope.claim_ids is not None else None
    for source in scope.rows("sources"):
        refs: set[str] = set()
        entities: set[str] = set()
        for claim_id, subject_id, object_id, claimant_id, modality in mapper.connection.execute(
            "SELECT DISTINCT c.id, c.subject_id, c.object_id, c.claimant_id, c.modality"
            " FROM evidence e JOIN claims c ON c.id = e.claim_id WHERE e.source_id = ?",
            (source["id"],),
        ):
            if chosen is not None and claim_id not in chosen:
                continue
            refs.add(mapper.claim_ref(claim_id, object_id, modality))
            entities.update(entity_id for entity_id in (subject_id, object_id, claimant_id) if entity_id)
        refs.update(mapper.ref(entity_id) for entity_id in entities)
        day = source.get("published_lower") or mapper.modified[:10]
        authors = list(source.get("authors") or [])
        record = _common("report", mapper.sources[source["id"]]["ref"], _day_start(day), mapper.modified)
        record.update(name=source["title"], published=_day_start(day), report_types=["threat-report"])
        description = [f"Source reliability {source['grade']} (Admiralty scale)."]
        for column in ("grade_note", "note"):
            if source.get(column):
                description.append(str(source[column]))
        record["description"] = " ".join(description)
        record["object_refs"] = sorted(refs)
        byline = f"by {', '.join(authors)}; " if authors else ""
        record["external_references"] = [{"source_name": source["publisher"], "url": source["url"],
                                          "external_id": source["id"],
                                          "description": f"{source['title']}; {byline}published {source['published']}"}]
        if source.get("language"):
            record["lang"] = source["language"]
        record["extensions"] = _EXTENSIONS
        record.update(x_claimscope_id=source["id"], x_claimscope_authors=authors,
                      x_claimscope_published=source["published"], x_claimscope_reliability=source["grade"],
                      x_claimscope_unconfirmed=list(source.get("unconfirmed") or []),
                      x_claimscope_file=source.get("file"), x_claimscope_sha256=source.get("sha256"))
        yield record


def _dispute_objects(mapper: _Mapper, scope: Scope, disputed: dict[str, tuple[str, str]]) -> Iterator[dict[str, Any]]:
    groups: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for row in scope.rows("disputes"):
        if row["claim_id"] in disputed:
            groups[row["dispute_id"]].append((row["claim_id"], row["reason"]))
    for dispute_id, members in sorted(groups.items()):
        titles = list(dict.fromkeys(disputed[claim_id][1] for claim_id, _ in members))
        record = _common("grouping", stix_id("grouping", f"dispute:{dispute_id}"), mapper.modified, mapper.modified)
        record.update(
            name=f"Dispute: {' vs '.join(titles)}", context="unspecified",
            description="Claims that disagree, shown side by side, never merged: "
                        + "; ".join(f"{claim_id} ({reason})" for claim_id, reason in members),
            object_refs=[disputed[claim_id][0] for claim_id, _ in members],
            extensions=_EXTENSIONS, x_claimscope_dispute_id=dispute_id,
        )
        yield record


def _meta_objects() -> Iterator[dict[str, Any]]:
    yield {"type": "identity", "spec_version": "2.1", "id": IDENTITY_ID, "created": _MAPPING_TIME,
           "modified": _MAPPING_TIME, "name": "claimscope", "identity_class": "system",
           "description": "The claimscope knowledge base exporter: every object in this bundle was written by it."}
    yield {
        "type": "extension-definition", "spec_version": "2.1", "id": EXTENSION_ID, "created_by_ref": IDENTITY_ID,
        "created": _MAPPING_TIME, "modified": _MAPPING_TIME, "name": "claimscope provenance",
        "description": "Top-level properties that keep a claimscope claim's provenance and its knowledge base ids.",
        "schema": (
            "x_claimscope_id: the claimscope id of the entity, claim or source. x_claimscope_kind: group, outlet, "
            "person, place or event. x_claimscope_subtype, x_claimscope_date (EDTF): an event's. "
            "x_claimscope_aliases: other names. x_claimscope_predicate, x_claimscope_modality (asserted, reported, "
            "claimed, alleged, estimated, hedged, denied), x_claimscope_claimant_ref (who makes the claim), "
            "x_claimscope_start, x_claimscope_end (EDTF), x_claimscope_value (a literal value): a claim's. "
            "x_claimscope_evidence: a list of {report_ref, source_id, paragraph, sentence, start, end, grade "
            "(Admiralty information credibility 1-6), source_grade (source reliability A-F), ...}. "
            "x_claimscope_disputed: the claim is part of a dispute. x_claimscope_authors, x_claimscope_published "
            "(EDTF), x_claimscope_reliability (A-F), x_claimscope_unconfirmed, x_claimscope_file, "
            "x_claimscope_sha256: a source's. x_claimscope_dispute_id: a dispute's."
        ),
        "version": MAPPING_VERSION, "extension_types": ["toplevel-property-extension"],
        "extension_properties": list(_CUSTOM_PROPERTIES),
    }


def _pruned(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without null or empty-list properties, which STIX does not allow (evidence items too)."""
    pruned = {key: value for key, value in record.items() if value is not None and value != []}
    if "x_claimscope_evidence" in pruned:
        pruned["x_claimscope_evidence"] = [{key: value for key, value in item.items() if value is not None}
                                           for item in pruned["x_claimscope_evidence"]]
    return pruned


def write_stix(scope: Scope, out: IO[str], path: Path | None = None) -> dict[str, int]:
    """Write the scope as a STIX 2.1 bundle; return how many objects of each type.

    Objects are written as they are made: the claims first (noting each entity's earliest
    source), then the entities, the reports and the disputes.
    """
    mapper = _Mapper(scope, path)
    fingerprint = scope.meta().get("seed_fingerprint", "")
    selection = json.dumps(scope.selection.describe(), sort_keys=True) if scope.selection else "all"
    bundle_id = stix_id("bundle", f"bundle:{fingerprint}:{mapper.modified}:{selection}")
    first_days: dict[str, str] = {}
    disputed: dict[str, tuple[str, str]] = {}
    counts: dict[str, int] = defaultdict(int)
    out.write(f'{{"type": "bundle", "id": "{bundle_id}", "objects": [')
    streams = (
        _meta_objects(),
        _claim_objects(mapper, scope.nested("claims", "evidence", "claim_id", "evidence"), first_days, disputed),
        _entity_objects(mapper, scope.nested("entities", "aliases", "entity_id", "aliases"), first_days),
        _report_objects(mapper, scope),
        _dispute_objects(mapper, scope, disputed),
    )
    written = 0
    for stream in streams:
        for record in stream:
            out.write(("\n" if written == 0 else ",\n") + dumps(_pruned(record)))
            counts[record["type"]] += 1
            written += 1
    out.write("\n]}\n")
    return dict(counts)

"""Citations of a claim, in the forms a researcher pastes: plain text, Markdown, BibTeX and CSL-JSON.

A citation says the claim as the knowledge base states it, whose claim it is (modality and
claimant), and for each piece of evidence the source, the locator (paragraph and sentence)
and the URL. BibTeX and CSL-JSON describe the sources themselves, for reference managers
such as Zotero, with the locator in a note. Dates come from the source's EDTF date: as
precise as it is known, and an unconfirmed field is said to be unconfirmed.

The text returned is raw: whoever prints it or puts it on a clipboard cleans it first.
"""

from __future__ import annotations

import json
import re
import unicodedata

from claimscope.db.edtf import parse_edtf
from claimscope.db.models import Claim, Evidence, SourceRef

__all__ = ["FORMATS", "cite", "reading"]

FORMATS = ("text", "markdown", "bibtex", "csl-json")


def reading(claim: Claim) -> str:
    """The claim as one plain sentence, with whose assertion it is."""
    target = claim.object.name if claim.object else claim.value_display
    text = f"{claim.subject.name} {claim.label} {target}"
    if claim.modality == "asserted":
        return text + " (asserted by the source's author)"
    return text + f" ({claim.modality}" + (f" by {claim.claimant.name}" if claim.claimant else "") + ")"


def locator(evidence: Evidence) -> str:
    """``paragraph 8, sentence 1``."""
    return f"paragraph {evidence.paragraph}" + (f", sentence {evidence.sentence}" if evidence.sentence else "")


def _date_parts(published: str) -> list[int]:
    """The year, month and day a source's date certainly has: as many as its lowest and highest day share."""
    if not published:
        return []
    parsed = parse_edtf(published)
    lower, upper = parsed.lower.split("-"), parsed.upper.split("-")
    parts: list[int] = []
    for low, high in zip(lower, upper, strict=True):
        if low != high or low in ("0001", "9999"):
            break
        parts.append(int(low))
    return parts


def _authors(source: SourceRef) -> str:
    return " and ".join(source.authors) if source.authors else "no byline"


def _text(claim: Claim) -> str:
    lines = [reading(claim) + "."]
    if claim.statement:
        lines.append(claim.statement)
    for evidence in claim.evidence:
        source = evidence.source
        published = parse_edtf(source.published).describe() if source.published else "undated"
        unconfirmed = f" (unconfirmed: {', '.join(source.unconfirmed)})" if source.unconfirmed else ""
        lines.append(f'{_authors(source)}, "{source.title}", {source.publisher}, {published}{unconfirmed}, '
                     f"{locator(evidence)}. {source.url}")
    return "\n".join(lines)


def _markdown(claim: Claim) -> str:
    lines = [f"> {reading(claim)}."]
    if claim.statement:
        lines.append(f"> {claim.statement}")
    lines.append("")
    for evidence in claim.evidence:
        source = evidence.source
        published = parse_edtf(source.published).describe() if source.published else "undated"
        title = source.title.replace("[", "\\[").replace("]", "\\]")
        link = f"[{title}](<{source.url}>)" if source.url.startswith(("http://", "https://")) else f"*{title}*"
        lines.append(f"- {_authors(source)}, {link}, {source.publisher}, {published}, {locator(evidence)}"
                     f" (source grade {source.grade}, information grade {evidence.grade})")
    return "\n".join(lines)


_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def _bibtex_escape(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        character = match.group()
        if character == "\\":
            return r"\textbackslash{}"
        if character in "^~":
            return "\\" + character + "{}"
        return "\\" + character

    return _BIBTEX_SPECIAL.sub(escape, text)


def _bibtex_key(source: SourceRef) -> str:
    """``sayed2025how``: the first author's surname (or the publisher), the year, the title's first word."""
    first = source.authors[0].split()[-1] if source.authors else source.publisher.split()[0]
    year = str(_date_parts(source.published)[0]) if _date_parts(source.published) else "nd"
    word = next((w for w in re.findall(r"\w+", source.title) if w.lower() not in ("a", "an", "the")), "")
    ascii_key = unicodedata.normalize("NFKD", f"{first}{year}{word}").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", ascii_key).lower() or source.id


def _sources(claim: Claim) -> dict[str, tuple[SourceRef, list[Evidence]]]:
    """Each source of a claim once, with the evidence it gives."""
    found: dict[str, tuple[SourceRef, list[Evidence]]] = {}
    for evidence in claim.evidence:
        found.setdefault(evidence.source.id, (evidence.source, []))[1].append(evidence)
    return found


def _note(claim: Claim, evidence: list[Evidence], source: SourceRef) -> str:
    note = f"{'; '.join(locator(e) for e in evidence)}: {reading(claim)}"
    if source.unconfirmed:
        note += f". Unconfirmed: {', '.join(source.unconfirmed)}"
    return note


def _bibtex(claim: Claim) -> str:
    entries = []
    months = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    for source, evidence in _sources(claim).values():
        fields = [("title", "{{" + _bibtex_escape(source.title) + "}}")]  # double braces keep its capitals
        if source.authors:
            fields.append(("author", "{" + " and ".join(_bibtex_escape(a) for a in source.authors) + "}"))
        fields.append(("publisher", "{" + _bibtex_escape(source.publisher) + "}"))
        parts = _date_parts(source.published)
        if parts:
            fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", months[parts[1] - 1]))
        if len(parts) > 2:
            fields.append(("day", str(parts[2])))
        if source.url:
            fields.append(("url", "{" + source.url.replace("}", "%7D").replace("{", "%7B") + "}"))
        fields.append(("note", "{" + _bibtex_escape(_note(claim, evidence, source)) + "}"))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        entries.append(f"@misc{{{_bibtex_key(source)},\n{body}\n}}")
    return "\n\n".join(entries)


def _csl_name(name: str) -> dict[str, str]:
    given, _, family = name.rpartition(" ")
    return {"family": family, "given": given} if given else {"literal": name}


def _csl_json(claim: Claim) -> str:
    items = []
    for source, evidence in _sources(claim).values():
        item: dict[str, object] = {"id": source.id, "type": "webpage", "title": source.title,
                                   "container-title": source.publisher, "publisher": source.publisher}
        if source.authors:
            item["author"] = [_csl_name(name) for name in source.authors]
        parts = _date_parts(source.published)
        if parts:
            item["issued"] = {"date-parts": [parts]}
        if source.url:
            item["URL"] = source.url
        item["note"] = _note(claim, evidence, source)
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2)


def cite(claim: Claim, form: str = "text") -> str:
    """The claim cited in ``form``: one of ``FORMATS``.

    Raises:
        ValueError: an unknown form.
    """
    writers = {"text": _text, "markdown": _markdown, "bibtex": _bibtex, "csl-json": _csl_json}
    if form not in writers:
        raise ValueError(f"a citation format is one of {', '.join(FORMATS)}, not {form!r}")
    return writers[form](claim)

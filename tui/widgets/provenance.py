"""The provenance pane: the evidence of one claim, with its passages when the texts are here."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.widgets import Static

from claimscope.db.models import Claim, Evidence
from claimscope.seed.quotes import find_quote
from claimscope.tui.passages import PassageStore
from claimscope.tui.render import render_provenance

__all__ = ["ProvenancePane", "prepare_provenance"]


def prepare_provenance(passages: PassageStore, claim: Claim) -> Text:
    """Read the texts ``claim`` cites and render its provenance; call it from a worker thread."""
    texts = {}
    notes = {}
    for index, evidence in enumerate(claim.evidence):
        source_text = passages.text_of(evidence.source)
        texts[evidence.source.id] = (source_text.text, source_text.problem)
        if evidence.quote and source_text.changed is not None:
            notes[index] = quote_status(source_text.changed, evidence)
    return render_provenance(claim, texts, notes)


def quote_status(changed: str, evidence: Evidence) -> str:
    """Where an imported quote is in its text as changed since the import; never re-anchored here."""
    found = find_quote(changed, evidence.quote or "")
    if not found:
        return "Its quote is no longer in the text: orphaned."
    if (evidence.start, evidence.end) in found:
        return "Its quote is still at the same place in the changed text."
    return ("Its quote is in the changed text, but elsewhere: moved. The knowledge base keeps the anchor it was "
            "imported with.")


class ProvenancePane(VerticalScroll):
    """Where a claim comes from: sources, locators, grades, and the cited span in its paragraph."""

    def __init__(self, passages: PassageStore, *, id: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id)
        self.passages = passages
        self.claim: Claim | None = None

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("The provenance of the highlighted claim shows here.", style="dim"), id="provenance-body")

    def show(self, claim: Claim, rendered: Text | None = None) -> None:
        """Show ``claim``'s provenance: ``rendered`` if the caller prepared it, else read in a worker."""
        if claim is self.claim and rendered is None:
            return  # already shown or on its way
        self.claim = claim
        if rendered is not None:
            self._update(claim, rendered)
        else:
            self.load(claim)

    @work(thread=True, exclusive=True, group="provenance")
    def load(self, claim: Claim) -> None:
        self.app.call_from_thread(self._update, claim, prepare_provenance(self.passages, claim))

    def _update(self, claim: Claim, rendered: Text) -> None:
        if claim is self.claim:  # a newer claim may have been highlighted meanwhile
            self.query_one("#provenance-body", Static).update(rendered)
            self.scroll_home(animate=False)

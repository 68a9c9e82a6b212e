"""The command palette's entity provider: the same search as `/` and `claimscope search`."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from claimscope.tui.messages import Place
from claimscope.tui.render import result_line
from claimscope.tui.text import clean_line

__all__ = ["EntityCommands"]


class EntityCommands(Provider):
    """Offers entities that match what is typed into the palette."""

    async def search(self, query: str) -> Hits:
        app = self.app
        knowledge_base = getattr(app, "knowledge_base", None)
        if knowledge_base is None or not query.strip():
            return
        # The search is quick and indexed, but still kept off the event loop: names first, then
        # the entities whose summaries or claims hold the words (passages are for the / box).
        names = await app.run_in_thread(knowledge_base.search, query, None, 10, False)  # type: ignore[attr-defined]
        for result in names:
            yield Hit(result.score / 100, result_line(result), partial(app.open_entity, result.id),  # type: ignore[attr-defined]
                      text=clean_line(result.name), help=f"open this {result.kind}")
        if len(names) >= 10:
            return
        words = await app.run_in_thread(  # type: ignore[attr-defined]
            knowledge_base.text_hits, query, None, 10 - len(names), names.matched_ids, True)
        for result in words:
            if result.how == "passage":
                continue
            target = Place(result.id, result.claim) if result.claim else result.id
            yield Hit(result.score / 100, result_line(result), partial(app.open_entity, target),  # type: ignore[attr-defined]
                      text=clean_line(result.name), help=f"open this {result.kind}"
                      + (" at the claim its words are in" if result.claim else ""))

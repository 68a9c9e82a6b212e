"""An option list whose highlighted row is in reverse video under NO_COLOR, as the README promises.

Textual draws an option list's rows with a "visual style" that keeps colours, bold, italic and
underline, but not reverse: the ``OptionList:nocolor`` rule of app.tcss alone leaves the cursor
a grey bar. Here the highlighted row gets reverse back when the app has no colours.
"""

from __future__ import annotations

from textual.style import Style as VisualStyle
from textual.widgets import OptionList

__all__ = ["CursorList"]

_REVERSE = VisualStyle(reverse=True)


class CursorList(OptionList):
    """An OptionList with its cursor in reverse video under NO_COLOR."""

    def get_visual_style(self, *component_classes: str, partial: bool = False) -> VisualStyle:
        style = super().get_visual_style(*component_classes, partial=partial)
        if self.app.no_color and "option-list--option-highlighted" in component_classes:
            return style + _REVERSE
        return style

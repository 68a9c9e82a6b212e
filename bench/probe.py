"""Start an app headless and print the wall-clock time of its first complete frame.

    python3 bench/probe.py app --db FILE     # claimscope's main screen, its entity list drawn
    python3 bench/probe.py minimal           # the floor: a Textual app showing one 50-item list
    python3 bench/probe.py reader --db FILE --source ID   # the reader open on a source, its text and claims drawn

The parent process notes the time before it starts this one; the difference is the
start-up time, imports included. The line printed is ``READY <unix time>``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_minimal() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import OptionList

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield OptionList(*(f"Item {n}" for n in range(50)))

        def on_ready(self) -> None:
            self.call_after_refresh(self.report)

        def report(self) -> None:
            print(f"READY {time.time():.6f}", flush=True)
            self.exit()

    Minimal().run(headless=True, size=(120, 40))


def run_app(db: Path) -> None:
    from claimscope.tui.app import ClaimscopeApp, make_app
    from claimscope.tui.screens.main import MainScreen
    from claimscope.tui.widgets.virtual_list import VirtualList

    class Probe(ClaimscopeApp):
        def on_ready(self) -> None:
            self.call_after_refresh(self.report)

        def report(self) -> None:
            # The first complete frame: the main screen is up and its entity list has rows drawn.
            screen = self.screen
            if not isinstance(screen, MainScreen) or not screen.query(VirtualList).first().pages_held:
                self.set_timer(0.001, self.report)
                return
            print(f"READY {time.time():.6f}", flush=True)
            self.exit()

    app = make_app(db)
    app.__class__ = Probe
    app.run(headless=True, size=(120, 40))


def run_reader(db: Path, source: str) -> None:
    from claimscope.tui.app import ClaimscopeApp, make_app
    from claimscope.tui.messages import SourcePlace
    from claimscope.tui.screens.reader import ReaderScreen

    class Probe(ClaimscopeApp):
        def on_ready(self) -> None:
            self.call_after_refresh(self.report)

        def report(self) -> None:
            # The first complete frame: the reader is up, its source opened, the paragraphs on screen read and
            # laid out, and the claims of the sentence under the cursor listed.
            screen = self.screen
            if not isinstance(screen, ReaderScreen) or not screen.ready():
                self.set_timer(0.001, self.report)
                return
            self.call_after_refresh(self.ready)

        def ready(self) -> None:
            print(f"READY {time.time():.6f}", flush=True)
            self.exit()

    app = make_app(db, source=SourcePlace(source))
    app.__class__ = Probe
    app.run(headless=True, size=(120, 40))


def main() -> None:
    if sys.argv[1:2] == ["minimal"]:
        run_minimal()
    elif sys.argv[1:3] == ["app", "--db"] and len(sys.argv) == 4:
        run_app(Path(sys.argv[3]))
    elif sys.argv[1:3] == ["reader", "--db"] and sys.argv[4:5] == ["--source"] and len(sys.argv) == 6:
        run_reader(Path(sys.argv[3]), sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

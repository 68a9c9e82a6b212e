"""``python -m claimscope``: the same command line as the ``claimscope`` script."""

from claimscope.tui.cli import main

if __name__ == "__main__":
    main(prog_name="claimscope")

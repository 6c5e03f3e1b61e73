"""Profile one command line in this process: `python bench/profile_command.py OUT ARGS...`.

The command runs as `main.py` would run it, imports included, but returns instead of leaving
at once (the fast exit would skip writing the profile); pyinstrument writes a text profile of
it to OUT.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    """Run the command under the profiler and write the profile."""
    out, args = Path(sys.argv[1]), sys.argv[2:]
    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        from main import app

        app(args)
    except SystemExit:
        pass
    profiler.stop()
    out.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")


if __name__ == "__main__":
    main()

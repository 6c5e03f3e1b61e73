"""Run one `main.py` command the moment a barrier file appears, everything imported beforehand.

`python at_barrier.py BARRIER ARGS...`: imports the CLI and the run operations, announces it
is ready with `BARRIER.ready.PID`, waits for BARRIER to exist, then runs `main.py ARGS...`, so
processes started one after the other decide at the same moment.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    """Wait at the barrier, then run the command."""
    barrier, args = Path(sys.argv[1]), sys.argv[2:]
    sys.path.insert(0, str(ROOT))
    import main as cli
    import runs.operations  # noqa: F401  (imported now, not after the barrier)

    Path(f"{barrier}.ready.{os.getpid()}").touch()
    while not barrier.exists():
        time.sleep(0.001)
    sys.argv = ["main.py", *args]
    cli.app()


if __name__ == "__main__":
    main()

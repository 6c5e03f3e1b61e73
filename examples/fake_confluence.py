"""A stand-in Confluence wiki on 127.0.0.1 for trying `review confluence:...` without one.

Run `python examples/fake_confluence.py` (optionally `--port N`); it prints the environment to
set, then serves the recorded REST responses in tests/fixtures/confluence (a page, 1001, with
two children) until Ctrl-C. Any token is accepted; a request without one gets Confluence's 401.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.wiki_server import wiki_server  # noqa: E402

RECORDED = ROOT / "tests" / "fixtures" / "confluence"


def main() -> int:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    server = wiki_server(RECORDED, parser.parse_args().port, quiet=False)
    port = server.server_address[1]
    print(f"export CONFLUENCE_URL=http://127.0.0.1:{port}/wiki CONFLUENCE_TOKEN=any-token")
    print("then: python main.py review confluence:ENG/1001 --with-children", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

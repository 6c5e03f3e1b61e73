"""A real `langgraph dev` server as an operator deploys this project: the shipped langgraph.json
(graph, checkpointer, auth), a users file, a documents root, the fake model behind real HTTP.

Users: `ana` and `cy` are approvers, `bo` has no role. The documents root holds `design.md`
and `link-out.md`, a symbolic link to a file outside the root whose text is SECRET.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from reliability.served_model import ServedModel

ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = shutil.which("langgraph")
SECRET = "OUTSIDE-THE-ROOT-7f3a"
TOKENS = {"ana": "ana-token-1b6c", "bo": "bo-token-9d2e", "cy": "cy-token-44f0"}
ROLES = {"ana": ["approver"], "bo": [], "cy": ["approver"]}


@dataclass(frozen=True)
class Served:
    """A running server: its URL, its workspace and documents root, and the model behind it."""

    url: str
    home: Path
    root: Path
    model: ServedModel

    def client(self, user: str | None = None, **headers: str) -> Any:
        """A langgraph_sdk client, with the user's bearer token when a user is named."""
        from langgraph_sdk import get_client

        if user is not None:
            headers = {"Authorization": f"Bearer {TOKENS[user]}", **headers}
        return get_client(url=self.url, headers=headers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _absolute(spec: str) -> str:
    return str(ROOT / spec.removeprefix("./"))


def _config(folder: Path) -> Path:
    """The shipped langgraph.json with its paths made absolute (the server runs elsewhere)."""
    shipped = json.loads((ROOT / "langgraph.json").read_text())
    config = {
        **shipped,
        "dependencies": [str(ROOT)],
        "graphs": {name: _absolute(spec) for name, spec in shipped["graphs"].items()},
        "checkpointer": {"path": _absolute(shipped["checkpointer"]["path"])},
        "auth": {**shipped["auth"], "path": _absolute(shipped["auth"]["path"])},
    }
    path = folder / "langgraph.json"
    path.write_text(json.dumps(config))
    return path


def _users(folder: Path) -> Path:
    lines = []
    for name, token in TOKENS.items():
        digest = hashlib.sha256(token.encode()).hexdigest()
        lines += [f"[users.{name}]", f'token_sha256 = "{digest}"', f"roles = {ROLES[name]!r}"]
    path = folder / "users.toml"
    path.write_text("\n".join(lines).replace("'", '"') + "\n")
    return path


def _documents(folder: Path) -> Path:
    root = folder / "documents"
    root.mkdir()
    shutil.copy(ROOT / "examples" / "strong-contract-search.md", root / "design.md")
    outside = folder / "elsewhere"
    outside.mkdir()
    (outside / "notes.md").write_text(f"# Notes\n\n{SECRET}\n")
    (root / "link-out.md").symlink_to(outside / "notes.md")
    return root


def _wait_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120  # a bound for a server that never comes up
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.25)


@contextmanager
def langgraph_dev(folder: Path) -> Iterator[Served]:
    """`langgraph dev` on a free loopback port in `folder`, stopped at the end."""
    assert LANGGRAPH is not None
    home, root, users = folder / "home", _documents(folder), _users(folder)
    with ServedModel() as model:
        port, log_path = _free_port(), folder / "server.log"
        env = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}", "GATEREVIEW_HOME": str(home),
               "XDG_CONFIG_HOME": str(folder / "user-config"),
               "GATEREVIEW_SERVER_USERS": str(users), "GATEREVIEW_DOCUMENTS_ROOT": str(root),
               "GATEREVIEW_MODEL": f"openai/{model.model}", "GATEREVIEW_API_BASE": model.api_base,
               "OPENAI_API_KEY": "sk-test"}  # fmt: skip
        for name in ("GATEREVIEW_TRACE_KEY", "GATEREVIEW_DATABASE_URL"):
            env.pop(name, None)
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [LANGGRAPH, "dev", "--config", str(_config(folder)), "--host", "127.0.0.1",
                 "--port", str(port), "--no-browser", "--no-reload"],
                cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_up(url, process, log_path)
                yield Served(url=url, home=home, root=root, model=model)
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=30)

"""Documents as they are in a commit of a git repository, never as the work tree has them.

Read with git's plumbing commands (`rev-parse`, `ls-tree`, `cat-file --batch`) in a
subprocess: git is present wherever a repository is, and these commands read committed
objects only, so uncommitted edits are never mixed in (they are counted in a note). Nothing
a repository configures runs: no hooks, no filters, no file-system monitor.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tools.ceilings import DEFAULT_SECONDS, size_text
from tools.documents import DEFAULT_MAX_BYTES, Document, Ingested, display_path, parse_document
from tools.formats import SUPPORTED, all_suffixes
from tools.origins import Origin
from vocabulary.errors import DocumentError

MAX_FILES = 2000  # a design-document folder; more is a whole repository's worth
# Settings a repository (or the user's own files) could use to run a program on our behalf.
_SAFE = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "protocol.allow=never",
)


@dataclass(frozen=True)
class _Entry:
    mode: str
    kind: str
    sha: str
    size: int
    path: str


def _git(repo: Path, args: list[str], timeout_s: float, stdin: bytes | None = None) -> bytes:
    """Run one git command in repo; its stdout, or a one-line error from its stderr."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *_SAFE, "-C", str(repo), *args], input=stdin, capture_output=True,
            timeout=timeout_s, env=env, check=False,
        )  # fmt: skip
    except FileNotFoundError:
        raise DocumentError("git is not installed (needed to read a repository at --rev)") from None
    except subprocess.TimeoutExpired:
        raise DocumentError(f"git took longer than {timeout_s:g} s reading {repo}") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DocumentError(lines[-1] if lines else f"git {args[0]} failed")
    return done.stdout


def resolve_commit(repo: Path, rev: str, timeout_s: float = DEFAULT_SECONDS) -> str:
    """The full commit id a revision names in repo; one-line errors otherwise."""
    shown = display_path(repo)
    if not repo.is_dir():
        raise DocumentError(f"{shown}: not a folder (give the repository's folder with --rev)")
    try:
        _git(repo, ["rev-parse", "--git-dir"], timeout_s)
    except DocumentError:
        raise DocumentError(f"{shown}: not a git repository") from None
    try:
        out = _git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                          f"{rev}^{{commit}}"], timeout_s)  # fmt: skip
    except DocumentError:
        raise DocumentError(f"{shown}: no commit {rev!r} in this repository") from None
    return out.decode().strip()


def _entries(repo: Path, commit: str, under: str | None, timeout_s: float) -> list[_Entry]:
    spec = ["--", under] if under else []
    raw = _git(repo, ["ls-tree", "-r", "-z", "--long", commit, *spec], timeout_s)
    entries = []
    for record in raw.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, sha, size = meta.decode().split()
        entries.append(
            _Entry(
                mode, kind, sha, int(size) if size.isdigit() else 0, path.decode("utf-8", "replace")
            )
        )
    return entries


def _blobs(repo: Path, shas: list[str], timeout_s: float) -> dict[str, bytes]:
    """The contents of blobs, read in one `cat-file --batch`."""
    out = _git(
        repo, ["cat-file", "--batch"], timeout_s, stdin="".join(f"{s}\n" for s in shas).encode()
    )
    found: dict[str, bytes] = {}
    at = 0
    for sha in shas:
        header_end = out.index(b"\n", at)
        _, _, size = out[at:header_end].decode().split()
        start = header_end + 1
        found[sha] = out[start : start + int(size)]
        at = start + int(size) + 1
    return found


def _dirty(repo: Path, under: str | None, timeout_s: float) -> int:
    """How many files under the path differ in the work tree (0 for a bare repository)."""
    spec = ["--", under] if under else []
    try:
        out = _git(repo, ["status", "--porcelain", "-z", "--untracked-files=no", *spec], timeout_s)
    except DocumentError:
        return 0
    return sum(1 for record in out.split(b"\0") if record.strip())


def _chosen(entries: list[_Entry], shown: str, notes: list[str]) -> list[_Entry]:
    """The committed files that are documents; notes for the rest."""
    chosen = []
    for entry in entries:
        name = f"{shown}/{entry.path}" if shown != "." else entry.path
        if any(part.startswith(".") for part in PurePosixPath(entry.path).parts):
            continue
        if entry.kind != "blob" or entry.mode == "120000":
            notes.append(f"skipped {name}: not a regular file in the commit")
        elif PurePosixPath(entry.path).suffix.lower() not in all_suffixes():
            notes.append(f"skipped {name}: unsupported type {PurePosixPath(entry.path).suffix}")
        else:
            chosen.append(entry)
    return chosen


def git_documents(
    repo: Path,
    rev: str,
    under: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_SECONDS,
) -> Ingested:
    """The documents under `under` (relative to repo) as committed at `rev`."""
    shown = display_path(repo)
    under = under.strip().rstrip("/") or None if under is not None else None
    commit = resolve_commit(repo, rev, timeout_s)
    notes: list[str] = []
    where = f"{shown}/{under}" if under else shown
    try:
        entries = _entries(repo, commit, under, timeout_s)
    except DocumentError as exc:
        raise DocumentError(f"{where}: cannot list commit {commit[:12]} ({exc})") from None
    chosen = _chosen(entries, shown, notes)
    if not chosen:
        raise DocumentError(
            f"{where}: no supported documents in commit {commit[:12]} ({SUPPORTED})"
        )
    if len(chosen) > MAX_FILES:
        raise DocumentError(
            f"{where}: {len(chosen)} documents in the commit, more than {MAX_FILES}"
        )
    for entry in chosen:
        if entry.size > max_bytes:
            limit = f"the limit is {size_text(max_bytes)}, raise it with --max-bytes"
            raise DocumentError(f"{entry.path}: too large ({size_text(entry.size)}; {limit})")
    blobs = _blobs(repo, [e.sha for e in chosen], timeout_s)
    origin = Origin(source="git", repository=shown, commit=commit, revision=rev)
    documents: list[Document] = []
    for entry in chosen:
        name = entry.path if shown == "." else f"{shown}/{entry.path}"
        documents.append(
            parse_document(blobs[entry.sha], name, PurePosixPath(entry.path).suffix.lower(),
                           max_bytes=max_bytes, timeout_s=timeout_s, origin=origin)
        )  # fmt: skip
        notes.extend(f"{name}: {note}" for note in documents[-1].notes)
    notes.insert(
        0, f"read {len(documents)} document(s) from {where} as in commit {commit[:12]} ({rev})"
    )
    if changed := _dirty(repo, under, timeout_s):
        notes.append(
            f"{where}: {changed} file(s) have uncommitted changes; they were not read "
            f"(the documents are as in commit {commit[:12]})"
        )
    return Ingested(documents=documents, notes=notes)

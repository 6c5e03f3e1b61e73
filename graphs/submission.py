"""What a client of a LangGraph server may send as a run's input: data, never configuration.

A submission holds documents (their text, or paths of files under the operator's documents
root) and a project name. Settings, rubrics, prior reviews, run ids and times come from the
operator's configuration and the thread; any other key is refused, naming it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError

from graphs.settings import Settings
from tools.documents import Document, Ingested, load_document
from tools.formats import MARKDOWN_SUFFIXES, all_suffixes
from vocabulary.errors import DocumentError, GateReviewError
from vocabulary.models import Strict

MAX_DOCUMENTS = 50
TEXT_SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt")
FileName = Annotated[str, StringConstraints(pattern=r"^[^/\\.\x00-\x1f][^/\\\x00-\x1f]{0,199}$")]


class SubmittedDocument(Strict):
    """A document sent as text: a plain file name (its suffix says Markdown or text)."""

    name: FileName = Field(description="e.g. design.md: no folders, not hidden")
    text: str = Field(description="The document's text")


class Submission(Strict):
    """A server run's input: documents as text or as paths under the documents root."""

    paths: list[str] = Field(
        default_factory=list,
        max_length=MAX_DOCUMENTS,
        description="Files under the server's documents root, relative to it",
    )
    documents: list[SubmittedDocument] = Field(default_factory=list, max_length=MAX_DOCUMENTS)
    project: str | None = Field(default=None, max_length=200, description="Links runs of a project")


def read_submission(raw: Any) -> Submission:
    """The submission, or one line naming what is not allowed in it."""
    if not isinstance(raw, dict):
        raise GateReviewError("a review's input is an object with paths or documents")
    try:
        submission = Submission.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        if first["type"] == "extra_forbidden":
            raise GateReviewError(
                f"input {where}: not accepted (a review's input is paths, documents and "
                "project; settings, rubrics, prior reviews and run ids are the operator's)"
            ) from None
        raise GateReviewError(f"input {where}: {first['msg']}") from None
    if not submission.paths and not submission.documents:
        raise GateReviewError("input: give paths or documents to review")
    return submission


def _under_root(given: str, root: Path | None) -> tuple[Path, str]:
    """The file a path names inside the documents root (followed links included)."""
    if root is None:
        raise DocumentError(
            f"{given}: this server reads no paths (no documents root: GATEREVIEW_DOCUMENTS_ROOT); "
            "send the documents' text instead"
        )
    shown = PurePosixPath(given.replace("\\", "/"))
    if shown.is_absolute() or ".." in shown.parts or not shown.parts:
        raise DocumentError(f"{given}: a path is relative to the documents root, without '..'")
    base = root.resolve()
    real = (base / shown).resolve()
    if not real.is_relative_to(base):
        raise DocumentError(f"{given}: leads outside the documents root (a symbolic link)")
    if not real.is_file():
        raise DocumentError(f"{given}: no such file under the documents root")
    if real.suffix.lower() not in all_suffixes():
        raise DocumentError(f"{given}: unsupported type {real.suffix}")
    return real, shown.as_posix()


def _from_text(item: SubmittedDocument, folder: Path, settings: Settings) -> Document:
    suffix = PurePosixPath(item.name).suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise DocumentError(f"{item.name}: a document sent as text is {', '.join(TEXT_SUFFIXES)}")
    file = folder / f"{len(list(folder.iterdir()))}{suffix}"
    file.write_text(item.text, encoding="utf-8")
    return load_document(
        file, item.name, max_bytes=settings.max_bytes, timeout_s=settings.document_timeout_s
    )


def submitted_documents(submission: Submission, settings: Settings) -> Ingested:
    """Load a submission's documents under the server's limits."""
    documents: list[Document] = []
    for given in submission.paths:
        real, shown = _under_root(given, settings.documents_root)
        documents.append(
            load_document(
                real, shown, max_bytes=settings.max_bytes, timeout_s=settings.document_timeout_s
            )
        )
    with tempfile.TemporaryDirectory(prefix="gatereview-") as folder:
        documents += [_from_text(d, Path(folder), settings) for d in submission.documents]
    names = [d.path for d in documents]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DocumentError(f"{twice[0]}: submitted more than once")
    notes = [f"{d.path}: {note}" for d in documents for note in d.notes]
    return Ingested(documents=documents, notes=notes)


OPERATOR_KEYS = (
    "run_id", "created_at", "settings", "rubrics", "since", "prior_reviews", "owner",
    "ingest_notes",
)  # fmt: skip


def submission_of(state: dict[str, Any]) -> Submission:
    """The submission in a server run's state; configuration found there is refused."""
    found = [k for k in OPERATOR_KEYS if state.get(k) is not None]
    if found:
        raise GateReviewError(
            f"input {found[0]}: not accepted (settings, rubrics, prior reviews and run ids are "
            "the operator's)"
        )
    return read_submission({k: state[k] for k in ("paths", "documents", "project") if k in state})

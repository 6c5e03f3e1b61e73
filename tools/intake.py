"""What `review` reads: files and folders, a folder of a git repository as in one commit, and
Confluence pages (`confluence:SPACE/PAGE_ID` or a page URL), each by the same format rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tools.ceilings import DEFAULT_SECONDS
from tools.documents import DEFAULT_MAX_BYTES, Document, Ingested, load_documents
from vocabulary.errors import DocumentError


class SourceOptions(BaseModel):
    """How to read the review's arguments beyond files: a commit, and a page tree."""

    model_config = ConfigDict(extra="forbid")

    rev: str | None = Field(default=None, description="Read the repository as in this commit")
    under: str | None = Field(default=None, description="Only this path of the repository")
    with_children: bool = Field(default=False, description="Confluence: the pages below too")


def load_sources(
    given: Sequence[str],
    options: SourceOptions | None = None,
    env: Mapping[str, str] | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_SECONDS,
) -> Ingested:
    """The documents the review's arguments name, in the order given."""
    from tools.confluence import confluence_documents, is_reference

    options = options or SourceOptions()
    limits = {"max_bytes": max_bytes, "timeout_s": timeout_s}
    if options.rev is not None:
        if len(given) != 1 or is_reference(given[0]):
            raise DocumentError("--rev reads one repository: give its folder alone")
        from tools.git_source import git_documents

        return git_documents(Path(given[0]), options.rev, options.under, **limits)
    if options.under is not None:
        raise DocumentError("--path chooses a folder of a repository read with --rev")
    pages = [g for g in given if is_reference(g)]
    if options.with_children and not pages:
        raise DocumentError("--with-children reads Confluence pages: name one, confluence:SPACE/ID")
    files = [g for g in given if not is_reference(g)]
    documents: list[Document] = []
    notes: list[str] = []
    if pages:
        found, said = confluence_documents(
            pages, env or {}, with_children=options.with_children, **limits
        )
        documents += found
        notes += said
    if files:
        ingested = load_documents(files, **limits)
        documents += ingested.documents
        notes += ingested.notes
    return Ingested(documents=documents, notes=notes)

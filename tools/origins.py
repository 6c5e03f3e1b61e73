"""Where a document came from when it is not a file in the work tree: a git commit, a wiki page."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Origin(BaseModel):
    """A document's source beyond its path: the commit it was read at, or the page it is."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["git", "confluence"]
    repository: str = Field(description="The repository folder, or the wiki's base URL")
    commit: str | None = Field(default=None, description="The commit id the file was read at")
    revision: str | None = Field(default=None, description="The revision as the user named it")
    page_id: str | None = None
    version: int | None = Field(default=None, description="The page's version number")
    url: str | None = Field(default=None, description="Where a person opens the page")
    title: str | None = None
    space: str | None = None

    @property
    def label(self) -> str:
        """One line naming the source: `commit 3ee52fc` or `page 123 version 7`."""
        if self.source == "git":
            return f"commit {(self.commit or '')[:12]}"
        return f"page {self.page_id} version {self.version}"

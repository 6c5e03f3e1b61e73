"""Document ingestion: Markdown, text, PDF and DOCX files become sections with line anchors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """A heading-delimited part of a document, anchored to its first and last line."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Document path as shown to the user")
    heading_path: list[str] = Field(
        default_factory=list, description="Headings above, outermost first"
    )
    line_start: int = Field(description="First line of the section (1-based, inclusive)")
    line_end: int = Field(description="Last line of the section (1-based, inclusive)")
    text: str

    @property
    def anchor(self) -> str:
        """A stable anchor: path, heading path and line range."""
        heading = " > ".join(self.heading_path) or "(top)"
        return f"{self.path}#{heading}:{self.line_start}-{self.line_end}"


class Document(BaseModel):
    """One ingested document: its text as lines, its sections and its content hash."""

    model_config = ConfigDict(extra="forbid")

    path: str
    kind: str = Field(description="markdown | text | pdf | docx")
    sha256: str
    lines: list[str]
    sections: list[Section]
    notes: list[str] = Field(default_factory=list)

    def line_text(self, start: int, end: int) -> str:
        """The text of lines start..end (1-based, inclusive)."""
        return "\n".join(self.lines[start - 1 : end])

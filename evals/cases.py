"""Eval cases: a folder of design documents, what a careful reviewer expects, and recordings.

`evals/cases/<case>/` holds the documents (any supported format, in the folder or below it),
`expected.json` (the `Expected` model below), `recording.jsonl` (see evals.recording) and,
optionally, `rubrics/` (rubric files that replace or extend the built-in ones for this case)
and `decisions.json` (the reviewers' decisions before the final one, replayed in order: a case
exported from a decided run, see evals.export). A case of Confluence pages holds `wiki.toml`
(`pages = ["confluence:SPACE/ID"]`, `with_children`) and, in `wiki/`, the recorded REST
responses that `evals.wiki_server` serves on 127.0.0.1 while the case is reviewed.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from agents.rubric import Rubric
from evals.recording import RECORDING_FILE
from evals.wiki_server import serving
from tools.intake import SourceOptions
from vocabulary.errors import GateReviewError
from vocabulary.models import Decision, Gate, GateStatus, Overall, Strict

CASES_DIR = Path(__file__).parent / "cases"
EXPECTED_FILE = "expected.json"
RUBRICS_FOLDER = "rubrics"  # optional: the case's own rubrics (agents.rubric_set)
DECISIONS_FILE = "decisions.json"  # optional: reviewers' decisions to replay (evals.export)
WIKI_FILE = "wiki.toml"  # optional: the Confluence pages the case reviews instead of files
WIKI_FOLDER = "wiki"  # ... and the recorded REST responses a loopback wiki serves them from
GIT_FILE = "git.toml"  # optional: the commit and path of `repo.bundle` the case reviews
GIT_BUNDLE = "repo.bundle"  # ... a git bundle of the repository (a .git folder cannot be kept)
CASE_FILES = frozenset(
    {EXPECTED_FILE, RECORDING_FILE, RUBRICS_FOLDER, DECISIONS_FILE, WIKI_FILE, WIKI_FOLDER,
     GIT_FILE, GIT_BUNDLE}
)  # fmt: skip
_DECISIONS = TypeAdapter(list[Decision])


class Expected(Strict):
    """What a careful human reviewer would conclude about a case's documents."""

    description: str = Field(description="What the case is and why it is in the suite")
    gates: dict[Gate, GateStatus] = Field(description="Expected status of each labelled gate")
    must_flag: list[str] = Field(
        default_factory=list, description="Criteria that must be found unmet (not met)"
    )
    must_not_flag: list[str] = Field(
        default_factory=list, description="Criteria that must not be reported unmet"
    )
    adversarial: bool = Field(default=False, description="The documents try to steer the review")
    expected_overall: Overall | None = Field(
        default=None, description="For adversarial cases: the verdict that must come out"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Expected:
        both = set(self.must_flag) & set(self.must_not_flag)
        if both:
            raise ValueError(f"criteria both flagged and not flagged: {sorted(both)}")
        if self.adversarial and self.expected_overall is None:
            raise ValueError("an adversarial case states its expected_overall")
        return self

    def unknown_criteria(self, rubrics: Mapping[str, Rubric]) -> list[str]:
        """Labelled criteria that no rubric defines (a deleted or renamed criterion)."""
        known = {c.id for rubric in rubrics.values() for c in rubric.criteria}
        return [c for c in [*self.must_flag, *self.must_not_flag] if c not in known]


class GitSource(Strict):
    """The commit and path a case reviews in its bundled repository (`git.toml`)."""

    rev: str = Field(description="A commit or tag of the bundle")
    path: str | None = Field(default=None, description="Only this folder of the repository")


class WikiPages(Strict):
    """The Confluence pages a case reviews (`wiki.toml`)."""

    pages: list[str] = Field(description="confluence:SPACE/ID references")
    with_children: bool = False


@dataclass(frozen=True)
class Case:
    """One eval case on disk."""

    name: str
    folder: Path
    expected: Expected

    @property
    def recording(self) -> Path:
        """The case's recording file (it may not exist yet)."""
        return self.folder / RECORDING_FILE

    @property
    def rubrics(self) -> Path | None:
        """The case's own rubric folder, if it has one."""
        folder = self.folder / RUBRICS_FOLDER
        return folder if folder.is_dir() else None

    def decisions(self) -> list[Decision]:
        """The reviewers' decisions the case replays before its automatic approval, in order."""
        path = self.folder / DECISIONS_FILE
        if not path.is_file():
            return []
        try:
            return _DECISIONS.validate_json(path.read_bytes())
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(root)"
            raise GateReviewError(f"{path}: {where}: {first['msg']}") from None

    @contextmanager
    def sources(self) -> Iterator[tuple[list[str], SourceOptions | None, dict[str, str] | None]]:
        """What `review` is given for the case: its files; or its wiki pages, with a loopback
        wiki serving the recorded responses for the block and the variables pointing at it."""
        if (self.folder / GIT_FILE).is_file():
            yield from self._git_sources()
            return
        path = self.folder / WIKI_FILE
        if not path.is_file():
            yield self.documents(), None, None
            return
        try:
            wiki = WikiPages.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise GateReviewError(f"{path}: {str(exc).splitlines()[0]}") from None
        with serving(self.folder / WIKI_FOLDER) as base:
            environ = {"CONFLUENCE_URL": base, "CONFLUENCE_TOKEN": "eval-case"}
            yield wiki.pages, SourceOptions(with_children=wiki.with_children), environ

    def _git_sources(self) -> Iterator[tuple[list[str], SourceOptions, None]]:
        """The bundled repository cloned into a folder named after the case (so documents are
        named the same on every run), read at the case's commit."""
        path = self.folder / GIT_FILE
        try:
            source = GitSource.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise GateReviewError(f"{path}: {str(exc).splitlines()[0]}") from None
        with tempfile.TemporaryDirectory() as scratch:
            repo = Path(scratch) / self.name
            done = subprocess.run(
                ["git", "clone", "--quiet", str(self.folder / GIT_BUNDLE), str(repo)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise GateReviewError(f"{self.folder / GIT_BUNDLE}: {done.stderr.strip()}")
            with contextlib.chdir(scratch):
                yield [self.name], SourceOptions(rev=source.rev, under=source.path), None

    def documents(self) -> list[str]:
        """The case's document paths relative to its folder, sorted; folders are kept whole."""
        entries = sorted(p for p in self.folder.iterdir() if not p.name.startswith("."))
        return [p.name for p in entries if p.name not in CASE_FILES]


def load_case(folder: Path) -> Case:
    """Read one case folder; a malformed expected.json is a one-line error."""
    path = folder / EXPECTED_FILE
    try:
        expected = Expected.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GateReviewError(f"{folder}: not an eval case (no {EXPECTED_FILE})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise GateReviewError(f"{path}: {where}: {first['msg']}") from None
    return Case(name=folder.name, folder=folder.resolve(), expected=expected)


def load_suite(suite: Path | None = None) -> list[Case]:
    """The cases of a suite folder (or the one case a case folder is), sorted by name."""
    folder = (suite or CASES_DIR).resolve()  # cases are reviewed from inside their folder
    if not folder.is_dir():
        raise GateReviewError(f"{folder}: no such suite folder")
    if (folder / EXPECTED_FILE).is_file():
        return [load_case(folder)]
    cases = [load_case(p) for p in sorted(folder.iterdir()) if (p / EXPECTED_FILE).is_file()]
    if not cases:
        raise GateReviewError(f"{folder}: no eval cases (folders with {EXPECTED_FILE})")
    return cases

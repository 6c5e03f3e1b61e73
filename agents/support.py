"""Whether a model's verified quotes support its finding, and whether the offline screen
disputes it.

A quote that exists in the documents is not yet evidence for the finding it is attached to.
For a `met` or `partial` finding, each quote must be:

- a statement: at least MIN_CONTENT_WORDS content words, not a heading or a fragment;
- committed: not a placeholder, a question, an example or template row, a definition, advice,
  a wish or a rejected option, and not a deferral (read by `screen.markers`, with the
  headings above it); not a pointer to an annex that was not supplied;
- not a denial: the criterion's subject is not negated in it ("no owner", "not logged");
- about the criterion: it holds the criterion's terms (with its heading and lead-in), or it
  lies in one of the sections retrieved for it; a quote the review gives for several
  criteria must hold each one's terms in its own text (one sentence counts for several
  criteria only when it addresses each).

A finding none of whose quotes passes is unsupported and does not count toward the verdict (a
`contradicted` one is not judged: dropping it would raise a gate). A `met` needs one of the
criterion's own specifics, a figure or a name in a passing quote; without one it is `partial`.
A `mentioned` finding whose every quote commits to nothing is shown as `missing`: such text
does not touch the design, so it cannot make a gate thin rather than silent.

Then a second opinion: when the model says `met` and the screen finds nothing on the
criterion but placeholders, uncommitted or deferred text, the finding is `disputed`; a
disputed finding does not lift its gate until a person amends it.
"""

from __future__ import annotations

import re

from agents.offline import points_elsewhere, screen_of
from agents.rubric import Criterion, Rubric
from screen.markers import is_placeholder, values
from screen.screening import Screen
from tools.retrieval import Passage, SectionIndex, find_phrase, phrases, tokenize
from vocabulary.models import Evidence, Finding, GateReview

MIN_CONTENT_WORDS = 4
DENIAL_WINDOW = 3  # tokens before a criterion term that can negate it
_NEGATION = frozenset({"no", "not", "never", "without", "none", "nobody", "neither", "nor"})
# Words that name a role or a group of people (stemmed as tools.retrieval stems them).
_ROLE_WORDS = frozenset(
    tokenize(
        "team teams lead leads manager managers officer officers owner head steward stewards "
        "director directors analyst analysts architect architects board committee office unit "
        "department group squad champion champions engineer engineers specialist coordinator "
        "council panel desk service controller chief counsel"
    )
)
_PROPER_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")
_FIGURE_OR_NAME = re.compile(r"\d|`[^`]+`|(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+[A-Z]?\w*\b")


def _passages_at(index: SectionIndex, evidence: Evidence) -> list[Passage]:
    """The sentences a verified quote overlaps (split once per review, by the index)."""
    first, last = evidence.line_start or 0, evidence.line_end or evidence.line_start or 0
    return [
        passage
        for section in index.sections
        if section.path == evidence.path
        and section.line_start <= last
        and first <= section.line_end
        for passage in index.passages(section)
        if passage.line_start <= last and first <= passage.line_end
    ]


def _denies(passage: Passage, terms: list[str]) -> bool:
    """Whether a criterion term in the passage comes right after a negation."""
    tokens = tuple(tokenize(passage.text))  # stopwords kept: "no" and "not" are stopwords
    for phrase in phrases(terms):
        found = find_phrase(phrase, tokens, 1)
        if found and _NEGATION & set(tokens[max(0, found[0] - DENIAL_WINDOW) : found[0]]):
            return True
    return False


def names_someone(passage: Passage, terms: list[str]) -> bool:
    """Whether the passage names a person, role or team where the criterion asks for one: in a
    table row, in the cell under a header that names the criterion (an "Owner" column)."""
    cells = [c.strip() for c in passage.text.strip().strip("|").split("|")]
    header = [c.strip() for c in passage.lead_in.strip().strip("|").split("|")]
    wanted = {t for phrase in phrases(terms) for t in phrase}
    if len(cells) > 1 and len(header) == len(cells):
        columns = [
            i for i, h in enumerate(header) if set(tokenize(h, keep_stopwords=False)) & wanted
        ]
        if columns:
            return any(_is_someone(cells[i]) for i in columns)
    return any(_is_someone(value) for value in values(passage.text)) or (
        not is_placeholder(passage.text) and _is_someone(passage.text)
    )


def _is_someone(text: str) -> bool:
    """A role or team word, or a capitalised name that is not a stand-in."""
    if is_placeholder(text):
        return False
    if set(tokenize(text)) & _ROLE_WORDS:
        return True
    return _PROPER_NAME.search(text) is not None


def _problem(
    evidence: Evidence,
    passages: list[Passage],
    criterion: Criterion,
    screen: Screen,
    supplied: str,
    in_retrieved: bool,
    shared: bool = False,
) -> str | None:
    """Why this quote is not evidence for the criterion, or None when it is (`shared`: the
    same quote stands for other criteria too, so it must name this one in its own words)."""
    where = evidence.location
    if len(tokenize(evidence.quote, keep_stopwords=False)) < MIN_CONTENT_WORDS or not passages:
        return f"{where}: a heading or a fragment, not a statement"
    marks = [screen.marks_of(p) for p in passages]
    if all(m.hollow for m in marks):
        return f"{where}: commits to nothing ({marks[0].word})"
    if all(m.deferral for m in marks):
        return f"{where}: defers it"
    if all(points_elsewhere(p, supplied) for p in passages):
        return f"{where}: points to material that was not supplied"
    if all(_denies(p, criterion.terms) for p in passages):
        return f"{where}: says it is not there"
    own_words = any(screen.weight_of(p, criterion.terms) for p in passages)
    if shared and not own_words:
        return f"{where}: quoted for other criteria too, and not about this one in its own words"
    about = own_words or any(
        set(tokenize(" ".join((*p.heading, p.lead_in)), keep_stopwords=False))
        & {t for ph in phrases(criterion.terms) for t in ph}
        for p in passages
    )
    if not (about or in_retrieved):
        return f"{where}: not about {criterion.title.lower()}"
    if criterion.names_someone and not any(names_someone(p, criterion.terms) for p in passages):
        return f"{where}: names no person, role or team"
    return None


def _shows_specific(passages: list[Passage], criterion: Criterion) -> bool:
    """Whether a quoted passage shows one of the criterion's specifics, a figure or a name."""
    wanted = phrases(criterion.specifics)
    for passage in passages:
        tokens = (*passage.tokens, *passage.context)
        if any(find_phrase(p, tokens, 1) for p in wanted):
            return True
        if _FIGURE_OR_NAME.search(passage.text):
            return True
    return False


def check_support(
    finding: Finding,
    criterion: Criterion,
    index: SectionIndex,
    retrieved: frozenset[str],
    supplied: str = "",
    shared: frozenset[str] = frozenset(),
) -> Finding:
    """The finding with its support judged (see the module docstring; `shared`: quotes the
    same review also gives for other criteria)."""
    quotes = [e for e in finding.document_evidence if e.verified]
    # Only statuses that lift a gate are judged: dropping a contradiction would raise one.
    if finding.status not in ("met", "partial", "mentioned") or not quotes:
        return finding
    screen = screen_of(index)
    quoted = [(e, _passages_at(index, e)) for e in quotes]
    if finding.status == "mentioned":
        if all(ps and all(screen.marks_of(p).hollow for p in ps) for _, ps in quoted):
            note = "its quotes commit to nothing (questions, examples, definitions or advice)"
            return finding.model_copy(update={"status": "missing", "support_note": note})
        return finding
    problems: list[str] = []
    passing: list[Passage] = []
    for evidence, passages in quoted:
        in_retrieved = f"{evidence.path}:{evidence.line_start}" in retrieved
        problem = _problem(
            evidence,
            passages,
            criterion,
            screen,
            supplied,
            in_retrieved,
            " ".join(evidence.quote.split()) in shared,
        )
        if problem:
            problems.append(problem)
        else:
            passing.extend(p for p in passages if screen.marks_of(p).committed)
    if len(problems) == len(quotes):
        return finding.model_copy(update={"unsupported": "; ".join(problems)})
    if finding.status == "met" and not _shows_specific(passing, criterion):
        note = "met needs a specific in the quoted text; shown as partial"
        return finding.model_copy(update={"status": "partial", "support_note": note})
    return finding


def retrieved_lines(criterion: Criterion, index: SectionIndex, k: int) -> frozenset[str]:
    """`path:line` of every line in the sections the criterion retrieves."""
    hits = index.search(list(criterion.terms), k=k)
    return frozenset(
        f"{hit.section.path}:{line}"
        for hit in hits
        for line in range(hit.section.line_start, hit.section.line_end + 1)
    )


def mark_disputes(review: GateReview, offline: GateReview, rubric: Rubric) -> GateReview:
    """The model's review with each `met` the screen finds no basis for marked disputed."""
    theirs = {f.criterion: f for f in offline.findings}
    known = {c.id for c in rubric.criteria}
    marked = []
    for finding in review.findings:
        other = theirs.get(finding.criterion)
        if other is None or finding.criterion not in known or finding.status != "met":
            marked.append(finding)
            continue
        if other.status != "missing":
            marked.append(finding)
            continue
        view = (
            "the offline screen found only text that commits to nothing or defers it"
            if other.document_evidence
            else "the offline screen found no passage about it"
        )
        dispute = f"model: met; {view}. A person decides (amend)."
        marked.append(finding.model_copy(update={"disputed": dispute}))
    return review.model_copy(update={"findings": marked})

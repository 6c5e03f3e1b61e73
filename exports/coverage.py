"""Framework coverage: a run's findings per clause of NIST AI RMF, ISO 42001 and the EU AI Act."""

from __future__ import annotations

from pydantic import Field

from agents.coordinator import counts_toward_verdict
from agents.frameworks import FRAMEWORKS, Framework, framework_name, known_clauses
from agents.rubric_set import RubricSet
from vocabulary.models import ADDRESSED, Finding, FindingStatus, Strict


class ClauseFinding(Strict):
    """A finding on a criterion that evidences the clause."""

    id: str
    status: FindingStatus
    evidenced: bool = Field(description="It counts toward the verdict and is met or partial")


class ClauseCoverage(Strict):
    """One clause: the findings that bear on it, and whether any of them evidences it."""

    clause: str
    findings: list[ClauseFinding]
    evidenced: bool

    @property
    def unevidenced(self) -> list[str]:
        """The findings mapped to this clause that give it no evidence, as `id (status)`."""
        return [f"{f.id} ({f.status})" for f in self.findings if not f.evidenced]


class FrameworkCoverage(Strict):
    """A framework's clauses that the rubric set maps to, and the ones it does not."""

    framework: Framework
    name: str
    clauses: list[ClauseCoverage]
    unmapped: list[str] = Field(description="Clauses no criterion of the rubric set maps to")


def evidences(finding: Finding) -> bool:
    """True when a finding is evidence for its clauses: counted and met or partly met."""
    return counts_toward_verdict(finding) and finding.status in ADDRESSED


def framework_coverage(findings: list[Finding], rubrics: RubricSet) -> list[FrameworkCoverage]:
    """Per framework, per clause (in the standard's order), the findings that bear on it."""
    by_criterion = {f.criterion: f for f in findings}
    criteria = [c for r in rubrics.rubrics.values() for c in r.criteria]
    coverage = []
    for framework in FRAMEWORKS:
        # Each clause's findings in the rubric set's order of criteria (one pass over them).
        by_clause: dict[str, list[ClauseFinding]] = {}
        for c in criteria:
            f = by_criterion.get(c.id)
            if f is None:
                continue
            for clause in dict.fromkeys(c.frameworks.clauses(framework)):
                by_clause.setdefault(clause, []).append(
                    ClauseFinding(id=f.id, status=f.status, evidenced=evidences(f))
                )
        clauses = []
        for clause in known_clauses(framework):
            bearing = by_clause.get(clause, [])
            if bearing:
                evidenced = any(b.evidenced for b in bearing)
                clauses.append(ClauseCoverage(clause=clause, findings=bearing, evidenced=evidenced))
        mapped = {c.clause for c in clauses}
        coverage.append(
            FrameworkCoverage(
                framework=framework,
                name=framework_name(framework),
                clauses=clauses,
                unmapped=[c for c in known_clauses(framework) if c not in mapped],
            )
        )
    return coverage

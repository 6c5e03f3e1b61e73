"""A folder of rubrics of one's own replaces or extends the built-in ones; bad files say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.rubric_set import builtin_rubric_set, load_rubric_set
from vocabulary.errors import RubricError
from vocabulary.models import GATES

ROOT = Path(__file__).resolve().parents[2]
SECURITY = ROOT / "examples" / "rubrics" / "security.toml"


def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "rubrics"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


def test_without_a_folder_the_set_is_the_five_built_in_gates() -> None:
    rubrics = load_rubric_set(None)
    assert rubrics.gates == GATES
    assert rubrics.source == "built-in"
    assert rubrics.digest == builtin_rubric_set().digest and len(rubrics.digest) == 16


def test_an_extension_rewords_regrades_adds_and_drops_criteria(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        data="""
drop = ["data.freshness"]
[[criteria]]
id = "data.owners"
severity = "minor"
question = "Which team owns each source?"
[[criteria]]
id = "data.deletion"
title = "Deletion on request"
question = "How is a record deleted from every store when its owner asks?"
good_evidence = "A deletion path across source, index and logs, with a deadline."
red_flags = ["cannot be deleted"]
severity = "major"
terms = ["deletion", "erasure"]
""",
    )
    rubrics = load_rubric_set(folder)
    data = rubrics.rubrics["data"]
    builtin = builtin_rubric_set().rubrics["data"]
    ids = [c.id for c in data.criteria]
    assert "data.freshness" not in ids and ids[-1] == "data.deletion"
    assert len(ids) == len(builtin.criteria)  # one dropped, one added
    owners = data.criterion("data.owners")
    assert owners.severity == "minor" and owners.question == "Which team owns each source?"
    assert owners.terms == builtin.criterion("data.owners").terms  # keys not given are kept
    assert rubrics.rubrics["risk"] == builtin_rubric_set().rubrics["risk"]
    assert rubrics.digest != builtin_rubric_set().digest
    assert rubrics.source == str(folder)


def test_a_file_for_a_new_gate_adds_a_sixth_gate(tmp_path: Path) -> None:
    folder = _folder(tmp_path, security=SECURITY.read_text(encoding="utf-8"))
    rubrics = load_rubric_set(folder)
    assert rubrics.gates == (*GATES, "security")
    assert rubrics.rubrics["security"].criterion("security.secrets").severity == "blocker"


def test_replace_swaps_a_built_in_rubric_whole(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        change="""
replace = true
title = "Change"
question = "Is there a rollout plan?"
[[criteria]]
id = "change.rollout"
title = "Rollout"
question = "How is it rolled out?"
good_evidence = "A phased rollout."
red_flags = ["big bang"]
severity = "blocker"
terms = ["rollout"]
""",
    )
    assert [c.id for c in load_rubric_set(folder).rubrics["change"].criteria] == ["change.rollout"]


NEW = """
title = "T"
question = "Q"
[[criteria]]
id = "ops.one"
title = "One"
question = "Q?"
good_evidence = "E"
red_flags = ["r"]
severity = "blocker"
terms = ["t"]
"""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"data": '[[criteria]]\nid = "data.owners"\nseverity = "critical"\n'},
            "data.toml: criterion data.owners: severity: Input should be 'blocker', 'major' or "
            "'minor'",
            id="bad-severity",
        ),
        pytest.param(
            {"data": '[[criteria]]\nid = "data.new"\ntitle = "New"\n'},
            "data.toml: criterion data.new: question: Field required",
            id="new-criterion-incomplete",
        ),
        pytest.param(
            {"data": '[[criteria]]\nid = "risk.x"\n'},
            "data.toml: criterion risk.x: id must start with 'data.'",
            id="wrong-gate-prefix",
        ),
        pytest.param(
            {"data": 'drop = ["data.nothing"]\n'},
            "data.toml: criterion data.nothing: dropped but not in the data rubric",
            id="drop-unknown",
        ),
        pytest.param(
            {"data": 'tittle = "typo"\n'}, "data.toml: unknown key 'tittle'", id="unknown-key"
        ),
        pytest.param({"ops": "title = \n"}, "ops.toml: not valid TOML", id="not-toml"),
        pytest.param(
            {"ops": NEW.replace('"blocker"', '"major"')},
            "ops.toml: gate ops has no blocker criterion",
            id="no-blocker",
        ),
        pytest.param(
            {"ops": NEW.replace('question = "Q"\n', "")},
            "ops.toml: question: Field required",
            id="new-gate-without-question",
        ),
        pytest.param(
            {"ops": NEW, "ops2": NEW.replace('"ops.one"', '"ops2.one"').replace(
                'terms = ["t"]', 'terms = ["t"]\nspecifics = "not a list"')},
            "ops2.toml: criterion ops2.one: specifics: Input should be a valid list",
            id="wrong-type",
        ),
        pytest.param({"Bad-Name": NEW}, "Bad-Name.toml: gate name must match", id="bad-name"),
    ],
)
def test_a_bad_rubric_file_is_one_line_naming_file_criterion_and_problem(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    folder = _folder(tmp_path, **files)
    with pytest.raises(RubricError) as caught:
        load_rubric_set(folder)
    message = str(caught.value)
    assert "\n" not in message
    assert expected in message


def test_a_missing_or_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="no such rubric folder"):
        load_rubric_set(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RubricError, match="no rubric files"):
        load_rubric_set(tmp_path / "empty")


WHOLE_GATE = """
title = "T"
question = "Q?"
[[criteria]]
id = "{gate}.core"
title = "Core"
question = "Is it there?"
good_evidence = "It is."
red_flags = ["it is not"]
severity = "blocker"
terms = ["core"]
"""


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 5000 + "]" * 5000,
        "x = " + "{y = " * 3000 + "1" + "}" * 3000,
        "[" + ".".join(["t"] * 4000) + "]\nk = 1",
    ],
    ids=["arrays", "inline-tables", "dotted-table-header"],
)
def test_a_rubric_nested_thousands_deep_is_one_line(tmp_path: Path, text: str) -> None:
    with pytest.raises(RubricError) as caught:
        load_rubric_set(_folder(tmp_path, deep=text))
    assert "deep" in str(caught.value) or "not valid TOML" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "name", ["coordinator", "finalise", "ingest", "human_review", "reviews", "verdict"]
)
def test_a_gate_named_like_the_graph_own_nodes_or_state_is_refused(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(RubricError, match=f"{name} cannot be a gate"):
        load_rubric_set(_folder(tmp_path, **{name: WHOLE_GATE.format(gate=name)}))


def test_reserved_gate_names_cover_every_node_and_state_key_of_the_graph() -> None:
    from agents.rubric_set import RESERVED_GATES
    from graphs.review import build_graph
    from graphs.state import ReviewInput, ReviewState

    graph = build_graph()
    used = {n for n in graph.nodes if n not in GATES} | set(ReviewState.__annotations__)
    used |= set(ReviewInput.__annotations__)
    missing = sorted(used - RESERVED_GATES)
    assert not missing, f"add {missing} to RESERVED_GATES in agents/rubric_set.py"


@pytest.mark.parametrize("criterion", ["risk.reviewer_instructions", "risk.hidden_text"])
@pytest.mark.parametrize("replace", [False, True], ids=["extension", "replacement"])
def test_a_rubric_cannot_define_what_the_review_reports_itself(
    tmp_path: Path, criterion: str, replace: bool
) -> None:
    text = WHOLE_GATE.format(gate="risk") + f"""
[[criteria]]
id = "{criterion}"
title = "Nothing to see"
question = "Is all well?"
good_evidence = "Yes."
red_flags = []
severity = "info"
terms = ["instructions"]
"""
    text = ("replace = true\n" if replace else "") + text
    with pytest.raises(RubricError, match=f"{criterion}: reserved"):
        load_rubric_set(_folder(tmp_path, risk=text))


def test_the_reserved_criteria_are_the_ones_the_review_reports() -> None:
    from agents.hostile import CRITERION, HIDDEN_CRITERION
    from agents.rubric_set import RESERVED_CRITERIA

    assert {CRITERION, HIDDEN_CRITERION} == RESERVED_CRITERIA

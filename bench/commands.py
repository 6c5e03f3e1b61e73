"""The command line as a user waits for it: `--help`, `runs` and `show` in a workspace of 200
runs, and a whole model-backed review process against a model that answers at once."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from model_server import ModelProcess
from processes import Run, median_run

from graphs.settings import Settings
from runs.operations import start_review

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "examples" / "demo-grade-poc.md"
REVIEWED = ROOT / "examples" / "middling-claims-triage.md"


def fill_workspace(home: Path, runs: int = 200) -> str:
    """A workspace holding `runs` offline reviews of a small document; the newest run's id."""

    async def reviews() -> str:
        settings = Settings(home=home)
        run_id = ""
        for _ in range(runs):
            run_id = (await start_review([str(SMALL)], settings)).run_id
        return run_id

    return asyncio.run(reviews())


def read_commands(home: Path, run_id: str, repeats: int = 3) -> dict[str, Run]:
    """`--help`, `runs` and `show RUN`, each the median of `repeats` processes."""
    return {
        "--help": median_run("--help", repeats=repeats),
        "runs": median_run("runs", "--home", str(home), repeats=repeats),
        "show": median_run("show", run_id, "--home", str(home), repeats=repeats),
    }


def model_review_process(home: Path, repeats: int = 3) -> Run:
    """A whole `python main.py review` process with a model that answers at once."""
    env = {"OPENAI_API_KEY": os.environ.get("OPENAI_API_KEY", "bench")}
    with ModelProcess(0.0) as model:
        args = ("review", str(REVIEWED), *model.flags, "--home", str(home), "--json")
        median_run(*args, repeats=1, env=env)  # warm-up: fills the model's answer cache
        return median_run(*args, repeats=repeats, env=env)

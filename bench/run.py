"""Every speed, cost and memory figure of gatereview beside its goal, measured in one run.

Run from the repository root: `python bench/run.py [--quick] [--json FILE] [--profiles DIR]`.
Figures that compare two things (a review and its model's critical path, the tokens sent and
the naive whole-document prompts, two concurrency limits, 200k words and 50k) are measured side
by side in the same run, so a busy machine moves both. The method and the latest figures are in
BENCHMARKS.md; `--profiles DIR` writes a pyinstrument profile of each process whose figure
misses its goal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import bounds  # noqa: E402
import commands  # noqa: E402
import corpus  # noqa: E402
import fanout  # noqa: E402
import formats  # noqa: E402
import offline  # noqa: E402
import tokens  # noqa: E402
from model_server import ModelProcess  # noqa: E402
from processes import run_main  # noqa: E402

RAIL = ROOT / "evals" / "cases" / "very-long-rail-planning" / "design.md"
SMALL_MODELS = ("openai/gpt-4.1-mini", "openai/gpt-4o-mini")


@dataclass
class Figure:
    """One measured figure, its goal and whether it meets it (None: no goal, shown for context)."""

    section: str
    name: str
    value: float
    shown: str
    goal: str = ""
    met: bool | None = None


class Report:
    """The figures of a run, printed as they come."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []

    def add(
        self,
        section: str,
        name: str,
        value: float,
        shown: str,
        goal: str = "",
        met: bool | None = None,
    ) -> None:
        """Record a figure and print its line."""
        figure = Figure(section, name, value, shown, goal, met)
        self.figures.append(figure)
        verdict = {True: "met", False: "MISSED", None: ""}[met]
        print(f"  {name:<58} {shown:>16}   {goal:<22} {verdict}", flush=True)

    def seconds(self, section: str, name: str, value: float, limit: float | None = None) -> None:
        """A duration, against a goal of under `limit` seconds when there is one."""
        shown = f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
        goal = (
            ""
            if limit is None
            else (f"< {limit * 1000:.0f} ms" if limit < 0.3 else f"< {limit:g} s")
        )
        self.add(section, name, value, shown, goal, None if limit is None else value < limit)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def fan_out(report: Report, repeats: int) -> None:
    """Review wall against the model's critical path, two concurrency limits, overhead."""
    print("Fan-out: in-process review of examples/middling-claims-triage.md, warm", flush=True)
    for delay in (0.1, 0.5):
        f = fanout.measure(delay, repeats=repeats)
        ratio = f.wall_s / f.critical_path_s
        report.add(
            "fan-out",
            f"review wall / critical path ({delay:g} s x {f.chain} calls; CPU {f.cpu_s:.2f} s)",
            ratio,
            f"{f.wall_s:.2f}/{f.critical_path_s:.2f} = {ratio:.2f}x",
            "<= 1.15x",
            ratio <= 1.15,
        )
    for concurrency in (4, None):
        f = fanout.measure(0.5, concurrency, repeats=repeats)
        label = "default " + str(f.concurrency) if concurrency is None else str(concurrency)
        report.add(
            "fan-out",
            f"gate phase / one call, max-concurrency {label}",
            f.gate_phase_s / 0.5,
            f"{f.gate_phase_s / 0.5:.2f}x",
            "<= 1.15x" if concurrency is None else "",
            f.gate_phase_s / 0.5 <= 1.15 if concurrency is None else None,
        )
        report.add(
            "fan-out",
            f"  slowest recorded latency / delay (longest queue wait {f.largest_wait_s:.2f} s)",
            f.slowest_latency_s / 0.5,
            f"{f.slowest_latency_s / 0.5:.2f}x",
            "<= 1.15x (wait apart)",
            f.slowest_latency_s / 0.5 <= 1.15,
        )
    f = fanout.measure(0.0, repeats=repeats)
    label = f"orchestration overhead, zero-latency model (CPU {f.cpu_s * 1000:.0f} ms)"
    report.seconds("fan-out", label, f.wall_s, 0.1)


def token_figures(report: Report, folder: Path) -> None:
    """Input tokens against naive prompts, and what the selection keeps, at three sizes."""
    print(
        "Tokens: estimated prompt tokens sent / naive (whole documents to every gate)", flush=True
    )
    for label, make in (
        ("one long document", corpus.write_long_document),
        ("folder of short ones", corpus.write_folder),
    ):
        ratios = []
        for words in (2_000, 10_000, 50_000):
            target = make(words, folder / f"{label[:3]}-{words}")
            paths = sorted(target.iterdir()) if target.is_dir() else [target]
            t = tokens.measure(paths)
            ratios.append(t.ratio)
            goal = "<= 0.35" if words == 10_000 and label.startswith("one") else ""
            report.add(
                "tokens",
                f"{label}, {t.words:,} words (quotes kept {t.quotes_kept}/{t.quotes}, "
                f"same status {t.same_status}/{t.criteria})",
                t.ratio,
                f"{t.sent:,}/{t.naive:,} = {t.ratio:.2f}",
                goal,
                t.ratio <= 0.35 if goal else None,
            )
        falling = ratios[0] >= ratios[1] >= ratios[2]
        report.add(
            "tokens",
            f"  {label}: ratio falls with size",
            float(falling),
            str(falling),
            "falling",
            falling,
        )
    t = tokens.measure([RAIL])
    report.add(
        "tokens",
        f"eval case very-long-rail-planning, {t.words:,} words "
        f"(quotes kept {t.quotes_kept}/{t.quotes})",
        t.ratio,
        f"{t.sent:,}/{t.naive:,} = {t.ratio:.2f}",
        "<= 0.35",
        t.ratio <= 0.35,
    )


def costs(report: Report, folder: Path) -> None:
    """Price of a 10k-word review at small hosted models' list prices."""
    print("Cost: a 10k-word review's calls (bench model), priced from litellm's map", flush=True)
    os.environ.setdefault("OPENAI_API_KEY", "bench")
    document = corpus.write_long_document(10_000, folder / "cost")
    with ModelProcess(0.0) as model:
        for path in (document, RAIL):
            home = folder / f"cost-home-{path.stem}"
            view, _ = asyncio.run(fanout.review_once(model.api_base, home, 8, path))
            for name in SMALL_MODELS:
                cost = tokens.review_cost(home / "traces" / f"{view.run_id}.jsonl", name)
                report.add(
                    "cost",
                    f"{path.name} at {name} ({cost.input_tokens:,} in, {cost.output_tokens:,} out)",
                    cost.usd,
                    f"${cost.usd:.4f}",
                    "< $0.02",
                    cost.usd < 0.02,
                )


def offline_figures(report: Report, folder: Path, repeats: int) -> None:
    """Offline review processes at 10k/50k/200k words, and the steps per 10k words."""
    print(
        "Offline: `python main.py review DOC --json` (built-in reviewer), whole process", flush=True
    )
    documents = {
        w: corpus.write_long_document(w, folder / "offline") for w in (10_000, 50_000, 200_000)
    }
    offline.steps(documents[10_000])  # warm-up: imports, rubrics, compiled patterns
    runs = {}
    for words, path in documents.items():
        run = runs[words] = offline.review_process(path, repeats)
        label = f"{words // 1000}k words: wall (CPU {run.cpu_s:.2f} s, peak {run.peak_mib:.0f} MiB)"
        report.seconds("offline", label, run.wall_s, 2.0 if words == 50_000 else None)
    ratio = runs[200_000].wall_s / runs[50_000].wall_s
    report.add("offline", "200k / 50k words, wall", ratio, f"{ratio:.2f}x", "<= 4.5x", ratio <= 4.5)
    for words, path in documents.items():
        steps = offline.steps(path)
        shown = "  ".join(f"{s} {steps.per_10k(s):.3f}" for s in offline.STEPS)
        report.add(
            "offline",
            f"  CPU s per 10k words at {words // 1000}k: {shown}",
            sum(steps.seconds.values()),
            "",
            "",
            None,
        )


def format_figures(report: Report, repeats: int) -> None:
    """Reading 10k words in each format and from each source (git, Confluence over loopback)."""
    print("Formats: reading 10k words the way `review` does, in process, per format", flush=True)
    for name, seconds in formats.seconds_per_10k_words(repeats).items():
        report.seconds("formats", f"{name}: s per 10k words", seconds, formats.GOAL_S)


def command_line(report: Report, folder: Path, repeats: int) -> None:
    """`--help`, `runs`, `show` with 200 runs, and a whole model-backed review process."""
    print("Command line: each a fresh `python main.py` process", flush=True)
    home = folder / "cli-home"
    run_id = commands.fill_workspace(home)
    for name, run in commands.read_commands(home, run_id, repeats).items():
        goal = 0.3 if name == "--help" else 0.5
        where = "" if name == "--help" else ", 200 runs in the workspace"
        label = f"{name} (CPU {run.cpu_s:.2f} s{where})"
        report.seconds("cli", label, run.wall_s, goal)
    run = commands.model_review_process(folder / "model-home", repeats)
    label = f"model-backed review, zero-latency model, whole process (CPU {run.cpu_s:.2f} s)"
    report.seconds("cli", label, run.wall_s, 2.5)


def client_bounds(report: Report, folder: Path, repeats: int) -> None:
    """What the libraries alone cost: litellm's import as a process, its CPU for a review's
    calls, and LangGraph's CPU for running a graph of a review's shape."""
    print("Bounds: the model client (litellm) and the graph runtime (LangGraph) alone")
    for name, run in bounds.import_processes(repeats).items():
        label = f"{name}, whole process (CPU {run.cpu_s:.2f} s)"
        report.add("bounds", label, run.wall_s, f"{run.wall_s:.2f} s", "(process goal 2.5 s)")
    os.environ.setdefault("OPENAI_API_KEY", "bench")
    with ModelProcess(0.0) as model:
        home = folder / "bounds-home"
        view, _ = asyncio.run(fanout.review_once(model.api_base, home, 8))
        trace = home / "traces" / f"{view.run_id}.jsonl"
        cost = bounds.call_cost(model.api_base, f"openai/{fanout.MODEL}", trace)
    for client, cpu in (("litellm", cost.litellm_cpu_s), ("openai SDK", cost.openai_cpu_s)):
        label = f"CPU of a review's {cost.calls} calls via {client}, zero-latency model"
        report.add("bounds", label, cpu, f"{cpu * 1000:.0f} ms", "(overhead goal 100 ms)")
    cpu = bounds.graph_cpu(folder)
    label = "CPU of LangGraph alone: a review's graph, no-op nodes, SQLite"
    report.add("bounds", label, cpu, f"{cpu * 1000:.0f} ms", "(overhead goal 100 ms)")


def replay_suite(report: Report, folder: Path) -> None:
    """The replay eval suite through the CLI: its time and its totals."""
    print(
        "Evals: `python main.py eval --model replay` (recorded answers through litellm)", flush=True
    )
    results = folder / "evals-home"
    run = run_main("eval", "--model", "replay", "--home", str(results))
    data = json.loads(next((results / "evals").glob("*-replay.json")).read_text(encoding="utf-8"))
    totals = data["totals"]
    recall = totals["tallies"]["unmet_recall"]
    report.add(
        "evals",
        "replay suite, whole process",
        run.wall_s,
        f"{run.wall_s:.1f} s",
        "passes",
        run.returncode == 0,
    )
    report.add(
        "evals",
        f"  unmet recall {recall['hits']}/{recall['total']}",
        recall["hits"] / recall["total"],
        f"{recall['hits'] / recall['total']:.3f}",
    )
    report.add(
        "evals", f"  tokens ({totals['calls']} calls)", totals["tokens"], f"{totals['tokens']:,}"
    )
    report.add(
        "evals",
        "  cost at the recorded model's prices",
        totals["cost_usd"],
        f"${totals['cost_usd']:.4f}",
    )


def _profile_command(out: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """A pyinstrument profile of one `main.py` command, imports included, written to `out`."""
    command = [sys.executable, str(BENCH / "profile_command.py"), str(out), *args]
    environ = {**os.environ, **(env or {})}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(command, cwd=ROOT, env=environ, check=True, **quiet)


def profiles(folder: Path, out: Path) -> None:
    """Profiles of what bounds the figures that miss their goals."""
    from pyinstrument import Profiler

    out.mkdir(parents=True, exist_ok=True)
    document = corpus.write_long_document(50_000, folder / "profile")
    _profile_command(out / "offline-50k.txt", "review", str(document), "--home", str(folder / "p1"))
    env = {"OPENAI_API_KEY": os.environ.get("OPENAI_API_KEY", "bench")}
    with ModelProcess(0.0) as model:
        args = ("review", str(commands.REVIEWED), *model.flags)
        # The first run fills the model's answer cache; the second is the one kept.
        _profile_command(
            out / "model-review-process.txt", *args, "--home", str(folder / "p2"), env=env
        )
        _profile_command(
            out / "model-review-process.txt", *args, "--home", str(folder / "p3"), env=env
        )
        os.environ.update(env)
        home = folder / "p4"
        asyncio.run(fanout.review_once(model.api_base, home, 8))  # warm: imports, caches
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(3):
            asyncio.run(fanout.review_once(model.api_base, home, 8))
        profiler.stop()
    text = profiler.output_text(unicode=True, show_all=False)
    (out / "in-process-review-x3.txt").write_text(text, encoding="utf-8")
    print(f"profiles written to {out}")


def main() -> None:
    """Measure everything and print it; optionally write JSON and profiles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat instead of three")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--profiles", type=Path, help="write pyinstrument profiles here")
    options = parser.parse_args()
    repeats = 1 if options.quick else 3
    report, started, about = Report(), time.perf_counter(), machine()
    print(f"gatereview benchmarks on {about['platform']}, {about['cpus']} CPUs")
    print(f"Python {about['python']}")
    print(f"load average at start: {about['load_average_at_start']}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fan_out(report, repeats)
        token_figures(report, folder)
        costs(report, folder)
        offline_figures(report, folder, repeats)
        format_figures(report, repeats)
        command_line(report, folder, repeats)
        client_bounds(report, folder, repeats)
        replay_suite(report, folder)
        if options.profiles:
            profiles(folder, options.profiles)
    about["load_average_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    missed = [f for f in report.figures if f.met is False]
    elapsed = time.perf_counter() - started
    print(f"load average at end: {about['load_average_at_end']}; {elapsed:.0f} s")
    print(f"{len(missed)} of {sum(f.met is not None for f in report.figures)} goals missed")
    if options.json:
        payload = {"machine": about, "figures": [asdict(f) for f in report.figures]}
        options.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

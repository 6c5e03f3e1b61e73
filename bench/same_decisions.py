"""Whether two checkouts decide every offline review alike: a speed change must change nothing.

Run from the repository root:

    python bench/same_decisions.py documents DOCS            # eval cases + bench corpus, once
    python bench/same_decisions.py snapshot DOCS OUT [--tree ROOT]
    python bench/same_decisions.py compare OUT_A OUT_B

`documents` copies every eval case's documents (and its rubrics) and writes the bench corpus
(one long document of 2k, 10k, 50k and 200k words, a folder of 10k words) under DOCS, so both
checkouts review the very same paths. `snapshot` runs `python main.py review ... --json` of the
checkout ROOT (default: this one) on each, each in a fresh workspace, and saves the JSON with
the run's id and creation time left out; `compare` lists every file that differs and exits 1
when any does. The real-document calibration is compared by saving
`python -m evals.realdocs --folder ... --markdown` from each checkout beside these.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import corpus  # noqa: E402

CASE_FILES = {"expected.json", "recording.jsonl", "decisions.json", "rubrics"}
LONG_WORDS = (2_000, 10_000, 50_000, 200_000)
FOLDER_WORDS = 10_000
VARYING = {"run_id", "created_at"}  # differ between any two runs of the same review


def write_documents(docs: Path) -> None:
    """Copy the eval cases' documents and write the bench corpus under `docs`."""
    for case in sorted((ROOT / "evals" / "cases").iterdir()):
        if not (case / "expected.json").is_file():
            continue
        target = docs / "cases" / case.name
        target.mkdir(parents=True, exist_ok=True)
        for path in case.iterdir():
            if path.name in CASE_FILES - {"rubrics"}:
                continue
            if path.is_dir():
                shutil.copytree(path, target / path.name, dirs_exist_ok=True)
            else:
                shutil.copy2(path, target / path.name)
    for words in LONG_WORDS:
        corpus.write_long_document(words, docs / "bench")
    corpus.write_folder(FOLDER_WORDS, docs / "bench" / f"folder-{FOLDER_WORDS}")


def reviews(docs: Path) -> list[tuple[str, Path, list[str]]]:
    """Each review to run: its name, the folder it runs in and its arguments."""
    found: list[tuple[str, Path, list[str]]] = []
    for case in sorted((docs / "cases").iterdir()):
        names = sorted(p.name for p in case.iterdir() if p.name != "rubrics")
        extra = ["--rubrics", "rubrics"] if (case / "rubrics").is_dir() else []
        found.append((f"case-{case.name}", case, [*names, *extra]))
    bench = docs / "bench"
    for path in sorted(bench.glob("*.md")):
        found.append((f"bench-{path.stem}", bench, [path.name]))
    found.append((f"bench-folder-{FOLDER_WORDS}", bench, [f"folder-{FOLDER_WORDS}"]))
    return found


def _without_varying(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_varying(v) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [_without_varying(v) for v in value]
    return value


def snapshot_one(tree: Path, name: str, cwd: Path, args: list[str], out: Path) -> str:
    """Run one review in a fresh workspace and save its JSON without the varying fields."""
    with tempfile.TemporaryDirectory() as home:
        command = [sys.executable, str(tree / "main.py"), "review", *args, "--home", home]
        done = subprocess.run(
            [*command, "--json"], cwd=cwd, capture_output=True, text=True, check=False
        )
    body = json.loads(done.stdout) if done.stdout.strip() else None
    record = {"exit": done.returncode, "stderr": done.stderr, "review": _without_varying(body)}
    (out / f"{name}.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return f"{name}: exit {done.returncode}"


def snapshot(docs: Path, out: Path, tree: Path, jobs: int) -> int:
    """Save every review's JSON of checkout `tree` under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(snapshot_one, tree, *r, out) for r in reviews(docs.resolve())]
        for future in futures:
            print(future.result(), flush=True)
    return 0


def compare(a: Path, b: Path) -> int:
    """List the files that differ between two snapshots (or exist in only one)."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differ = [
        n
        for n in names
        if not (a / n).is_file() or not (b / n).is_file()
        or (a / n).read_bytes() != (b / n).read_bytes()
    ]  # fmt: skip
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(names) - len(differ)} of {len(names)} identical")
    return 1 if differ else 0


def main() -> int:
    """Parse the command line and run one action."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("documents").add_argument("docs", type=Path)
    snap = sub.add_parser("snapshot")
    snap.add_argument("docs", type=Path)
    snap.add_argument("out", type=Path)
    snap.add_argument("--tree", type=Path, default=ROOT)
    snap.add_argument("--jobs", type=int, default=2)
    comp = sub.add_parser("compare")
    comp.add_argument("a", type=Path)
    comp.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.action == "documents":
        write_documents(args.docs)
        return 0
    if args.action == "snapshot":
        return snapshot(args.docs, args.out, args.tree.resolve(), args.jobs)
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())

"""Gate statuses against a careful reviewer's on real design documents, measured honestly.

Run from the repository root:

    python -m evals.realdocs [--folder ../shared/realdocs] [--markdown]
    python -m evals.realdocs capture DIR    # save requests that have no recording, to answer
    python -m evals.realdocs store DIR      # check written answers and store them as recordings

The report gives, for the offline reviewer and for the model path (recorded answers replayed
through the real client), agreement, Cohen's kappa, the confusion matrix, not_ready recall and
precision and false `ready` gates, overall and per gate. Parameters fitted on these documents
are reported leave-one-document-out (see evals.fitting). Exits 1 when a recording is stale or
missing, or when any quote shown as verified is not verbatim in its document.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from agents.errors import GateReviewError
from evals.calibration_docs import DEFAULT_FOLDER, LabelledDocument, load_calibration
from evals.calibration_replay import RECORDINGS_DIR, recording_path, replay_documents
from evals.capture import store_answers
from evals.realdocs_report import MINIMUMS_FILE, load_minimums, report
from evals.recording import Provenance, load_recording, save_recording

WRITTEN_BY = "a strong general-purpose model answering the exact request"


def capture(labelled: list[LabelledDocument], folder: Path, recordings: Path) -> int:
    """Replay every document and save the requests that have no recording."""
    outcomes = asyncio.run(replay_documents(labelled, recordings, capture=folder))
    missing = sum(len(o.misses) for o in outcomes)
    for outcome in outcomes:
        for miss in outcome.misses:
            print(f"{outcome.name}: captured {miss.message}")
    print(f"{missing} request(s) without a recording saved under {folder}")
    return 0


def store(labelled: list[LabelledDocument], folder: Path, recordings: Path, when: str) -> int:
    """Store the written answers under each document's recording; report what is wrong."""
    provenance = Provenance(
        written_by=WRITTEN_BY,
        date=when,
        note="token counts estimated at four characters a token; quotes checked when stored",
    )
    problems = 0
    for item in labelled:
        pending = folder / Path(item.name).stem
        if not pending.is_dir():
            continue
        stored = store_answers(pending, [item.document], provenance)
        for line in [*stored.unanswered, *stored.invalid]:
            print(f"{item.name}: not stored: {line}")
        for line in stored.unlocated:
            print(f"{item.name}: quote not in the document (the repair step will ask): {line}")
        problems += len(stored.invalid)
        if stored.entries:
            path = recording_path(item.name, recordings)
            path.parent.mkdir(parents=True, exist_ok=True)
            save_recording(path, [*load_recording(path), *stored.entries])
            print(f"{item.name}: {len(stored.entries)} answer(s) stored in {path}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the report, a capture or a store."""
    parser = argparse.ArgumentParser(prog="python -m evals.realdocs", description=__doc__)
    parser.add_argument("action", nargs="?", choices=["report", "capture", "store"],
                        default="report")  # fmt: skip
    parser.add_argument("dir", nargs="?", type=Path, help="capture/store: the requests folder")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--recordings", type=Path, default=RECORDINGS_DIR, help="default: evals/calibration"
    )
    parser.add_argument(
        "--minimums", type=Path, default=MINIMUMS_FILE, help="default: evals/realdocs.toml"
    )
    parser.add_argument("--date", default=date.today().isoformat(), help="store: when written")
    args = parser.parse_args(argv)
    try:
        labelled = load_calibration(args.folder)
        if args.action == "report":
            return report(
                labelled,
                markdown=args.markdown,
                recordings=args.recordings,
                minimums=load_minimums(args.minimums),
            )
        if args.dir is None:
            parser.error(f"{args.action} needs the requests folder")
        if args.action == "capture":
            return capture(labelled, args.dir, args.recordings)
        return store(labelled, args.dir, args.recordings, args.date)
    except GateReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Import time of agents.llm (must not import litellm) against its first and second model call.

Run from the repository root: `python bench/import_time.py [runs]`. Each figure is the median
of fresh interpreters; the model calls are served by respx (no network).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = "import json; print(json.dumps({}))"

IMPORT_ONLY = """
import json, sys, time
t0 = time.perf_counter()
import agents.llm
print(json.dumps({"import_s": time.perf_counter() - t0,
                  "litellm_loaded": "litellm" in sys.modules,
                  "openai_loaded": "openai" in sys.modules}))
"""

FIRST_CALL = """
import asyncio, json, os, time
os.environ["OPENAI_API_KEY"] = "sk-bench"
t0 = time.perf_counter()
import agents.llm as llm
import_s = time.perf_counter() - t0
import httpx, respx
from pydantic import BaseModel

class Answer(BaseModel):
    status: str
    summary: str

body = {"id": "chatcmpl-bench", "object": "chat.completion", "created": 1754000000,
        "model": "gpt-4.1-mini-2025-04-14",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "refusal": None,
                                 "content": '{"status": "met", "summary": "ok"}'}}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}}
settings = llm.ModelSettings(model="openai/gpt-4.1-mini", retry_wait_s=0)
messages = [{"role": "user", "content": "Is a data owner named?"}]

async def timed() -> float:
    t = time.perf_counter()
    await llm.complete_structured(settings, messages, Answer)
    return time.perf_counter() - t

async def main() -> tuple[float, float]:
    return await timed(), await timed()

with respx.mock(using="httpx") as router:
    router.post("https://api.openai.com/v1/chat/completions").mock(
        return_value=httpx.Response(200, json=body))
    first_s, second_s = asyncio.run(main())
print(json.dumps({"import_s": import_s, "first_call_s": first_s, "second_call_s": second_s}))
"""


def run(code: str) -> tuple[float, dict[str, float | bool]]:
    """Wall time of a fresh interpreter running code, and the JSON it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, json.loads(done.stdout.strip().splitlines()[-1])


def median(samples: list[tuple[float, dict[str, float | bool]]], key: str) -> float:
    """The median of one figure over the runs ('wall' for the process wall time)."""
    return statistics.median(w if key == "wall" else float(d[key]) for w, d in samples)


def main(runs: int = 3) -> None:
    """Measure and print the figures."""
    bare = [run(BARE) for _ in range(runs)]
    imports = [run(IMPORT_ONLY) for _ in range(runs)]
    calls = [run(FIRST_CALL) for _ in range(runs)]
    loaded = any(d["litellm_loaded"] or d["openai_loaded"] for _, d in imports)
    in_process = median(calls, "import_s") + median(calls, "first_call_s")
    rows = [
        ("python -c pass (process wall)", median(bare, "wall")),
        ("python -c 'import agents.llm' (process wall)", median(imports, "wall")),
        ("import agents.llm (in process)", median(imports, "import_s")),
        ("first complete_structured (imports litellm)", median(calls, "first_call_s")),
        ("second complete_structured", median(calls, "second_call_s")),
        ("first-call process (wall)", median(calls, "wall")),
        ("  of which start-up and exit", median(calls, "wall") - in_process),
    ]
    print(f"median of {runs} fresh interpreters; calls served by respx")
    for label, seconds in rows:
        print(f"{label:<48} {seconds:7.3f} s")
    print(f"{'litellm/openai imported by agents.llm':<48} {'YES' if loaded else 'no'}")
    if loaded:
        raise SystemExit(1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

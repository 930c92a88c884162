"""toolchain/build_log.build_events, the one reader of a build's output (the VM's docker build,
the TPU-MLIR environment's pip install), on a plain generator of chunks (no build runs)."""

from __future__ import annotations

from wizard.core.events import LogLine, Progress
from wizard.core.toolchain.build_log import build_events


def chunks():
    yield b"Step 1/2 : FROM base\nCollecting tpu_mlir\n 10%|#   |\r 90%|######| \r"
    yield b"100%|########|\nStep 2/2 : RUN pip"  # the last line is not ended: the end of output ends it
    return 7


def test_a_builds_lines_become_events_and_its_exit_code_comes_back():
    tail: list[str] = []
    told = lambda line: Progress("image", None, text=line) if line.startswith("Step") else None  # noqa: E731
    run = build_events(chunks(), "image", tail, keep=3, progress=told)
    events = []
    try:
        while True:
            events.append(next(run))
    except StopIteration as done:
        code = done.value
    assert code == 7
    lines = [e.text for e in events if isinstance(e, LogLine)]
    assert lines == ["Step 1/2 : FROM base", "Collecting tpu_mlir", "100%|########|", "Step 2/2 : RUN pip"]  # no redraws
    assert all(e.step == "image" and e.stream == "runner" for e in events if isinstance(e, LogLine))
    assert [type(e).__name__ for e in events] == ["LogLine", "Progress", "LogLine", "LogLine", "LogLine", "Progress"]
    assert tail == ["Collecting tpu_mlir", "100%|########|", "Step 2/2 : RUN pip"]  # the last `keep` lines

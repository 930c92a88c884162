"""An out-of-memory kill as the real TPU-MLIR 1.7 wheel reports it, recognised from the kernel.

The wheel's console scripts (tpu_mlir/__init__.py, run_subprocess_py) run each tool as a child
``python3`` and ``exit(1)`` on any failure: a calibration the OOM killer ends gives exit 1 and no
"Killed" line. convert.sh reads the cgroup's OOM-kill count (v2 memory.events, v1
memory.oom_control) before and after each step and says so in a marker line the interpreter
turns into the memory message.

Toolchain: NEITHER the double nor the real tools, on purpose: tiny stand-in tools (in the test)
that do exactly what the wheel's launcher does around a child that needs more memory than the
container has. Everything else is real: convert.sh as the plan renders it, bash, the real Docker
engine, a hard memory limit, the kernel's OOM killer and its counter. The same path with the REAL
tools is in tests/test_real_docker.py and tests/test_real_ssh.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docker_support import docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from wizard.core.plan.commands import render_convert_script
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.toolchain.log import parse_log

pytestmark = [pytest.mark.docker]

# What the wheel's launcher does (tpu_mlir/__init__.py run_subprocess_py), around a child tool.
LAUNCHER = """#!/usr/bin/env python3
import subprocess, sys
if subprocess.Popen(["python3", "-c", CHILD] + sys.argv[1:]).wait() != 0:
    exit(1)
"""
MAKE_OUTPUT = "import sys; a = sys.argv; open(a[a.index({flag!r}) + 1], 'w').write('made\\n')"
TOOLS = {
    # What the later steps need of it: the MLIR, the weight file it names, the float reference.
    "model_transform": "; ".join([MAKE_OUTPUT.format(flag="--mlir"), MAKE_OUTPUT.format(flag="--test_result"),
                                  "open(a[a.index('--model_name') + 1] + '_top_f32_all_weight.npz', 'w').write('w')"]),
    # Holds far more than the container may have, as run_calibration holds every picture.
    "run_calibration": "blocks = [bytearray(32 << 20) for _ in range(64)]",
    "model_deploy": MAKE_OUTPUT.format(flag="--model"),
}


def _workspace(root: Path, calibration_tool: str | None = None) -> Path:
    recipe = ConversionRecipe(name="x", calibration_count=60, output_names=("a",), model_file="model/x.onnx")
    workspace = root / "workspace"
    workspace.mkdir(parents=True)
    (workspace / "convert.sh").write_text(render_convert_script(recipe), encoding="utf-8", newline="\n")
    tools = root / "tools"
    tools.mkdir()
    for name, child in {**TOOLS, **({"run_calibration": calibration_tool} if calibration_tool else {})}.items():
        script = tools / name
        script.write_text(LAUNCHER.replace("CHILD", repr(child)), encoding="utf-8")
        script.chmod(0o755)
    return root


def _convert(client, image: str, root: Path, memory: str) -> tuple[int, str]:
    container = client.containers.run(
        image, ["bash", "/workspace/convert.sh"], detach=True, working_dir="/workspace",
        environment={"PATH": "/tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        volumes={str(root / "workspace"): {"bind": "/workspace", "mode": "rw"},
                 str(root / "tools"): {"bind": "/tools", "mode": "ro"}},
        mem_limit=memory, memswap_limit=memory, labels={"org.recamera-wizard.role": "test-tool"})
    try:
        code = int(container.wait(timeout=120).get("StatusCode", -1))
        return code, container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)


def test_a_tool_the_oom_killer_ends_behind_the_wheels_launcher_gives_the_memory_message(
        docker_client, toolchain_double_image, tmp_path):
    code, log = _convert(docker_client, toolchain_double_image, _workspace(tmp_path), "128m")
    assert code == 1, log  # the launcher's exit for any failure: no 137, no "Killed"
    assert "Killed" not in log
    assert "[wizard] step calibrate ran out of memory: the kernel's OOM killer ended 1 process(es)" in log
    report = parse_log(log)
    assert [p.code for p in report.errors] == ["toolchain_out_of_memory"]
    message = report.errors[0].message
    assert "calibrate" in message and "60 calibration pictures" in message
    assert "30 instead of 60" in report.errors[0].fix


def test_any_other_failure_behind_the_launcher_is_not_called_memory(docker_client, toolchain_double_image, tmp_path):
    root = _workspace(tmp_path, calibration_tool="raise SystemExit('RuntimeError: There is no inputs')")
    code, log = _convert(docker_client, toolchain_double_image, root, "128m")
    assert code == 1 and "ran out of memory" not in log, log
    assert [p.code for p in parse_log(log).errors] == ["toolchain_no_calibration_inputs"]


def test_the_count_is_read_where_the_kernel_keeps_it(docker_client, toolchain_double_image, tmp_path):
    """convert.sh's oom_kills() finds the counter of its own cgroup (v1 or v2) and sees it rise."""
    script = render_convert_script(ConversionRecipe(name="x"))
    function = script[script.index("oom_kills() {"):script.index("# Once a step has run")]
    (tmp_path / "count.sh").write_text(function + 'before="$(oom_kills)" || exit 3\n'
                                       'python3 -c "x = bytearray(256 << 20)"\n'
                                       'echo "before=$before after=$(oom_kills)"\n', encoding="utf-8")
    container = docker_client.containers.run(
        toolchain_double_image, ["bash", "/t/count.sh"], detach=True, mem_limit="64m", memswap_limit="64m",
        volumes={str(tmp_path): {"bind": "/t", "mode": "ro"}}, labels={"org.recamera-wizard.role": "test-tool"})
    try:
        code = int(container.wait(timeout=60).get("StatusCode", -1))
        out = container.logs().decode()
    finally:
        container.remove(force=True)
    assert code == 0, out
    before, after = (int(part.split("=")[1]) for part in out.strip().splitlines()[-1].split())
    assert after == before + 1, out

"""A conversion with the REAL TPU-MLIR 1.7 over SSH (SshRunner), against a real OpenSSH server.

Toolchain: REAL (the image of tests/real_toolchain.py), never the double. As in
test_ssh_runner.py, the "VM" is this machine behind an sshd on 127.0.0.1: the remote commands
run `docker run ... bash convert.sh` on this machine's Docker engine, which has the real image.
The model is the project's own random-weight sample (wizard/core/sample_model.py, YOLO11-shaped
with its attention block, 320 px): the user-facing path with the real tools, end to end.
"""

from __future__ import annotations

import json

import pytest

from docker_support import docker_client  # noqa: F401 (fixtures)
from real_toolchain import model_tool_info, toolchain_real_image  # noqa: F401 (fixtures)
from sshd_support import login_options, make_server

pytestmark = [pytest.mark.real_toolchain, pytest.mark.ssh, pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="module")
def ssh_run(tmp_path_factory, toolchain_real_image):
    """One job over SSH: stage the sample model with 10 pictures, convert, bring the bundle home."""
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace
    from wizard.core.runners.job import ConversionJob
    from wizard.core.runners.vm.runner import SshRunner
    from wizard.core.images.samples import generate_sample_images
    from wizard.core.model.samples import write_sample_model

    root = tmp_path_factory.mktemp("real-ssh")
    server = make_server(root / "sshd")
    try:
        model = write_sample_model(root / "yolo11n.onnx", imgsz=(320, 320))
        generate_sample_images(root / "photos", 10, size=(320, 240))
        run_dir = root / "run"
        stage_workspace(ConversionChoices(model=str(model), images=str(root / "photos"),
                                          out=str(run_dir / "workspace"), calibration_count=10,
                                          toolchain_image=toolchain_real_image))
        runner = SshRunner(server.target, image=toolchain_real_image,
                           **login_options(server, root, poll_interval=0.5, reconnect_timeout=300))
        job = ConversionJob(runner, run_dir, cache=False)
        events = list(job.events())
        yield job, events, run_dir, server, runner
    finally:
        server.stop()


def test_a_real_conversion_over_ssh_ends_in_success_with_the_bundle(ssh_run):
    from wizard.core.events import ProblemRaised, Result

    job, events, run_dir, server, runner = ssh_run
    result = events[-1]
    assert isinstance(result, Result) and result.ok, [e.problem for e in events if isinstance(e, ProblemRaised)]
    assert job.verdict == "success"
    assert (run_dir / "yolo11n_sym_int8.cvimodel").read_bytes()[:8] == b"CviModel"
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert results["backend"] == "ssh" and results["verdict"] == "success"
    assert [c["kind"] for c in results["compare"]][:2] == ["top_vs_onnx", "tpu_vs_top"]
    assert all(c["passed"] for c in results["compare"]) and len(results["compare"]) == 3
    # Random weights quantize less well than designed ones, but the guide's tolerance holds.
    assert 0.8 < results["compare"][1]["min_similarity"]["cosine"] <= 1.0
    log = (run_dir / "convert.log").read_text(encoding="utf-8")
    assert "[Success]: tpuc-opt" in log and "[wizard] step deploy finished rc=0" in log
    assert "real input_num = 10" in log  # the real run_calibration's own line
    assert not (server.home / ".recamera-wizard" / "runs" / runner.run_id).exists()


def test_the_real_model_tool_reads_the_model_converted_over_ssh(ssh_run, toolchain_real_image, docker_client):
    _, _, run_dir, _, _ = ssh_run
    code, info = model_tool_info(docker_client, toolchain_real_image, run_dir / "yolo11n_sym_int8.cvimodel")
    assert code == 0 and "For cv181x chip ONLY" in info and "Cvimodel Version: 1.4.0" in info, info


def test_a_real_out_of_memory_kill_over_ssh_gives_the_memory_message(tmp_path, toolchain_real_image):
    """60 pictures at 640 px, the VM's container limited to 256 MiB (no swap): the real
    run_calibration is killed by the kernel, the wheel's launcher exits 1 with no "Killed"; the
    VM's convert.sh sees its cgroup's OOM-kill count rise and the user gets the memory message,
    naming the step and the picture count, over SSH as through local Docker."""
    from detecting_model import make_pictures, write_detecting_model
    from wizard.core.events import ProblemRaised
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace
    from wizard.core.runners.job import ConversionJob
    from wizard.core.runners.vm.runner import SshRunner
    from wizard.core.ssh import remote_shell as rs

    class MemoryLimitedSshRunner(SshRunner):
        def _convert_command(self) -> str:
            argv = rs.docker_run_argv(self.remote_dir, self.run_id, self.image)
            return rs.join(argv[:3] + ["--memory", "256m", "--memory-swap", "256m"] + argv[3:])

    server = make_server(tmp_path / "sshd")
    try:
        model = write_detecting_model(tmp_path / "in" / "yolo11.onnx", 640)
        make_pictures(tmp_path / "in" / "pictures", 60, 640, seed=2)
        run_dir = tmp_path / "run"
        stage_workspace(ConversionChoices(model=str(model), images=str(tmp_path / "in" / "pictures"),
                                          out=str(run_dir / "workspace"), calibration_count=60,
                                          toolchain_image=toolchain_real_image))
        runner = MemoryLimitedSshRunner(server.target, image=toolchain_real_image,
                                        **login_options(server, tmp_path, poll_interval=0.5, reconnect_timeout=300))
        job = ConversionJob(runner, run_dir, cache=False)
        problems = [e.problem for e in job.events() if isinstance(e, ProblemRaised)]
    finally:
        server.stop()
    log = (run_dir / "convert.log").read_text(encoding="utf-8")
    assert "[wizard] step transform finished rc=0" in log
    assert "[wizard] step calibrate finished rc=1" in log and "Killed" not in log
    assert "[wizard] step calibrate ran out of memory" in log
    assert job.verdict == "conversion_failed" and job.exit_code == 1
    memory = [p for p in problems if p.code == "toolchain_out_of_memory"]
    assert len(memory) == 1, [p.code for p in problems]
    assert "calibrate" in memory[0].message and "60 calibration pictures" in memory[0].message
    assert "fewer calibration images" in memory[0].fix

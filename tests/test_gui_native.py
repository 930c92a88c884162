"""The Where page without Docker, through the real window: this computer, and the cloud machine.

The native check's answers are real NativeReport objects (tests/native_reports.py: the core's
check over recorded hosts), handed out by FakeServices; no toolchain runs in these tests except in
the last one, which converts natively through the real services with the toolchain DOUBLE
(tests/toolchain_double/bin as an existing TPU-MLIR) and reaches the results page.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest
import native_reports
from native_support import DOUBLE_BIN
from test_gui_support import (  # noqa: F401 - fixtures
    FakeJob,
    FaultyServices,
    answer_host_key,
    first_session,
    gui_home,
    loop,
    make_window,
    quit_mid_calibration,
    reconnect_to_the_results,
    run,
    services,
    to_page,
    wait_for,
)
from wizard.core.app import wizard_flow as rules
from wizard.core.events import Event, LogLine, Progress, StepFinished, StepStarted
from wizard.core.messages import WizardError, problem
from wizard.gui.services import NativeDetails, Services

pytestmark = pytest.mark.gui


def problem_codes(window) -> list[str]:
    return [p.code for p in window.problems.problems()]


def this_computer(**host) -> native_reports.RecordedHost:
    return native_reports.RecordedHost(where="my-laptop", **host)


def to_native(window, loop, tmp_path):
    """The Where page with "without Docker" chosen and its check finished."""
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    where.native_radio.setChecked(True)
    run(loop, window.ctx.idle())
    return where


def test_without_docker_checks_this_computer_and_asks_both_questions(make_window, loop, tmp_path, services, gui_home):
    services.native_report = native_reports.report_of(this_computer(pythons=(native_reports.BARE_PYTHON,)))
    window = make_window()
    where = to_native(window, loop, tmp_path)
    assert services.native_calls == [None]  # chosen once: looked at once by itself (this computer)
    view = where.native_view
    assert where.native_box.isVisibleTo(where) and not where.local_box.isVisibleTo(where)
    # What the set-up fixes is why it is asked (not a problem of its own); the exact commands, one a line.
    assert view.problems.problems() == []
    assert view.setup_box.isVisibleTo(where)
    assert view.setup_reasons.text().splitlines() == [
        "• /usr/bin/python3.10 cannot create virtual environments: its ensurepip module is missing.",
        "• Python.h for /usr/bin/python3.10 is missing: pycocotools 2.0.6, which TPU-MLIR needs, has to be compiled "
        "and needs it.",
        "• The C compiler x86_64-linux-gnu-gcc is not installed on my-laptop: pycocotools 2.0.6, which TPU-MLIR needs, "
        "is compiled from source with it (/usr/bin/python3.10)."]
    assert view.setup_commands.text() == ("sudo apt-get update\n"
                                          "sudo apt-get install -y python3.10-venv python3.10-dev gcc")
    assert "my-laptop needs system packages" in view.setup_question.text()
    assert view.password_row.isVisibleTo(where)  # not root: sudo's password is asked here
    assert view.env_box.isVisibleTo(where) and "400 MB" in view.env_question.text()
    assert view.facts.text() == ("Python 3.10.12 (/usr/bin/python3.10) · 8.2 GB memory · 48 GB free · "
                                 "TPU-MLIR 1.7 environment not made yet")
    assert "Ready once you agree" in view.summary.text()
    assert problem_codes(window) == ["flow_native_setup_consent", "flow_native_env_consent"]
    assert not window.next_button.isEnabled()

    view.setup_consent.click()
    assert problem_codes(window) == ["flow_native_env_consent"]
    view.env_consent.click()
    view.password_edit.setFocus()
    from PySide6.QtTest import QTest

    QTest.keyClicks(view.password_edit, "sudo-pw")
    assert window.ctx.native_sudo_password == "sudo-pw"
    assert "✔ Ready" in view.summary.text()
    assert window.next_button.isEnabled()
    window.go_next()
    run(loop, window.convert_page.wait())
    where_to, ssh, native = services.started[-1]
    assert (where_to, ssh) == (rules.WHERE_NATIVE, None)
    assert native == NativeDetails(setup_consent=True, create_environment=True, password="sudo-pw")
    spec = native.runner_spec()
    assert (spec.backend, spec.setup_consent, spec.create_environment, spec.password) == ("native", True, True, "sudo-pw")
    assert "sudo-pw" not in (gui_home[0] / "settings.json").read_text(encoding="utf-8")


def test_a_root_login_is_asked_no_password_and_a_new_check_keeps_only_the_same_consent(make_window, loop, tmp_path,
                                                                                        services):
    services.native_report = native_reports.report_of(this_computer(pythons=(native_reports.BARE_PYTHON,), uid=0))
    window = make_window()
    where = to_native(window, loop, tmp_path)
    view = where.native_view
    assert view.setup_commands.text().splitlines()[0] == "apt-get update"
    assert not view.password_row.isVisibleTo(where) and not view.sudo_note.isVisibleTo(where)
    view.setup_consent.click()
    view.env_consent.click()
    assert window.next_button.isEnabled()
    # Installed by hand meanwhile: the new check asks only about the environment, and the
    # consent to it (the same environment) is kept; the set-up's is gone with its question.
    services.native_report = native_reports.report_of(this_computer(uid=0))
    where.native_check_button.click()
    run(loop, window.ctx.idle())
    state = window.ctx.state
    assert (state.native_setup_consent, state.native_env_consent) == (False, True)
    assert not view.setup_box.isVisibleTo(where) and view.env_consent.isChecked()
    assert window.next_button.isEnabled()


def test_what_the_wizard_cannot_fix_is_shown_with_its_fix_and_blocks(make_window, loop, tmp_path, services):
    services.native_report = native_reports.ubuntu_2404()
    window = make_window()
    where = to_native(window, loop, tmp_path)
    view = where.native_view
    assert [p.code for p in view.problems.problems()] == ["native_python_missing", "native_setup_unsupported"]
    assert any("pyenv install 3.10.13" in text for text in view.problems.texts())
    assert "Not ready yet" in view.summary.text() and "no Python 3.10 found" in view.facts.text()
    assert not view.setup_box.isVisibleTo(where) and not view.env_box.isVisibleTo(where)
    assert problem_codes(window) == ["flow_native_not_ready"] and not window.next_button.isEnabled()


def test_a_failed_check_says_why_and_a_running_one_holds_next(make_window, loop, tmp_path, services):
    services.native_report = WizardError(problem("native_command_timeout", where="my-laptop", seconds=120))
    window = make_window()
    where = to_native(window, loop, tmp_path)
    assert [p.code for p in where.native_view.problems.problems()] == ["native_command_timeout"]
    assert problem_codes(window) == ["flow_native_not_checked"]
    # Checking again: Next waits for it, the button cannot start a second one.
    services.native_report = native_reports.report_of(this_computer(env_state="complete"))
    services.native_gate = threading.Event()
    where.native_check_button.click()
    run(loop, wait_for(lambda: len(services.native_calls) == 2, what="the second check"))
    assert problem_codes(window) == ["flow_checking"] and not where.native_check_button.isEnabled()
    assert "Checking this computer" in where.native_view.summary.text()
    services.native_gate.set()
    run(loop, window.ctx.idle())
    assert problem_codes(window) == [] and window.next_button.isEnabled()
    assert "✔ Ready" in where.native_view.summary.text() and "environment ready" in where.native_view.facts.text()


def test_windows_is_told_why_there_is_no_choice_without_docker(make_window, loop, tmp_path, services):
    window = make_window()
    window.ctx.state.os_kind = "windows"
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    assert not where.native_radio.isEnabled()
    assert where.native_refused.isVisibleTo(where) and "wsl --install -d Ubuntu-22.04" in where.native_refused.text()
    assert services.native_calls == []
    window.set_language("ja")
    assert "Windows" in where.native_refused.text() and "WSL2" in where.native_refused.text()
    assert "Linux だけ" in where.native_refused.text()


def test_the_report_and_its_questions_follow_the_language(make_window, loop, tmp_path, services):
    services.native_report = native_reports.report_of(this_computer(pythons=(native_reports.BARE_PYTHON,)))
    window = make_window()
    where = to_native(window, loop, tmp_path)
    window.set_language("ja")
    view = where.native_view
    assert "システムパッケージが必要" in view.setup_question.text()
    assert view.setup_consent.text() == "これらのコマンドの実行をウィザードに許可する"
    assert view.env_consent.text() == "環境を作成する" and "PyPI" in view.env_question.text()
    assert where.native_check_button.text() == "このコンピュータを確認"
    assert view.setup_commands.text().startswith("sudo apt-get update")  # commands are not translated


def test_the_cloud_machine_without_docker_is_tested_and_asked_there(make_window, loop, tmp_path, services):
    services.native_report = native_reports.fresh_cloud_image()
    window = make_window()
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    where.ssh_radio.setChecked(True)
    assert where.docker_consents.isVisibleTo(where) and not where.vm_native_view.isVisibleTo(where)
    where.vm_native_radio.setChecked(True)
    assert not where.docker_consents.isVisibleTo(where)
    where.host_edit.setText("203.0.113.7")
    where.user_edit.setText("ubuntu")
    where.password_edit.setText("vm-pw")
    where._ssh_edited()
    assert problem_codes(window) == ["flow_ssh_not_tested"]

    run(loop, answer_host_key(window, fingerprint=services.fingerprint))
    assert services.ssh_calls == []  # the native check, not Docker's test
    checked = services.native_calls[-1]
    assert checked.native and checked.accept_fingerprint == services.fingerprint and checked.password == "vm-pw"
    assert "Connected: ubuntu@203.0.113.7:22 (ubuntu 22.04, x86_64)" in where.test_result.text()
    view = where.vm_native_view
    assert view.setup_box.isVisibleTo(where) and not view.password_row.isVisibleTo(where)
    assert "password entered above" in view.sudo_note.text()
    assert problem_codes(window) == ["flow_native_setup_consent", "flow_native_env_consent"]
    view.setup_consent.click()
    view.env_consent.click()
    assert window.next_button.isEnabled()
    # Back to Docker on the machine: that needs its own test.
    where.vm_docker_radio.setChecked(True)
    assert problem_codes(window) == ["flow_ssh_not_tested"]
    where.vm_native_radio.setChecked(True)
    assert window.next_button.isEnabled()
    window.go_next()
    run(loop, window.convert_page.wait())
    where_to, ssh, native = services.started[-1]
    assert where_to == rules.WHERE_SSH and native is None
    spec = ssh.runner_spec()
    assert (spec.backend, spec.host, spec.setup_consent, spec.create_environment, spec.password, spec.build_image) == (
        "ssh-native", "ubuntu@203.0.113.7:22", True, True, "vm-pw", False)


class EnvironmentJob(FakeJob):
    """A first run without Docker: the toolchain is set up (pip's progress), then the three steps."""

    def __init__(self, run_dir: str):
        super().__init__(run_dir, total_lines=30)
        self.halfway = threading.Event()
        self.go_on = threading.Event()

    def events(self) -> Iterator[Event]:
        yield StepStarted("prepare")
        yield StepStarted("environment", command="python3.10 -m venv …")
        yield LogLine("Collecting tpu_mlir[onnx]==1.7", step="environment", stream="runner")
        yield Progress("environment", 0.5, text="Downloading tpu_mlir-1.7-py3-none-any.whl (200 MB)")
        self.halfway.set()
        self.go_on.wait(30)
        yield StepFinished("environment", ok=True, elapsed=150.0)
        yield StepFinished("prepare", ok=True)
        yield from super().events()


def test_the_convert_page_shows_the_toolchain_set_up_with_its_progress(make_window, loop, tmp_path, services):
    services.job_factory = lambda choices: EnvironmentJob(str(choices.out))
    window = make_window()
    run(loop, to_page(window, "where", tmp_path))
    page = window.convert_page
    assert not page.step_names["environment"].isVisibleTo(page)  # not a step of every run
    window.go_next()
    job = services.jobs[-1]
    run(loop, wait_for(lambda: job.halfway.is_set() and page.progress.value() == 500, what="halfway"))
    assert page.step_names["environment"].isVisibleTo(page)
    assert page.step_names["environment"].text() == "Set up the toolchain (first time only)"
    assert page.step_states["environment"].property("state") == "running"
    assert page.phase_label.text() == "Setting up the toolchain (first time only)…"
    assert "Downloading tpu_mlir" in page.progress_text.text()
    window.set_language("ja")
    assert page.phase_label.text() == "ツールチェーンを用意しています（初回のみ）…"
    window.set_language("en")
    job.go_on.set()
    run(loop, page.wait())
    assert page.step_states["environment"].property("state") == "done"
    assert page.step_times["environment"].text() == "2:30"
    assert [page.step_states[s].property("state") for s in ("transform", "calibrate", "deploy")] == ["done"] * 3
    assert window.ctx.state.job_status == rules.JOB_SUCCEEDED


@pytest.fixture
def native_services():
    """The real services; this computer's TPU-MLIR is the toolchain DOUBLE's bin folder."""
    real = Services()
    real.native_toolchain_bin = str(DOUBLE_BIN)
    return real


@pytest.mark.slow
def test_convert_without_docker_through_the_window_to_the_results(make_window, loop, tmp_path, native_services):
    """Toolchain: the DOUBLE, run natively by the real NativeRunner (no Docker, no mocks)."""
    window = make_window(svc=native_services)
    where = to_native(window, loop, tmp_path)
    assert window.ctx.state.native_report is not None, where.native_view.problems.texts()
    assert window.ctx.state.native_report.environment_state == "own"
    assert "your own TPU-MLIR" in where.native_view.facts.text()
    assert window.next_button.isEnabled(), problem_codes(window) + where.native_view.problems.texts()
    window.go_next()
    page = window.convert_page
    run(loop, page.wait(), timeout=300)
    assert window.ctx.state.job_status == rules.JOB_SUCCEEDED, page.problems.texts() + page.log.visible_text().splitlines()[-30:]
    window.go_next()
    run(loop, window.ctx.idle())
    assert window.ctx.flow.current == "results"
    assert "ready for the reCamera" in window.pages["results"].verdict.text()
    run_dir = Path(window.ctx.state.run_dir)
    assert any(p.suffix == ".cvimodel" for p in run_dir.iterdir())
    import json

    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert results["backend"] == "native"
    assert results["toolchain_image"]["native"]["path"] == str(DOUBLE_BIN)
    assert window.ctx.settings.active_job is None


def first_native_session(home: str, tmp: str) -> None:
    """The first app session (in a child process): a slow conversion without Docker, closed mid-run."""
    def without_docker(window):
        window.pages["where"].native_radio.setChecked(True)

    quit_mid_calibration(FaultyServices({"calibrate": {"slow_seconds": 8}}, native_toolchain_bin=str(DOUBLE_BIN)),
                         home, tmp, at_where=without_docker)


@pytest.mark.slow
def test_close_mid_native_run_then_reconnect_on_next_start(make_window, loop, tmp_path, gui_home):
    """Toolchain: the DOUBLE, natively. The first session is a real app process that exits mid-run;
    the next start re-attaches with plain services (a re-attach only follows the run)."""
    import json

    from wizard.core.runners.native.local import RUNS_DIR
    from wizard.core.runners.native.shell import process_alive
    from wizard.core.ssh import remote_shell as rs

    code = f"import test_gui_native as t; t.first_native_session({str(gui_home[0])!r}, {str(tmp_path)!r})"
    run_dir, backend = first_session(code, gui_home[0])
    assert backend == "native"
    record = json.loads((Path(run_dir) / "job.json").read_text(encoding="utf-8"))
    wrapper = Path(run_dir) / "workspace" / RUNS_DIR / record["run_id"] / rs.WRAPPER_PID_FILE
    assert process_alive(int(wrapper.read_text().strip())), "the conversion goes on without the app"
    reconnect_to_the_results(make_window, loop, run_dir)
    assert not (Path(run_dir) / "workspace" / RUNS_DIR).exists()  # the run's own files went with it

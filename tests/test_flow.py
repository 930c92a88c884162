"""Whole wizard flows without Qt (like Electrum's test_wizard): next/back rules and page checks."""

from __future__ import annotations

import pytest

import native_reports
from wizard.core.app import wizard_flow as flow
from wizard.core.app.wizard_flow import FlowError, WizardFlow, WizardState
from wizard.core.messages import problem
from wizard.core.model.inspect import ModelReport
from wizard.core.plan.recipe import ConversionRecipe

GOOD_REPORT = ModelReport(
    path="m.onnx",
    family="yolo11",
    task="detect",
    input_shape=(1, 3, 640, 640),
    output_names=tuple(f"/model.23/cv{k}.{i}/cv{k}.{i}.2/Conv_output_0" for i in range(3) for k in (2, 3)),
)


def codes(problems):
    return [p.code for p in problems]


def fill_until_where(f: WizardFlow, tmp_path) -> None:
    s = f.state
    assert f.current == "welcome" and f.next() == "model"
    assert not f.can_next() and codes(f.problems()) == ["flow_pick_model"]
    s.model_path = "m.onnx"
    s.inspecting = True
    assert codes(f.problems()) == ["flow_model_inspecting"] and not f.can_next()
    s.inspecting, s.model_report = False, GOOD_REPORT
    assert f.next() == "images"
    assert codes(f.problems()) == ["flow_pick_images"]
    s.images_source, s.images_scanning = "imgs", True
    assert not f.can_next()
    s.images_scanning, s.images_usable = False, 3
    assert codes(f.problems()) == ["flow_too_few_images", "flow_pick_test_image"]
    s.images_usable, s.test_image = 120, "imgs/a.jpg"
    assert f.next() == "target"
    assert "flow_pick_output" in codes(f.problems())
    s.out_dir = str(tmp_path / "out")
    assert f.can_next(), f.problems()
    assert f.next() == "where"


def test_whole_local_flow_to_device(tmp_path):
    f = WizardFlow()
    seen = []
    f.listeners.append(seen.append)
    fill_until_where(f, tmp_path)
    s = f.state
    assert codes(f.problems()) == ["flow_checking"] and not f.can_next()
    s.docker_ready = False
    assert codes(f.problems()) == ["flow_docker_not_ready"]
    s.docker_ready, s.toolchain_ready = True, False
    assert codes(f.problems()) == ["flow_toolchain_missing"]
    s.toolchain_ready = True
    assert f.next() == "convert"
    assert s.job_status == flow.JOB_IDLE and not f.can_next()
    s.job_status = flow.JOB_RUNNING
    assert not f.can_back() and not f.can_next()
    s.job_status, s.result_ok = flow.JOB_SUCCEEDED, True
    assert f.can_back() and f.next() == "results"
    assert f.next() == "device"
    assert f.next_page() is None and not f.can_next()
    with pytest.raises(FlowError):
        f.next()
    assert seen == ["model", "images", "target", "where", "convert", "results", "device"]
    assert f.visited() == list(flow.PAGES)


def test_failed_conversion_stops_at_results_and_back_reruns(tmp_path):
    f = WizardFlow()
    fill_until_where(f, tmp_path)
    f.state.docker_ready = f.state.toolchain_ready = True
    f.next()
    f.state.job_status, f.state.result_ok = flow.JOB_FAILED, False
    assert f.next() == "results"
    assert codes(f.problems()) == ["flow_conversion_failed"] and not f.can_next()
    # Back to the options, change them, and the convert page starts from idle again.
    assert f.back() == "convert" and f.back() == "where" and f.back() == "target"
    f.state.calibration_count = 200
    f.next()
    assert f.next() == "convert"
    assert f.state.job_status == flow.JOB_IDLE and f.state.result_ok is None


def test_the_windows_job_status_comes_from_the_runs_verdict():
    """One mapping from the run's verdict (runners/status.py) to the window's job status."""
    from wizard.core.runners.status import Verdict

    assert [flow.job_status_after(v) for v in (*Verdict, "")] == [
        flow.JOB_SUCCEEDED, flow.JOB_FAILED, flow.JOB_FAILED, flow.JOB_CANCELLED, flow.JOB_FAILED]


def test_cancelled_job_can_be_left_and_restarted(tmp_path):
    f = WizardFlow()
    fill_until_where(f, tmp_path)
    f.state.docker_ready = f.state.toolchain_ready = True
    f.next()
    f.state.job_status = flow.JOB_CANCELLED
    assert codes(f.problems()) == ["flow_job_cancelled"] and not f.can_next()
    assert f.back() == "where"


def test_ssh_needs_complete_details_and_a_test_for_the_same_target(tmp_path):
    f = WizardFlow()
    fill_until_where(f, tmp_path)
    s = f.state
    s.where = flow.WHERE_SSH
    assert codes(f.problems()) == ["flow_ssh_incomplete"]
    s.ssh_host, s.ssh_user, s.ssh_key_path = "127.0.0.1", "me", "/k"
    assert codes(f.problems()) == ["flow_ssh_not_tested"]
    s.ssh_tested_for = s.ssh_target
    assert f.can_next()
    s.ssh_port = 2222  # a different machine than the one tested
    assert not f.can_next()


def test_opening_an_earlier_run_goes_straight_to_results():
    f = WizardFlow()
    f.state.start = flow.START_RUN
    assert codes(f.problems()) == ["flow_pick_run"]
    f.state.run_dir, f.state.result_ok = "/runs/1", True
    assert f.next() == "results"
    assert f.back() == "welcome"


def test_model_with_an_error_blocks_and_shows_its_fix():
    f = WizardFlow()
    f.next()
    bad = ModelReport(path="x.onnx", problems=(problem("file_not_found", path="x.onnx"),))
    f.state.model_path, f.state.model_report = "x.onnx", bad
    assert not f.can_next()
    (p,) = f.problems()
    assert p.fix  # the fix is rendered inline by the page


def test_back_from_welcome_is_refused_and_restart_clears():
    f = WizardFlow()
    assert not f.can_back()
    with pytest.raises(FlowError):
        f.back()
    f.next()
    f.state.model_path = "m.onnx"
    f.restart()
    assert f.current == "welcome" and f.stack == [] and f.state.model_path == ""


def test_recipe_fills_state():
    recipe = ConversionRecipe(
        name="helmet", display_name="ヘルメット", calibration_count=42, processor="cv181x",
        source_model="/m/helmet.onnx", source_images="/imgs", source_test_image="/imgs/t.jpg",
        output_names=("a", "b"), fuse_preprocess=False, aligned_input=False, customization_format=None,
    )
    f = WizardFlow()
    f.apply_recipe(recipe, "/runs/helmet/recipe.json")
    s = f.state
    assert s.recipe_path == "/runs/helmet/recipe.json"
    assert (s.start, s.model_path, s.images_source, s.test_image) == ("recipe", "/m/helmet.onnx", "/imgs", "/imgs/t.jpg")
    assert (s.calibration_count, s.name, s.output_names) == (42, "ヘルメット", ("a", "b"))
    assert (s.fuse_preprocess, s.aligned_input, s.customization_format) == (False, False, None)
    assert f.next() == "model"


def test_quantize_modes_come_from_the_processor_table():
    s = WizardState(model_report=GOOD_REPORT)
    allowed = flow.allowed_values(s, "quantize", ["INT8", "BF16", "F16", "F32"])
    assert allowed == {"INT8": True, "BF16": True, "F16": False, "F32": False}
    s.processor = "bm1684x"
    assert flow.allowed_values(s, "quantize", ["F16"]) == {"F16": True}
    assert flow.processor_names()[0] == "cv181x"


def test_invalid_option_combinations_are_not_offered():
    s = WizardState(model_report=GOOD_REPORT)
    # With the wizard's defaults every processor can be picked (aligned input follows the chip).
    assert all(flow.allowed_values(s, "processor", flow.processor_names()).values())
    # Once aligned input is asked for explicitly, fuse_preprocess cannot be switched off under it,
    # and a non-CV18xx processor cannot be chosen: the core's validation says so.
    s.aligned_input = True
    assert flow.allowed_values(s, "fuse_preprocess", [True, False]) == {True: True, False: False}
    assert flow.allowed_values(s, "processor", ["cv181x", "bm1684x"]) == {"cv181x": True, "bm1684x": False}
    s.aligned_input = False
    assert flow.allowed_values(s, "fuse_preprocess", [False]) == {False: True}
    s.calibration_count = 5000
    assert "plan_bad_count" in codes(flow.page_problems("target", s))


def test_state_is_plain_data_without_qt():
    s = WizardState()
    assert s.effective_output_names() == ()
    s.model_report = GOOD_REPORT
    assert len(s.effective_output_names()) == 6
    s.output_names = ("x",)
    assert s.effective_output_names() == ("x",)


def test_reattach_jumps_to_convert_then_results():
    f = WizardFlow()
    f.reattach("/runs/7")
    assert f.current == "convert" and f.state.run_dir == "/runs/7"
    assert not f.can_back() and not f.can_next()  # still running
    f.state.job_status, f.state.result_ok = flow.JOB_SUCCEEDED, True
    assert f.next() == "results"
    assert f.back() == "convert" and f.back() == "welcome"


def test_last_options_round_trip_and_bad_values_are_skipped():
    s = WizardState(processor="bm1684x", quantize="F16", calibration_count=250, tolerance=(0.85, 0.45))
    remembered = {k: (list(v) if isinstance(v, tuple) else v) for k, v in flow.options_of(s).items()}
    fresh = WizardState()
    flow.apply_options(fresh, remembered)
    assert (fresh.processor, fresh.quantize, fresh.calibration_count, fresh.tolerance) == (
        "bm1684x", "F16", 250, (0.85, 0.45))
    fresh = WizardState()
    flow.apply_options(fresh, {"calibration_count": "many", "keep_aspect_ratio": "yes", "model_path": "/x"})
    assert fresh.calibration_count == 100 and fresh.keep_aspect_ratio is True and fresh.model_path == ""


# --- without Docker: this computer, or the cloud machine -----------------------------------------
# Reports from the real native check over recorded hosts (tests/native_reports.py).


def native_flow(tmp_path, **state) -> WizardFlow:
    f = WizardFlow()
    fill_until_where(f, tmp_path)
    f.state.where = flow.WHERE_NATIVE
    for name, value in state.items():
        setattr(f.state, name, value)
    return f


def test_without_docker_is_offered_on_linux_only_and_says_why_not_elsewhere(tmp_path):
    assert flow.native_not_offered("linux") is None  # WSL2 Ubuntu is Linux to the app running in it
    windows = flow.native_not_offered("windows")
    assert windows.is_error and "wsl --install -d Ubuntu-22.04" in windows.fix and "Windows" in windows.message
    mac = flow.native_not_offered("macos")
    assert mac.is_error and "macOS" in mac.message and "Docker Desktop" in mac.fix
    # Even with a good report, Windows cannot go on without Docker.
    f = native_flow(tmp_path, os_kind="windows", native_report=native_reports.ready())
    assert codes(f.problems()) == ["flow_native_needs_linux_windows"] and not f.can_next()
    f.state.os_kind = "linux"
    assert f.problems() == [] and f.next() == "convert"


def test_without_docker_needs_a_check_of_this_computer(tmp_path):
    f = native_flow(tmp_path, os_kind="linux")
    assert codes(f.problems()) == ["flow_native_not_checked"] and not f.can_next()
    f.state.native_checking = True
    assert codes(f.problems()) == ["flow_checking"] and not f.can_next()
    f.state.native_checking, f.state.native_report = False, native_reports.ready()
    assert f.can_next()
    # Docker's own checks do not matter here.
    assert f.state.docker_ready is None and f.state.toolchain_ready is None


def test_the_environment_is_made_only_with_consent(tmp_path):
    report = native_reports.needs_environment()
    assert report.setup_question is None and report.environment_question is not None
    f = native_flow(tmp_path, os_kind="linux", native_report=report)
    assert codes(f.problems()) == ["flow_native_env_consent"] and not f.can_next()
    f.state.native_env_consent = True
    assert f.can_next()


def test_a_fresh_cloud_image_needs_both_consents_and_its_errors_are_the_set_up_s(tmp_path):
    report = native_reports.fresh_cloud_image()
    assert [p.code for p in report.problems if p.is_error] == [
        "native_venv_missing", "native_python_headers_missing", "native_compiler_missing"]
    assert all(flow.fixed_by_setup(report, p) for p in report.problems)
    assert flow.native_blockers(report) == []
    f = native_flow(tmp_path, os_kind="linux", native_report=report)
    assert codes(f.problems()) == ["flow_native_setup_consent", "flow_native_env_consent"]
    f.state.native_setup_consent = True
    assert codes(f.problems()) == ["flow_native_env_consent"]
    f.state.native_env_consent = True
    assert f.can_next()


def test_when_the_set_up_installs_python_the_environment_still_needs_consent(tmp_path):
    report = native_reports.without_python310()
    # No Python 3.10 yet: the check cannot ask about an environment it cannot name...
    assert report.environment_question is None and report.environment is None
    assert flow.native_needs_environment(report)  # ... but the run will have to make one
    f = native_flow(tmp_path, os_kind="linux", native_report=report, native_setup_consent=True)
    assert codes(f.problems()) == ["flow_native_env_consent"]


def test_what_the_set_up_cannot_fix_blocks_whatever_is_agreed(tmp_path):
    disk = native_reports.low_disk_bare()
    assert [p.code for p in flow.native_blockers(disk)] == ["native_disk_low"]
    f = native_flow(tmp_path, os_kind="linux", native_report=disk, native_setup_consent=True, native_env_consent=True)
    assert codes(f.problems()) == ["flow_native_not_ready"] and not f.can_next()
    assert f.problems()[0].params["where"] == disk.where
    noble = native_reports.ubuntu_2404()
    assert [p.code for p in flow.native_blockers(noble)] == ["native_python_missing", "native_setup_unsupported"]
    f.state.native_report = noble
    assert codes(f.problems()) == ["flow_native_not_ready"]


def test_a_consent_is_kept_after_a_new_check_only_for_the_same_question():
    fresh, ready, env_only = (native_reports.fresh_cloud_image(), native_reports.ready(),
                              native_reports.needs_environment())
    assert flow.kept_consents(fresh, native_reports.fresh_cloud_image(), True, True) == (True, True)
    assert flow.kept_consents(fresh, ready, True, True) == (False, False)
    assert flow.kept_consents(fresh, env_only, True, True) == (False, True)  # the same environment
    root = native_reports.fresh_cloud_image(uid=0)
    assert root.setup_commands[0] == "apt-get update"  # no sudo as root: other commands
    assert flow.kept_consents(fresh, root, True, True) == (False, True)
    assert flow.kept_consents(None, fresh, True, True) == (False, False)


def test_the_cloud_machine_without_docker_needs_its_own_test_and_consents(tmp_path):
    f = WizardFlow()
    fill_until_where(f, tmp_path)
    s = f.state
    s.where, s.ssh_host, s.ssh_user, s.ssh_key_path = flow.WHERE_SSH, "203.0.113.7", "ubuntu", "/k"
    s.ssh_tested_for, s.ssh_tested_toolchain = s.ssh_target, flow.TOOLCHAIN_DOCKER
    assert f.can_next()  # Docker on the machine, tested
    s.ssh_toolchain = flow.TOOLCHAIN_NATIVE
    assert codes(f.problems()) == ["flow_ssh_not_tested"]  # that test looked at Docker there
    s.ssh_tested_toolchain, s.ssh_native_report = flow.TOOLCHAIN_NATIVE, native_reports.fresh_cloud_image()
    assert codes(f.problems()) == ["flow_native_setup_consent", "flow_native_env_consent"]
    s.ssh_native_setup_consent = s.ssh_native_env_consent = True
    assert f.can_next()
    # This computer's consents are not the machine's.
    s.ssh_native_setup_consent, s.native_setup_consent = False, True
    assert codes(f.problems()) == ["flow_native_setup_consent"]
    s.ssh_native_setup_consent = True
    s.ssh_port = 2222  # another machine than the one tested
    assert codes(f.problems()) == ["flow_ssh_not_tested"]


def test_the_check_recipe_carries_what_the_memory_estimate_needs(tmp_path):
    f = native_flow(tmp_path, os_kind="linux")
    f.state.calibration_count = 400
    recipe = flow.check_recipe(f.state)
    assert recipe.input_shape == GOOD_REPORT.input_shape and recipe.calibration_count == 400
    small = native_reports.report_of(native_reports.RecordedHost(env_state="complete", mem_total_kb=2_000_000), recipe)
    assert [p.code for p in small.problems] == ["native_low_memory"] and small.ready  # a warning, not a blocker
    f.state.native_report = small
    assert f.can_next()


def test_the_remembered_place_to_run_is_used_only_where_it_can_be_chosen():
    assert flow.remembered_where("native", "linux") == flow.WHERE_NATIVE
    assert flow.remembered_where("native", "windows") == flow.WHERE_LOCAL  # the settings moved to Windows
    assert flow.remembered_where("ssh", "macos") == flow.WHERE_SSH
    assert flow.remembered_where("cloud", "linux") == flow.WHERE_LOCAL  # an edited or newer settings file


def test_in_a_workshop_the_where_page_wants_a_showable_name_and_a_way_to_sign_in():
    """With a kit open the Where page is the room's server: no Docker, VM or native check is asked
    for; the attendee's name goes through the core's check (attendee.check_attendee_name) and the
    sign-in needs its key file or its password."""
    s = WizardState(where=flow.WHERE_LOCAL, docker_ready=False, workshop=True,
                    workshop_server="attendee@127.0.0.1:2222", workshop_attendee="Aiko", workshop_key_path="")
    assert codes(flow.page_problems("where", s)) == ["flow_workshop_key_missing"]
    assert flow.page_problems("where", s)[0].params == {"server": "attendee@127.0.0.1:2222"}
    s.workshop_key_path = "/keys/room3"
    assert flow.page_problems("where", s) == []  # Docker not running here does not matter
    s.workshop_sign_in = flow.SIGN_IN_PASSWORD
    assert codes(flow.page_problems("where", s)) == ["flow_workshop_password_missing"]
    s.workshop_has_password = True
    assert flow.page_problems("where", s) == []
    for bad in ("", "   ", "x" * 81, "two\nlines"):
        s.workshop_attendee = bad
        found = flow.page_problems("where", s)
        assert codes(found) == ["workshop_bad_attendee"] and flow.blocking(found), bad
        assert found[0].params == {"value": bad[:100]}
    s.workshop_attendee = "  Aiko Tanaka  "  # surrounding spaces are the core's to trim, not an error
    assert flow.page_problems("where", s) == []
    # Outside a workshop the same state is the usual Docker question again.
    s.workshop = False
    assert codes(flow.page_problems("where", s)) == ["flow_docker_not_ready"]

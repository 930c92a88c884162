"""`recamera-wizard tour` drives every page and saves one screenshot per page, in both languages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import REPO_ROOT

pytestmark = [pytest.mark.gui, pytest.mark.slow]

PAGES = ("01_welcome", "02_model", "03_images", "04_target", "05_where", "05_where_ssh", "05_where_native",
         "06_convert_running", "06_convert_done", "07_results", "07_results_checking",
         "07_results_detections", "07_results_gallery", "07_results_picture", "07_results_failed", "08_device",
         "09_welcome_recent_runs", "10_workshop_model", "10_workshop_kit", "10_workshop_where", "11_workshop_waiting",
         "12_workshop_room_status", "13_workshop_make_kit")
DIALOGS = ("07_results_picture", "12_workshop_room_status", "13_workshop_make_kit")  # a dialog's grab, sized to its picture, not the whole window


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_tour_writes_a_screenshot_of_every_page(tmp_path, lang):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), RECAMERA_WIZARD_HOME=str(tmp_path / "home"))
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    out = tmp_path / "shots"
    result = subprocess.run([sys.executable, "-m", "wizard", "tour", "--out", str(out), "--lang", lang],
                            capture_output=True, text=True, timeout=300, env=env, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    for name in PAGES:
        path = out / f"{name}.png"
        assert path.is_file(), name
        with Image.open(path) as image:
            if name in DIALOGS:
                assert image.size[0] >= 800 and image.size[1] >= 400, name
            else:
                assert image.size[0] >= 900 and image.size[1] >= 700, name
            # A real page has many colours; a blank or black grab has one or two.
            assert len(image.convert("RGB").getcolors(1 << 20) or []) > 50, name
    listed = [Path(line) for line in result.stdout.splitlines() if line.endswith(".png")]
    assert len(listed) == len(PAGES)


def test_the_tour_s_host_without_docker_reads_as_a_fresh_ubuntu_desktop():
    """The probe output the tour replays is in the real probe's format: the real parser and check
    read it as Ubuntu 22.04 with python3.10 lacking venv, headers and gcc (all known to apt)."""
    from wizard.core.app import wizard_flow as rules
    from wizard.core.runners.native import host
    from wizard.gui.tour import NATIVE_PROBE, TOUR_DATA, TourServices

    facts = host.parse_probe((TOUR_DATA / NATIVE_PROBE).read_text(encoding="utf-8"))
    assert (facts.base.distro, facts.base.distro_version, facts.base.user, facts.glibc) == ("ubuntu", "22.04", "akiko", "2.35")
    assert [p.path for p in facts.pythons] == ["/usr/bin/python3.10"] and facts.apt_candidate("gcc")
    report = TourServices().check_native()
    assert report.setup_commands == ("sudo apt-get install -y python3.10-venv python3.10-dev gcc",)
    assert report.environment_question is not None and rules.native_blockers(report) == []

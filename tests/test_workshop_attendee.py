"""An attendee's conversion through a kit, against a REAL OpenSSH server on 127.0.0.1 and the
real Docker engine (toolchain: the TEST DOUBLE image, no faults): hostile names stay text, a
locked option is refused before anything is sent, the kit's samples convert, the kit's language
is used, and a job followed through the core API (as the GUI will) re-attaches after a detach.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docker_support import cli, docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from sshd_support import sshd_server  # noqa: F401 (fixture)
from workshop_support import Attendee, Room, app_env, attendee_inputs, new_workshop_id
from workshop_support import workshop_image  # noqa: F401 (fixture)
from wizard.core.events import LogLine, QueueWaiting, Result
from wizard.core.ssh.options import SshCredentials, SshTimings
from wizard.core.workshop.attendee import resume_conversion, start_conversion
from wizard.core.workshop.kit import read_kit

pytestmark = pytest.mark.ssh

HOSTILE_NAME = "$(touch pwned); rm -rf ~ `touch pwned` \"'"


@pytest.fixture
def room(sshd_server, workshop_image, tmp_path) -> Room:
    made = Room(server=sshd_server, root=tmp_path, workshop_id=new_workshop_id(), image=workshop_image)
    assert made.prepare(slots=1).returncode == 0
    return made


def no_pwned(*roots: Path) -> bool:
    return not [p for root in roots for p in root.rglob("pwned")] and not (Path("/") / "pwned").exists()


def test_hostile_names_are_only_text_on_the_server_and_in_the_status(room, tmp_path):
    assert room.make_kit().returncode == 0
    model, images = attendee_inputs(tmp_path / "in", "yolo11n")
    hostile_model = model.with_name("a b;$(touch pwned).onnx")
    model.rename(hostile_model)
    person = Attendee(room, HOSTILE_NAME, hostile_model, images)
    assert person.finish(300) == 0, person.stderr[-2000:]
    assert person.result["ok"]
    assert sorted(p.name for p in person.run_dir.glob("*.cvimodel")) == ["a_b_touch_pwned_sym_int8.cvimodel"]
    jobs = room.status()["jobs"]
    assert [job["attendee"] for job in jobs] == [" ".join(HOSTILE_NAME.split())]
    assert no_pwned(room.server.home, room.server.root, tmp_path, Path.cwd())
    assert room.server.home.is_dir()  # `rm -rf ~` never ran


def test_a_locked_option_is_refused_before_anything_is_sent(room, tmp_path):
    assert room.make_kit("--unlock", "tolerance").returncode == 0
    model, images = attendee_inputs(tmp_path / "in", "yolo11n")
    env = app_env(tmp_path / "app")
    base = ["workshop", "convert", "--kit", str(room.kit), "--model", str(model), "--images", str(images),
            "--key", str(room.server.client_key), "--attendee", "ken"]
    locked = cli([*base, "--out", str(tmp_path / "run1"), "--quantize", "BF16"], env=env)
    assert locked.returncode == 2
    assert "fixes the option quantize" in locked.stderr and "Traceback" not in locked.stderr
    assert list((room.workshop_dir / "runs").iterdir()) == []
    preset = cli([*base, "--out", str(tmp_path / "run2"), "--preset", "recamera-bf16"], env=env)
    assert preset.returncode == 1 and "set by the workshop kit" in preset.stderr
    allowed = cli([*base, "--out", str(tmp_path / "run3"), "--tolerance", "0.5,0.3", "--json-events"], env=env,
                  timeout=300)
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    recipe = json.loads((tmp_path / "run3" / "recipe.json").read_text())
    assert recipe["tolerance"] == [0.5, 0.3] and recipe["quantize"] == "INT8"


def test_the_kits_samples_and_language(room, tmp_path):
    sample_model, sample_images = attendee_inputs(tmp_path / "samples", "sample_yolo")
    assert room.make_kit("--model", str(sample_model), "--images", str(sample_images), "--language", "ja").returncode == 0
    kit = read_kit(room.kit)
    assert kit.content.samples.model == "samples/model/sample_yolo.onnx" and len(kit.content.samples.images) == 10
    run = tmp_path / "run"
    result = cli(["workshop", "convert", "--kit", str(room.kit), "--samples", "--out", str(run), "--attendee", "mei",
                  "--key", str(room.server.client_key)], env=app_env(tmp_path / "app"), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "あなたの番です" in result.stdout  # the kit's language: the queue speaks Japanese
    assert (run / "sample_yolo_sym_int8.cvimodel").is_file()


def test_the_core_api_a_gui_uses_detaches_and_reattaches(room, tmp_path, monkeypatch):
    """As the GUI will: start_conversion, follow events, detach (window closed) while waiting,
    then resume_conversion from the run folder alone and get the result."""
    import fcntl

    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "app"))
    assert room.make_kit().returncode == 0
    kit = read_kit(room.kit)
    model, images = attendee_inputs(tmp_path / "in", "yolo11n")
    slot = room.workshop_dir / "queue" / "slots" / "1.lock"
    slot.parent.mkdir(parents=True, exist_ok=True)
    holder = open(slot, "a")
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # someone else's long conversion
    run_dir = tmp_path / "run"
    ssh = {"credentials": SshCredentials(key_file=room.server.client_key, allow_agent=False),
           "timings": SshTimings(poll_interval=0.2)}
    job = start_conversion(kit, run_dir=run_dir, attendee="GUI user", model=model, images=images, cache=False, **ssh)
    seen = []
    for event in job.events():
        seen.append(event)
        if isinstance(event, QueueWaiting):
            job.detach()  # the window closes; the job stays in the line on the server
    assert any(isinstance(e, QueueWaiting) and e.ahead == 0 and e.position == 1 for e in seen)
    assert not any(isinstance(e, Result) for e in seen)
    assert json.loads((run_dir / "job.json").read_text())["state"] == "running"
    holder.close()
    again = resume_conversion(run_dir, cache=False, **ssh)
    later = list(again.resume())
    assert isinstance(later[-1], Result) and later[-1].ok, [e for e in later if not isinstance(e, LogLine)][-5:]
    assert (run_dir / "yolo11n_sym_int8.cvimodel").is_file()

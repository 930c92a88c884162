"""A room with one account per attendee, with the REAL TPU-MLIR 1.7: the gatekeeper's container
(the attendee's uid, no capabilities, no new privileges, no network, HOME=/tmp) really converts.

Toolchain: REAL (tests/real_toolchain.py's image, never the double). Server: the real sshd on
127.0.0.1, sudo and the gatekeeper prepare-server installs, as in test_workshop_isolation.py. The
model is the project's own random-weight YOLO11-shaped sample at 320 px, checked with the real
model_tool.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from docker_support import docker_client  # noqa: F401 (fixtures)
from real_toolchain import model_tool_info, toolchain_real_image  # noqa: F401 (fixtures)
from sshd_support import sshd_factory  # noqa: F401 (fixture)
from test_workshop_isolation import isolated_room_for
from workshop_support import Attendee
from wizard.core.workshop import gatekeeper
from wizard.core.workshop import server_layout as layout

pytestmark = [pytest.mark.real_toolchain, pytest.mark.ssh, pytest.mark.docker, pytest.mark.slow]


def test_the_real_toolchain_converts_as_the_attendees_own_uid(sshd_factory, toolchain_real_image, docker_client,
                                                              tmp_path):
    from wizard.core.images.samples import generate_sample_images
    from wizard.core.model.samples import write_sample_model

    with isolated_room_for(sshd_factory, toolchain_real_image, tmp_path, accounts=1) as (room, prefix, names):
        key = str(room.server.client_key.with_suffix(".pub"))
        prepared = room.prepare("--attendee-accounts", "1", "--account-prefix", prefix, "--attendee-key", key)
        assert prepared.returncode == 0, prepared.stderr + prepared.stdout
        made = room.make_kit()
        assert made.returncode == 0, made.stderr + made.stdout

        started_at = time.time() - 1
        model = write_sample_model(tmp_path / "helmet.onnx", imgsz=(320, 320))
        generate_sample_images(tmp_path / "photos", 10, size=(320, 240))
        attendee = Attendee(room, "Aiko", model, tmp_path / "photos", extra=("--account", names[0]))
        code = attendee.finish(1800)
        problems = [e["problem"]["message"] for e in attendee.of_type("ProblemRaised")]
        tail = [e["text"] for e in attendee.of_type("LogLine")][-30:]
        assert code == 0, (attendee.stderr[-3000:], problems, tail)
        assert attendee.result["details"]["verdict"] == "success"
        cvimodel = attendee.run_dir / "helmet_sym_int8.cvimodel"
        assert cvimodel.read_bytes()[:8] == b"CviModel"
        code, info = model_tool_info(docker_client, toolchain_real_image, cvimodel)
        assert code == 0, info
        results = json.loads((attendee.run_dir / "results.json").read_text(encoding="utf-8"))
        assert results["verdict"] == "success" and results["backend"] == "workshop"
        uid = subprocess.run(["id", "-u", names[0]], capture_output=True, text=True).stdout.strip()
        [receipt] = list((Path(layout.isolated_workshop_dir(room.workshop_id)) / layout.RECORDS_DIR).iterdir())
        assert (receipt / "exit_code").read_text().strip() == "0" and attendee.of_type("QueueAdmitted")
        users = [event["Actor"]["Attributes"].get(gatekeeper.OWNER_LABEL)
                 for event in docker_client.events(since=int(started_at), until=int(time.time()) + 1, decode=True,
                                                   filters={"type": "container", "event": "create"})
                 if event["Actor"]["Attributes"].get("name", "").startswith(layout.container_prefix(room.workshop_id))]
        assert users == [uid]

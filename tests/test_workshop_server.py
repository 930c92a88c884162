"""The instructor's side against a REAL OpenSSH server on 127.0.0.1 and the real Docker engine
(toolchain: the TEST DOUBLE image, tests/docker_support.py): prepare-server (twice), make-kit's
checks, a wrong host key refused at connect time, the attendees' account, offline image tarballs.
Every command runs as a child process, as people run it (tests/workshop_support.py).
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from docker_support import cli, docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from sshd_support import sshd_factory, sshd_server  # noqa: F401 (fixtures)
from workshop_support import Attendee, Room, attendee_inputs, login_args, new_workshop_id
from workshop_support import workshop_image  # noqa: F401 (fixture)
from wizard.core.workshop.kit import read_kit

pytestmark = pytest.mark.ssh


@pytest.fixture
def room(sshd_server, workshop_image, tmp_path) -> Room:
    return Room(server=sshd_server, root=tmp_path, workshop_id=new_workshop_id(), image=workshop_image)


def image_id(image: str) -> str:
    return subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", image], capture_output=True,
                          text=True, check=True).stdout.strip()


def test_prepare_server_is_safe_to_run_twice_and_make_kit_checks_the_server(room):
    first = room.prepare()
    assert first.returncode == 0, first.stderr + first.stdout
    assert "queue: created, 2 at once" in first.stdout
    assert f"is ready for the workshop '{room.workshop_id}'" in first.stdout + first.stderr
    ws = room.workshop_dir
    assert (ws / "slots").read_text().strip() == "2"
    assert all((ws / sub).is_dir() for sub in ("queue/waiting", "queue/running", "queue/slots", "runs", "records"))
    assert json.loads((ws / "workshop.json").read_text())["image_id"] == image_id(room.image)
    (ws / "queue" / "counter").write_text("5\n")  # tickets given out during the workshop
    before = sorted(str(p.relative_to(ws)) for p in ws.rglob("*"))

    again = room.prepare()
    assert again.returncode == 0, again.stderr
    assert "queue: already set up, 2 at once, 5 tickets given out so far" in again.stdout
    assert "already there" in again.stdout
    assert sorted(str(p.relative_to(ws)) for p in ws.rglob("*")) == before
    assert (ws / "queue" / "counter").read_text() == "5\n"  # the line is not disturbed

    made = room.make_kit("--unlock", "tolerance")
    assert made.returncode == 0, made.stderr + made.stdout
    kit = read_kit(room.kit)
    assert kit.server.target == room.server.target and kit.server.slots == 2
    assert kit.server.host_key_fingerprint == room.server.fingerprint()
    assert kit.content.toolchain.image_id == image_id(room.image)
    assert kit.is_locked("calibration_count") and not kit.is_locked("tolerance")
    assert kit.options["calibration_count"] == 10

    # Says what is missing, and writes nothing.
    wrong_slots = room.make_kit("--slots", "3", out=room.root / "x.rcwkit")
    assert wrong_slots.returncode == 2 and "runs 2 conversions at once, but the kit asks for 3" in wrong_slots.stderr
    assert not (room.root / "x.rcwkit").exists()
    other = cli(["workshop", "make-kit", "--out", str(room.root / "y.rcwkit"), "--title", "t", "--host",
                 room.server.target, *login_args(room.server), "--workshop", "never-prepared", "--image", room.image],
                env=room.instructor_env)
    assert other.returncode == 2 and "not set up for the workshop 'never-prepared'" in other.stderr
    assert "workshop prepare-server" in other.stderr and not (room.root / "y.rcwkit").exists()

    status = room.status()
    assert status["jobs"] == [] and status["server"]["slots"] == 2
    assert status["server"]["mem_total"] > 0 and status["server"]["disk_free"] > 0 and len(status["server"]["load"]) == 3


def test_make_kit_lists_everything_a_bare_server_lacks_at_once(sshd_factory, workshop_image, tmp_path):
    bare = sshd_factory(without_docker=True)
    room = Room(server=bare, root=tmp_path, workshop_id=new_workshop_id(), image=workshop_image)
    made = room.make_kit()
    assert made.returncode == 2
    for missing in ("Docker is not installed", f"not set up for the workshop '{room.workshop_id}'",
                    "is not on the server", "The kit was not written"):
        assert missing in made.stderr, (missing, made.stderr)
    assert not room.kit.name  # no kit


def test_too_many_slots_for_the_servers_memory_is_refused_with_the_numbers(room):
    assert room.prepare(slots=64).returncode == 0
    made = room.make_kit("--calibration-count", "1000", out=room.root / "big.rcwkit")
    assert made.returncode == 2
    assert "64 conversions at once need about" in made.stderr and "enough for" in made.stderr
    assert "--slots" in made.stderr and not (room.root / "big.rcwkit").exists()


def test_a_kit_with_a_wrong_host_key_is_refused_at_connect_time(room, tmp_path):
    assert room.prepare().returncode == 0
    assert room.make_kit().returncode == 0
    room.server.restart(new_host_key=True)  # what a machine in the middle would show
    model, images = attendee_inputs(tmp_path / "in", "aiko_model")
    attendee = Attendee(room, "aiko", model, images)
    assert attendee.finish(120) == 4, attendee.stderr
    problems = [e["problem"] for e in attendee.of_type("ProblemRaised")]
    assert [p["code"] for p in problems if p["severity"] == "error"] == ["kit_host_key_mismatch"]
    assert room.server.fingerprint() in problems[-1]["message"]
    assert list((room.workshop_dir / "runs").iterdir()) == []  # nothing was uploaded
    assert not (attendee.run_dir / "aiko_model_sym_int8.cvimodel").exists()


def test_the_attendees_account_is_created_once_and_used_through_the_kit(sshd_factory, workshop_image, tmp_path,
                                                                        monkeypatch):
    """As root: useradd, the docker group, an authorized key and a password (on stdin, never argv);
    the second run finds everything done. The kit is then made for, and used as, that account."""
    import secrets

    admin = sshd_factory()
    name = "wizt" + secrets.token_hex(4)
    home = Path("/tmp") / f"{name}-home"
    room = Room(server=admin, root=tmp_path, workshop_id=new_workshop_id(), image=workshop_image)
    password = secrets.token_urlsafe(12)
    env_var = "WORKSHOP_TEST_ACCOUNT_PASSWORD"
    extra = ["--attendee-account", name, "--attendee-key", str(admin.client_key.with_suffix(".pub")),
             "--attendee-password-env", env_var, "--attendee-home", str(home)]
    monkeypatch.setenv(env_var, password)  # the commands are children: they inherit it
    try:
        first = room.prepare(*extra)
        assert first.returncode == 0, first.stderr + first.stdout
        assert f"account {name}: created" in first.stdout and "key authorized" in first.stdout
        groups = subprocess.run(["id", "-nG", name], capture_output=True, text=True).stdout.split()
        assert "docker" in groups
        assert admin.client_key.with_suffix(".pub").read_text().strip() in (home / ".ssh/authorized_keys").read_text()
        shadow = next(line for line in Path("/etc/shadow").read_text().splitlines() if line.startswith(name + ":"))
        assert shadow.split(":")[1].startswith("$")  # a password hash was set
        ws = home / ".recamera-wizard" / "workshops" / room.workshop_id
        assert ws.owner() == name and (ws / "queue" / "waiting").owner() == name and (ws / "slots").owner() == name
        assert password not in admin.log_path.read_text(errors="replace")
        assert not list(Path(admin.home).glob(".recamera-wizard-account-*"))  # the password file is gone

        again = room.prepare(*extra)
        assert again.returncode == 0, again.stderr
        assert f"account {name}: already there" in again.stdout and "key already authorized" in again.stdout
        assert "already in the docker group" in again.stdout and "queue: already set up" in again.stdout

        # The attendees' login, with the password set above (sshd reads the test's key file as
        # the login, and the test's tmp folder is root's only).
        attendees = sshd_factory(home=home, password_auth=True)
        attendees.user = name
        room.server = attendees
        room.login = ["--password-env", env_var]
        made = room.make_kit()
        assert made.returncode == 0, made.stderr + made.stdout
        assert read_kit(room.kit).server.target.startswith(name + "@")
        assert room.status()["jobs"] == []
    finally:
        listed = subprocess.run(["ps", "-o", "pid=", "-u", name], capture_output=True, text=True).stdout
        for pid in listed.split():
            subprocess.run(["kill", "-9", pid], capture_output=True)
        subprocess.run(["userdel", "-f", name], capture_output=True)
        subprocess.run(["rm", "-rf", str(home)], capture_output=True)


def _fake_docker_save(path: Path, config: bytes, tag: str) -> Path:
    """A file shaped like `docker save` output holding an image we do not have (its config only)."""
    import hashlib
    import io

    digest = hashlib.sha256(config).hexdigest()
    manifest = json.dumps([{"Config": f"{digest}.json", "RepoTags": [tag], "Layers": []}]).encode()
    with tarfile.open(path, "w") as archive:
        for name, data in ((f"{digest}.json", config), ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_offline_rooms_load_the_kits_image_from_a_tarball_and_refuse_any_other(room, docker_client):
    import secrets

    tag = f"recamera-wizard-test/workshop-offline:{secrets.token_hex(4)}"
    tarball = room.root / "toolchain.tar"
    subprocess.run(["docker", "save", "-o", str(tarball), room.image], check=True)
    saved = image_id(room.image)
    room.image = tag  # the room's image is known only from the tarball
    try:
        prepared = room.prepare("--image-tarball", str(tarball))
        assert prepared.returncode == 0, prepared.stderr + prepared.stdout
        assert image_id(tag) == saved
        assert room.prepare("--image-tarball", str(tarball)).stdout.count("already there, the tarball's") == 1
        assert room.make_kit("--image-tarball", str(tarball)).returncode == 0
        kit = read_kit(room.kit)
        assert kit.content.toolchain.tarball == "toolchain.tar" and kit.content.toolchain.image_id == image_id(tag)

        # An attendee's own Docker: only the kit's image is loaded.
        other = _fake_docker_save(room.root / "other.tar", b'{"architecture":"amd64","os":"linux"}', "x/y:1")
        refused = cli(["toolchain-image", "load", str(other), "--kit", str(room.kit)], env=room.instructor_env)
        assert refused.returncode == 2 and "not the workshop kit's" in refused.stderr
        subprocess.run(["docker", "rmi", tag], capture_output=True)
        loaded = cli(["toolchain-image", "load", str(tarball), "--kit", str(room.kit)], env=room.instructor_env)
        assert loaded.returncode == 0, loaded.stderr + loaded.stdout
        assert image_id(tag) == kit.content.toolchain.image_id
    finally:
        subprocess.run(["docker", "rmi", tag], capture_output=True)

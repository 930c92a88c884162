"""The workshop kit file: round trip, locked options, and every way a kit is refused.

No server and no toolchain: kits are written and read on this machine. The host key in them is
a real ed25519 public key made with ssh-keygen at test time.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from sshd_support import keygen
from wizard.core.messages import WizardError
from wizard.core.workshop import kit as kits
from wizard.core.workshop.kit import KitContent, KitServer, KitToolchain, read_kit, resolve_options, write_kit


@pytest.fixture(scope="module")
def host_key(tmp_path_factory) -> tuple[str, str, str]:
    """(type, base64, fingerprint) of a fresh ed25519 host key."""
    import paramiko

    path = keygen(tmp_path_factory.mktemp("hostkey") / "host_ed25519")
    kind, blob = path.with_suffix(".pub").read_text().split()[:2]
    key = paramiko.PKey.from_type_string(kind, __import__("base64").b64decode(blob))
    from wizard.core.ssh.connection import fingerprint

    return kind, blob, fingerprint(key)


def content(host_key, **changes) -> KitContent:
    kind, blob, fp = host_key
    fields = dict(
        kit_id="kit-test01",
        title="Osaka workshop: 「検出」",
        preset="recamera-default",
        options=resolve_options("recamera-default", {"calibration_count": 20}),
        locked=("quantize", "processor", "calibration_count"),
        server=KitServer(target="workshop@127.0.0.1:2222", host_key_type=kind, host_key=blob,
                         host_key_fingerprint=fp, workshop_id="osaka-1", slots=2),
        toolchain=KitToolchain(image="recamera-wizard/toolchain:1.7", image_id="sha256:" + "a" * 64,
                               tarball="toolchain-1.7.tar"),
        language="ja",
    )
    fields.update(changes)
    return KitContent(**fields)


@pytest.fixture
def samples(tmp_path) -> tuple[Path, Path]:
    from docker_support import make_inputs

    return make_inputs(tmp_path / "samples-src", count=3)


def rewrite(kit_path: Path, out: Path, change) -> Path:
    """A copy of the kit with one member changed by ``change(name, data) -> data``."""
    with zipfile.ZipFile(kit_path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, change(info.filename, src.read(info.filename)))
    return out


def rewrite_content(kit_path: Path, out: Path, mutate) -> Path:
    """A copy of the kit whose kit.json was changed by ``mutate(doc)`` (and nothing else)."""

    def change(name, data):
        if name != kits.CONTENT_FILE:
            return data
        doc = json.loads(data)
        mutate(doc)
        return json.dumps(doc).encode()

    return rewrite(kit_path, out, change)


def refused(path: Path) -> str:
    with pytest.raises(WizardError) as error:
        read_kit(path)
    return error.value.problem.code


# --- round trip -------------------------------------------------------------------------------------


def test_round_trip_keeps_every_field_and_the_samples(tmp_path, host_key, samples):
    model, images = samples
    model_member, files = kits.sample_members(model, images)
    made = content(host_key, samples=kits.KitSamples(model=model_member,
                                                      images=tuple(m for m, _ in files if m != model_member)))
    written = write_kit(tmp_path / "room.rcwkit", made, files)
    opened = read_kit(tmp_path / "room.rcwkit")
    assert opened.content == made
    assert opened.checksum == written.checksum and opened.checksum.startswith("sha256:")
    assert opened.options["calibration_count"] == 20 and opened.options["quantize"] == "INT8"
    assert opened.options["fuse_preprocess"] is True  # from the preset, resolved into the kit
    got_model, got_images = opened.extract_samples(tmp_path / "unpacked")
    assert got_model.read_bytes() == model.read_bytes()
    assert sorted(p.name for p in got_images.iterdir()) == sorted(p.name for p in images.iterdir())
    # The same content makes the same bytes: a kit can be compared by its checksum or its file.
    again = write_kit(tmp_path / "again.rcwkit", made, files)
    assert (tmp_path / "again.rcwkit").read_bytes() == (tmp_path / "room.rcwkit").read_bytes()
    assert again.checksum == written.checksum


def test_locked_options_cannot_be_changed_but_unlocked_ones_can(tmp_path, host_key):
    kit = write_kit(tmp_path / "k.rcwkit", content(host_key))
    choices = kit.choices(model="m.onnx", images="imgs", out="ws")
    assert (choices.quantize, choices.calibration_count, choices.toolchain_image) == (
        "INT8", 20, "recamera-wizard/toolchain:1.7")
    with pytest.raises(WizardError) as locked:
        kit.choices(model="m.onnx", images="imgs", out="ws", overrides={"quantize": "BF16"})
    assert locked.value.problem.code == "kit_choice_locked" and locked.value.problem.params["option"] == "quantize"
    # The same value as the kit's is not a change.
    assert kit.choices(model="m", images="i", out="w", overrides={"calibration_count": 20}).calibration_count == 20
    unlocked = kit.choices(model="m", images="i", out="w", overrides={"tolerance": (0.9, 0.5)})
    assert unlocked.tolerance == (0.9, 0.5)
    with pytest.raises(WizardError) as unknown:
        kit.choices(model="m", images="i", out="w", overrides={"toolchain_image": "evil:latest"})
    assert unknown.value.problem.code == "kit_option_unknown"


def test_an_invalid_option_combination_never_makes_a_kit(host_key):
    from pydantic import ValidationError

    bad = resolve_options("recamera-default", {"quantize": "F16"})  # cv181x has no F16
    with pytest.raises(ValidationError):
        content(host_key, options=bad)
    with pytest.raises(ValidationError):
        content(host_key, locked=("model",))  # not a lockable option
    kind, blob, fp = host_key
    with pytest.raises(ValidationError):  # a fingerprint that is not the key's
        KitServer(target="w@h:22", host_key_type=kind, host_key=blob, host_key_fingerprint="SHA256:" + "A" * 43, slots=1)


# --- refused kits ------------------------------------------------------------------------------------


def test_a_tampered_kit_is_refused(tmp_path, host_key):
    path = tmp_path / "k.rcwkit"
    write_kit(path, content(host_key))

    def unlock_everything(doc):
        doc["locked"] = []
        doc["options"]["calibration_count"] = 500

    assert refused(rewrite_content(path, tmp_path / "edited.rcwkit", unlock_everything)) == "kit_changed"
    # Re-indenting kit.json changes no content: it is still the instructor's kit.
    pretty = rewrite(path, tmp_path / "pretty.rcwkit",
                     lambda n, d: json.dumps(json.loads(d), indent=8).encode() if n == kits.CONTENT_FILE else d)
    assert read_kit(pretty).checksum == read_kit(path).checksum


def test_a_tampered_sample_is_refused(tmp_path, host_key, samples):
    model, images = samples
    model_member, files = kits.sample_members(model, images)
    made = content(host_key, samples=kits.KitSamples(model=model_member,
                                                      images=tuple(m for m, _ in files if m != model_member)))
    path = write_kit(tmp_path / "k.rcwkit", made, files).path
    swapped = rewrite(path, tmp_path / "swapped.rcwkit",
                      lambda n, d: b"not the instructor's model" if n == model_member else d)
    assert refused(swapped) == "kit_changed"


def test_damaged_and_foreign_files_are_refused_with_their_reason(tmp_path, host_key):
    path = tmp_path / "k.rcwkit"
    write_kit(path, content(host_key))
    truncated = tmp_path / "truncated.rcwkit"
    truncated.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert refused(truncated) == "kit_not_a_kit"
    (tmp_path / "photo.rcwkit").write_bytes(b"\xff\xd8\xff\xe0 a jpeg")
    assert refused(tmp_path / "photo.rcwkit") == "kit_not_a_kit"
    no_sum = rewrite(path, tmp_path / "nosum.rcwkit", lambda n, d: d)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(no_sum, "w") as dst:
        dst.writestr(kits.CONTENT_FILE, src.read(kits.CONTENT_FILE))
    assert refused(no_sum) == "kit_damaged"
    stray = tmp_path / "stray.rcwkit"
    shutil.copy(path, stray)
    with zipfile.ZipFile(stray, "a") as archive:
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root true")
    assert refused(stray) == "kit_invalid"
    assert refused(tmp_path / "missing.rcwkit") == "file_not_found"


def test_a_kit_from_a_newer_version_is_refused_with_a_message(tmp_path, host_key):
    path = tmp_path / "k.rcwkit"
    write_kit(path, content(host_key))

    def newer(doc):
        doc["schema_version"] = kits.KIT_SCHEMA + 1
        doc["wizard_version"] = "9.0.0"
        doc["new_field_of_the_future"] = {"x": 1}

    future = rewrite_content(path, tmp_path / "future.rcwkit", newer)
    with pytest.raises(WizardError) as error:
        read_kit(future)
    p = error.value.problem
    assert p.code == "kit_newer_version"
    assert "9.0.0" in p.message and str(kits.KIT_SCHEMA + 1) in p.message
    assert "更新" in p.text("ja")[1]  # the next step, in Japanese too


def test_the_kit_cli_refuses_a_changed_kit_before_opening_anything(tmp_path, host_key):
    from docker_support import cli

    path = tmp_path / "k.rcwkit"
    write_kit(path, content(host_key))
    shown = cli(["workshop", "show-kit", str(path), "--json"])
    assert shown.returncode == 0 and json.loads(shown.stdout)["kit"]["title"] == "Osaka workshop: 「検出」"
    edited = rewrite(path, tmp_path / "edited.rcwkit",
                     lambda n, d: d.replace(b'"slots": 2', b'"slots": 9') if n == kits.CONTENT_FILE else d)
    for argv in (["workshop", "show-kit", str(edited)], ["--kit", str(edited)]):
        result = cli(argv, env={"QT_QPA_PLATFORM": "offscreen"})
        assert result.returncode == 2, result.stderr
        assert "checksum does not match" in result.stderr and "Traceback" not in result.stderr


def test_a_double_clicked_changed_kit_opens_the_window_to_say_why(tmp_path, host_key, monkeypatch):
    """The packaged windowed app started by Windows for a double-clicked kit (frozen, stderr a
    log file) opens the window, whose open_kit shows the refusal; from a console: exit 2 as above.
    The window is a stand-in that records the call (no Qt here)."""
    import io
    import sys

    import wizard.cli as cli_main
    from wizard.cli import gui

    path = tmp_path / "k.rcwkit"
    write_kit(path, content(host_key))
    edited = rewrite(path, tmp_path / "edited.rcwkit",
                     lambda n, d: d.replace(b'"slots": 2', b'"slots": 9') if n == kits.CONTENT_FILE else d)
    opened = []
    monkeypatch.setattr(gui, "launch_gui", lambda args: opened.append(args.kit) or 0)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert cli_main._main(["--kit", str(edited)]) == 2 and opened == []
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    assert cli_main._main(["--kit", str(edited)]) == 0 and opened == [str(edited)]
    assert "checksum does not match" in log.getvalue()

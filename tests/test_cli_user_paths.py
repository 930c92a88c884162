"""A path that is not what the command needs is said as what it is, by every command that reads
one: a folder where a file is expected, a link loop, a link to nowhere, a named pipe (which must
never hang the command) and an empty file. No toolchain is reached (`convert` stops at staging,
before Docker runs anything)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from wizard.core.messages import WizardError
from wizard.core.user_paths import check_input_file, check_input_folder

EXPECTED = {
    "folder": "is a folder",
    "loop": "leads back to itself (a link loop)",
    "dangling": "is a symbolic link, and what it points to",
    "fifo": "is a named pipe (FIFO)",
    "empty": "is empty (0 bytes)",
}


@pytest.fixture
def bad_paths(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "folder").mkdir()
    os.symlink(folder / "loop", folder / "loop")
    os.symlink(folder / "gone.onnx", folder / "dangling")
    os.mkfifo(folder / "fifo")
    (folder / "empty").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    from fs_support import model_and_photos

    folder = tmp_path_factory.mktemp("good")
    model, photos = model_and_photos(folder, 12, (160, 120))
    return {"model": str(model), "images": str(photos), "folder": folder}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, timeout=120,
                          cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))


def _commands(bad: str, good: dict, out: str) -> dict[str, list[str]]:
    return {
        "inspect": ["inspect", bad],
        "plan --model": ["plan", "--model", bad, "--images", good["images"], "--out", out],
        "convert --model": ["convert", "--model", bad, "--images", good["images"], "--out", out],
        "plan --test-image": ["plan", "--model", good["model"], "--images", good["images"], "--test-image", bad,
                              "--out", out],
        "plan --recipe": ["plan", "--recipe", bad, "--out", out],
        "parse-log": ["parse-log", bad],
        "check-model": ["check-model", bad],
        "toolchain-image load": ["toolchain-image", "load", bad],
    }


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_command_names_what_the_path_is(bad_paths, good, tmp_path, kind):
    bad = str(bad_paths / kind)
    for name, args in _commands(bad, good, str(tmp_path / "out")).items():
        if kind == "empty" and name in ("parse-log", "check-model"):
            continue  # these read an empty file and say what it lacks (tested with them)
        result = _cli(*args)
        said = result.stdout + result.stderr  # inspect reports on stdout, the others on stderr
        assert result.returncode == 2, (name, said)
        assert "Traceback" not in said, (name, said)
        assert "does not exist." not in said, (name, said)
        assert EXPECTED[kind] in said or (kind == "folder" and "is a folder, not an ONNX" in said), (name, said)
        assert said.count("error:") == 1, (name, said)  # one reason, not a second unrelated one
        assert not (tmp_path / "out").exists(), name


def test_images_sources_that_are_not_a_folder_are_named(bad_paths, tmp_path):
    for kind, expected in (("loop", EXPECTED["loop"]), ("dangling", EXPECTED["dangling"]),
                           ("fifo", "is not a folder"), ("empty", "is not a folder")):
        result = _cli("images", str(bad_paths / kind), "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and expected in result.stderr, (kind, result.stderr)
        assert "Traceback" not in result.stderr


def test_the_helper_passes_what_is_fine_and_says_the_rest(bad_paths, good):
    assert check_input_file(good["model"]).is_file()
    assert check_input_folder(good["images"]).is_dir()
    assert check_input_file(bad_paths / "empty", allow_empty=True).stat().st_size == 0
    with pytest.raises(WizardError) as caught:
        check_input_folder(good["model"])
    assert caught.value.problem.code == "not_a_directory"
    codes = {}
    for kind in EXPECTED:
        with pytest.raises(WizardError) as caught:
            check_input_file(bad_paths / kind)
        codes[kind] = caught.value.problem.code
    assert codes == {"folder": "path_is_folder", "loop": "path_link_loop", "dangling": "path_broken_link",
                     "fifo": "path_is_fifo", "empty": "path_empty"}
    assert "path_is_fifo" in {p for p in codes.values()}

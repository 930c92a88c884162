"""The settings store: typed round trip, recents, damaged files, and secrets only in the keychain."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backend import KeyringBackend

from wizard.core.app.settings import ActiveJob, RecentHost, SecretStore, Settings, SettingsStore, app_home


class FakeKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        self.items: dict[tuple[str, str], str] = {}

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def get_password(self, service, username):
        return self.items.get((service, username))

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


@pytest.fixture
def fake_keyring():
    previous = keyring.get_keyring()
    fake = FakeKeyring()
    keyring.set_keyring(fake)
    yield fake
    keyring.set_keyring(previous)


def test_home_follows_the_environment_override(tmp_path, monkeypatch):
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "h"))
    assert app_home() == tmp_path / "h"
    assert SettingsStore().path == tmp_path / "h" / "settings.json"


def test_round_trip_keeps_types(tmp_path):
    store = SettingsStore(tmp_path)
    s = Settings(language="ja")
    for i in range(12):
        s.add_recent_model(f"/m/{i}.onnx")
    s.add_recent_model("/m/3.onnx")
    s.add_recent_host(RecentHost("127.0.0.1", "me", 2222, "/k/id_ed25519"))
    s.add_recent_host(RecentHost("127.0.0.1", "me", 2222))  # same target replaces
    s.active_job = ActiveJob("docker", "run-1", "local", "/runs/1", 5.0)
    s.remember_options({"calibration_count": 50, "mean": (0.0, 0.0, 0.0), "ssh_password": "hunter2"})
    store.save(s)
    loaded = store.load()
    assert loaded.language == "ja"
    assert loaded.recent_models[0] == "/m/3.onnx" and len(loaded.recent_models) == 10
    assert loaded.recent_hosts == [RecentHost("127.0.0.1", "me", 2222, "")]
    assert loaded.active_job == ActiveJob("docker", "run-1", "local", "/runs/1", 5.0)
    assert loaded.last_options == {"calibration_count": 50, "mean": [0.0, 0.0, 0.0]}
    assert "hunter2" not in store.path.read_text(encoding="utf-8")


def test_damaged_file_gives_defaults_and_is_kept_aside(tmp_path):
    store = SettingsStore(tmp_path)
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load() == Settings()
    assert (tmp_path / "settings.json.bad").exists()
    store.path.write_text(json.dumps({"language": "xx", "recent_hosts": [{"bogus": 1}], "future": 1}))
    loaded = store.load()
    assert loaded.language is None and loaded.recent_hosts == []


def test_missing_file_gives_defaults(tmp_path):
    assert SettingsStore(tmp_path / "none").load() == Settings()


def test_secrets_go_to_the_keychain_only(tmp_path, fake_keyring):
    secrets = SecretStore()
    assert secrets.available()[0]
    assert secrets.set("me@127.0.0.1:2222", "s3cret")
    assert fake_keyring.items == {("recamera-wizard", "me@127.0.0.1:2222"): "s3cret"}
    assert secrets.get("me@127.0.0.1:2222") == "s3cret"
    SettingsStore(tmp_path).save(Settings())
    assert "s3cret" not in (tmp_path / "settings.json").read_text(encoding="utf-8")
    secrets.delete("me@127.0.0.1:2222")
    assert secrets.get("me@127.0.0.1:2222") is None


def test_unusable_keychain_is_reported_not_raised(fake_keyring):
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()
    assert secrets.available()[0] is False
    assert secrets.set("a", "b") is False
    assert secrets.get("a") is None

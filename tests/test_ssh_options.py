"""core/ssh/options.py: the login, host-key and timing values every SSH user takes (no connection
is made; HostKeyPolicy.store() builds the real HostKeyStore over files in tmp)."""

from __future__ import annotations

from pathlib import Path

from wizard.core.runners.factory import RunnerSpec
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings


def test_credentials_keep_their_secrets_out_of_repr_and_take_a_key_path_as_text():
    login = SshCredentials(key_file="~/.ssh/id_ed25519", password="pw-secret", key_passphrase="pp-secret")
    assert login.key_file == Path("~/.ssh/id_ed25519")
    assert "pw-secret" not in repr(login) and "pp-secret" not in repr(login)
    assert SshCredentials(key_file="").key_file is None  # an empty form field is no key
    spec = RunnerSpec(backend="ssh", host="me@127.0.0.1", key_file="k", password="pw", key_passphrase="pp",
                      accept_fingerprint="SHA256:abc")
    assert (spec.ssh_credentials(), spec.host_key_policy().accept_fingerprint) == (
        SshCredentials(key_file=Path("k"), password="pw", key_passphrase="pp"), "SHA256:abc")


def test_the_host_key_policy_makes_the_store_of_its_files(tmp_path, monkeypatch):
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    default = HostKeyPolicy().store()
    assert default.app_file == tmp_path / "home" / "data" / "known_hosts" and default.trust_user_file
    own = HostKeyPolicy(app_known_hosts=tmp_path / "kh", user_known_hosts=tmp_path / "ukh",
                        trust_user_file=False).store()
    assert (own.app_file, own.user_file, own.trust_user_file) == (tmp_path / "kh", tmp_path / "ukh", False)
    assert SshTimings() == SshTimings(connect_timeout=15.0, keepalive_seconds=15, reconnect_timeout=300.0,
                                      poll_interval=0.5)

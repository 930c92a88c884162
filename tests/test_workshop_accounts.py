"""One account per attendee, by value and in sh (fast tier: no server, no Docker).

The kit's per-attendee format, the names and paths of the root-owned workshop, the plan's
checks, the gatekeeper's command lines and program (run here by /bin/sh and dash with hostile
arguments, refusing them before anything is touched), the per-attendee runner's commands, and
the status snapshot of a planted root-owned workshop. The real set-up, sudo, sshd and Docker are
in test_workshop_isolation.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from test_workshop_kit import content, host_key, rewrite_content  # noqa: F401 (fixture)
from wizard.core.messages import WizardError
from wizard.core.workshop import gatekeeper
from wizard.core.workshop import kit as kits
from wizard.core.workshop import server_layout as layout
from wizard.core.workshop.kit import KitServer, read_kit, write_kit
from wizard.core.workshop.server_setup import ServerPlan, gatekeeper_commands, isolated_account_commands
from wizard.core.workshop.status import parse_status, status_command


def per_attendee(host_key, **changes):
    kind, blob, fp = host_key
    server = KitServer(target="seat01@10.0.0.5:2200", host_key_type=kind, host_key=blob, host_key_fingerprint=fp,
                       workshop_id="osaka-1", slots=2, accounts=kits.PER_ATTENDEE, account_hint="seat01 … seat20")
    changes.setdefault("schema_version", kits.PER_ATTENDEE_SCHEMA)
    return content(host_key, server=server, **changes)


# --- the kit ----------------------------------------------------------------------------------------


def test_a_per_attendee_kit_round_trips_and_logs_in_as_each_attendee(tmp_path, host_key):
    kit = read_kit(write_kit(tmp_path / "room.rcwkit", per_attendee(host_key)).path)
    server = kit.server
    assert server.per_attendee and kit.content.schema_version == 2 and server.account_hint == "seat01 … seat20"
    assert str(server.login_target("seat07")) == "seat07@10.0.0.5:2200"
    with pytest.raises(WizardError) as needed:
        server.login_target(None)
    assert needed.value.problem.code == "workshop_account_needed" and "seat01 … seat20" in needed.value.problem.message
    with pytest.raises(WizardError) as bad:
        server.login_target("seat 7; rm -rf ~")
    assert bad.value.problem.code == "workshop_bad_account"
    # A run's record names the attendee's own login: still this kit's server, another host is not.
    assert server.same_server("seat07@10.0.0.5:2200") and not server.same_server("seat07@10.0.0.6:2200")


def test_a_shared_login_kit_keeps_format_1_and_its_own_login(tmp_path, host_key):
    kit = read_kit(write_kit(tmp_path / "shared.rcwkit", content(host_key)).path)
    assert kit.content.schema_version == 1 and not kit.server.per_attendee
    assert str(kit.server.login_target("anyone")) == "workshop@127.0.0.1:2222"  # the kit's login, always
    assert not kit.server.same_server("other@127.0.0.1:2222")


def test_per_attendee_accounts_need_format_2_and_an_older_app_refuses_them(tmp_path, host_key, monkeypatch):
    with pytest.raises(ValueError, match="schema_version 2"):
        per_attendee(host_key, schema_version=1)
    path = write_kit(tmp_path / "room.rcwkit", per_attendee(host_key)).path
    monkeypatch.setattr(kits, "KIT_SCHEMA", 1)  # an app from before one account per attendee
    with pytest.raises(WizardError) as refused:
        read_kit(path)
    assert refused.value.problem.code == "kit_newer_version"


# --- the names and the plan -------------------------------------------------------------------------


def test_the_root_owned_workshop_names_and_paths():
    assert layout.isolated_run_dir("osaka-1", "osaka-1-abc") == \
        "/var/lib/recamera-wizard/workshops/osaka-1/jobs/osaka-1-abc/w"
    assert layout.account_names("seat", 3) == ["seat01", "seat02", "seat03"]
    assert layout.account_names("s", 120)[-1] == "s120" and layout.account_names("s", 120)[0] == "s001"
    long_a, long_b = "a" * 35 + "-one", "a" * 35 + "-two"
    groups = {layout.attendees_group(long_a), layout.attendees_group(long_b)}
    assert len(groups) == 2 and all(len(g) <= 32 for g in groups)  # groupadd's limit, never shared
    assert layout.attendees_group("osaka-1") == "rcw-osaka-1"
    assert layout.sudoers_file("osaka-1") == "/etc/sudoers.d/recamera-wizard-osaka-1"  # no '.': sudo reads it
    with pytest.raises(ValueError):
        layout.isolated_run_dir("osaka-1", "../../etc")


def test_the_plan_refuses_what_would_leave_a_room_without_a_way_in(tmp_path):
    codes = []
    for kwargs in ({"attendee_accounts": 3},  # neither a key nor a password sheet
                   {"attendee_accounts": 3, "account": "shared", "accounts_sheet": tmp_path / "s"},
                   {"attendee_accounts": 500, "accounts_sheet": tmp_path / "s"},
                   {"attendee_accounts": 3, "account_prefix": "Seat", "accounts_sheet": tmp_path / "s"}):
        with pytest.raises(WizardError) as refused:
            ServerPlan(workshop_id="ws1", **kwargs)
        codes.append(refused.value.problem.code)
    assert codes == ["workshop_accounts_no_login", "workshop_accounts_or_account", "workshop_bad_account_count",
                     "workshop_bad_account"]


def test_the_set_up_commands_carry_names_and_keys_as_arguments_never_as_shell_text():
    plan = ServerPlan(workshop_id="ws1", attendee_accounts=2, account_prefix="seat",
                      account_keys=("ssh-ed25519 AAAAC3Nza $(touch /tmp/pwned)",))
    commands = isolated_account_commands(plan) + gatekeeper_commands(plan)
    assert [label for label, _ in commands] == ["create the accounts seat01 … seat02",
                                                "authorize a key for seat01 … seat02", "install the gatekeeper",
                                                "allow the attendees the gatekeeper"]
    assert all(argv[:2] == ("sh", "-c") and argv[3] == "sh" for _, argv in commands)
    assert commands[0][1][4:] == ("rcw-ws1", "seat01", "seat02")
    assert commands[1][1][4] == "ssh-ed25519 AAAAC3Nza $(touch /tmp/pwned)"  # data, not script
    assert "setpriv" in commands[1][1][2]  # written as the attendee: a planted link never makes root write
    rule = gatekeeper.sudoers_rule("ws1")
    assert rule.splitlines()[-1] == "%rcw-ws1 ALL=(root) NOPASSWD: /usr/local/sbin/recamera-wizard-gatekeeper"


# --- the gatekeeper ---------------------------------------------------------------------------------


def test_the_gatekeeper_program_is_complete_sh():
    import re

    script = gatekeeper.gatekeeper_script()
    assert not re.search(r"@[A-Z_]+@", script)  # every @TOKEN@ filled in
    for sh in ("sh", "dash", "bash"):
        if shutil.which(sh):
            subprocess.run([sh, "-n", "-c", script], check=True)  # parses


def test_the_gatekeeper_calls_are_sudo_n_with_checked_values():
    assert gatekeeper.command("run", "ws1", "ws1-abc") == \
        "sudo -n /usr/local/sbin/recamera-wizard-gatekeeper run ws1 ws1-abc"
    assert gatekeeper.command("image-id", "ws1").endswith("image-id ws1")
    for bad in (("shell", "ws1", "ws1-a"), ("run", "ws1;id", "ws1-a"), ("run", "ws1", "ws1-a;id")):
        with pytest.raises((ValueError, WizardError)):
            gatekeeper.command(*bad)


@pytest.fixture
def planted_workshop(tmp_path):
    """The gatekeeper program with its root folder moved into tmp (its paths are the only change)."""
    root = tmp_path / "workshops"
    (root / "ws1" / "jobs").mkdir(parents=True)
    for name, text in (("workshop.json", "{}"), ("group", "rcw-ws1-nobody-has-it"), ("image", "img:1")):
        (root / "ws1" / name).write_text(text + "\n")
    program = tmp_path / "gatekeeper"
    program.write_text(gatekeeper.gatekeeper_script().replace(layout.ISOLATED_ROOT, str(root)))
    return program, root


@pytest.mark.parametrize("sh", ["sh", "dash"])
def test_the_gatekeeper_refuses_before_touching_anything(planted_workshop, sh, tmp_path):
    """Hostile ids are refused by pattern; a caller who is not one of the workshop's attendees
    (here: root itself, or a name sudo would never set) is refused every attendee verb."""
    if not shutil.which(sh):
        pytest.skip(f"{sh} is not installed here (Debian: apt-get install {sh})")
    program, root = planted_workshop
    marker = tmp_path / "pwned"

    def call(*args: str, user: str = "") -> subprocess.CompletedProcess:
        env = {"PATH": os.environ["PATH"], **({"SUDO_USER": user} if user else {})}
        return subprocess.run([sh, str(program), *args], capture_output=True, text=True, env=env, timeout=30)

    if os.geteuid() != 0:
        assert call("open", "ws1", "ws1-a").returncode == 2  # only through sudo (as root)
        return
    cases = [
        (("open", f"ws1;touch {marker}", "ws1-a"), 2),
        (("open", "../ws1", "ws1-a"), 2),
        (("open", "ws2", "ws2-a"), gatekeeper.EXIT_NOT_SET_UP),
        (("open", "ws1", f"ws1-$(touch {marker})"), gatekeeper.EXIT_REFUSED),  # not an attendee: refused first
        (("run", "ws1", "ws1-a"), gatekeeper.EXIT_REFUSED),
        (("stop", "ws1", "ws1-a"), gatekeeper.EXIT_REFUSED),
        (("remove", "ws1", "ws1-a"), gatekeeper.EXIT_REFUSED),
        (("shell", "ws1"), 2),
    ]
    for args, code in cases:
        for user in ("", "root", "nobody"):
            result = call(*args, user=user)
            assert result.returncode == code, (args, user, result.stderr)
            assert result.stderr.startswith("gatekeeper: ")
    assert not marker.exists() and list((root / "ws1" / "jobs").iterdir()) == []


# --- the runner's commands --------------------------------------------------------------------------


def test_a_per_attendee_runner_goes_through_the_gatekeeper(tmp_path, host_key):
    from wizard.core.workshop.runner import WorkshopRunner

    kit = read_kit(write_kit(tmp_path / "room.rcwkit", per_attendee(host_key)).path)
    runner = WorkshopRunner(kit=kit, account="seat07", run_id="osaka-1-r1")
    assert str(runner.target) == "seat07@10.0.0.5:2200" and runner.handle.where == "seat07@10.0.0.5:2200"
    assert runner.remote_dir == "/var/lib/recamera-wizard/workshops/osaka-1/jobs/osaka-1-r1/w"
    assert runner.workshop_dir == "/var/lib/recamera-wizard/workshops/osaka-1"
    assert runner._convert_command() == gatekeeper.command("run", "osaka-1", "osaka-1-r1")
    assert runner.before_container_script() == runner.after_container_script() == ""  # root's queue
    cancel = runner._cancel_command()
    assert gatekeeper.command("stop", "osaka-1", "osaka-1-r1", "5") in cancel and "docker" not in cancel
    assert runner._cleanup_command() == gatekeeper.command("remove", "osaka-1", "osaka-1-r1")
    assert runner._queue_state_path == "/var/lib/recamera-wizard/workshops/osaka-1/jobs/osaka-1-r1/queue.state"
    # A re-attach from the run's record signs in as the same account.
    again = WorkshopRunner.attach(runner.handle, kit=kit)
    assert str(again.target) == "seat07@10.0.0.5:2200" and again.remote_dir == runner.remote_dir
    with pytest.raises(ValueError):
        WorkshopRunner("seat07@10.9.9.9:2200", kit=kit)


def test_the_status_snapshot_of_a_root_owned_workshop_by_sh(tmp_path):
    """jobs/<id>/w/ are the runs, root's jobs/<id>/queue.state their queue record, and a link an
    attendee planted in their run folder is not followed."""
    ws = tmp_path / "ws"
    for sub in ("queue/waiting", "queue/running", "queue/slots", "jobs", "records"):
        (ws / sub).mkdir(parents=True)
    (ws / "slots").write_text("2\n")
    job = ws / "jobs" / "ws1-done1"
    (job / "w").mkdir(parents=True)
    (job / "queue.state").write_text("ticket 1 1000\nadmitted 1 1001\nended 0 1030\n")
    (job / "w" / "attendee.json").write_text('{"attendee": "Aiko", "model": "helmet"}')
    (job / "w" / "exit_code").write_text("0\n")
    sneaky = ws / "jobs" / "ws1-sneaky"
    (sneaky / "w").mkdir(parents=True)
    secret = tmp_path / "root-only.json"
    secret.write_text('{"attendee": "the secret"}')
    (sneaky / "w" / "attendee.json").symlink_to(secret)
    out = subprocess.run(["sh", "-c", status_command(str(ws), "ws1", per_attendee=True)], capture_output=True,
                         check=True).stdout
    jobs = {j.run_id: j for j in parse_status(out, target="root@h:22", workshop_id="ws1").jobs}
    assert (jobs["ws1-done1"].attendee, jobs["ws1-done1"].state, jobs["ws1-done1"].ticket) == ("Aiko", "done", 1)
    assert jobs["ws1-done1"].elapsed == 30
    import gzip

    assert b"the secret" not in gzip.decompress(out)  # the link was not read
    assert all(j.attendee != "the secret" for j in jobs.values())


def test_the_password_sheet_is_appended_to_and_only_the_instructors(tmp_path):
    from wizard.core.workshop.server_setup import new_password, write_accounts_sheet

    sheet = tmp_path / "seats.txt"
    sheet.write_text("# an earlier room\nseat01\tabc\n")
    sheet.chmod(0o644)
    password = new_password()
    write_accounts_sheet(sheet, [("seat02", password)], "root@10.0.0.5:22")
    lines = sheet.read_text().splitlines()
    assert lines[:2] == ["# an earlier room", "seat01\tabc"] and lines[-1] == f"seat02\t{password}"
    assert oct(sheet.stat().st_mode & 0o777) == "0o600"
    assert len(password) == 12 and set(password) <= set("abcdefghjkmnpqrstuvwxyz23456789")

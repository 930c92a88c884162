"""Pure parts of the deploy: flow edits, model.json, chunk plan, addresses, the login cipher."""

from __future__ import annotations

import copy
import shutil
import subprocess

import pytest

from recamera_sim import FACTORY_MODEL_URI, default_flows, make_cvimodel
from recamera_sim.fixtures import loopback_only  # noqa: F401  (autouse: loopback-only network)
from wizard.core.device import nodered_flow as flows
from wizard.core.device.auth import decrypt_password, encrypt_password, zero_pad
from wizard.core.device.address import DeviceAddress
from wizard.core.device.deploy import DeployRequest, check_model_file, plan_chunks, plan_deploy
from wizard.core.device.model_json import build_model_info, first_mismatch, parse_classes_option
from wizard.core.messages import WizardError


def test_switch_model_changes_uri_name_and_classes_only():
    before = default_flows()
    pristine = copy.deepcopy(before)
    switch = flows.switch_model(before, "/userdata/Models/model.cvimodel", "mine.cvimodel", ["cat", "dog"])
    assert before == pristine, "the input flow must not be modified"
    node = next(n for n in switch.flows if n["type"] == "model")
    old = next(n for n in pristine if n["type"] == "model")
    assert node["uri"] == "/userdata/Models/model.cvimodel"
    assert node["model"] == "mine.cvimodel"
    assert node["classes"] == "cat,dog"
    for key in ("tscore", "tiou", "debug", "trace", "counting", "splitter", "client", "wires", "x", "y", "z"):
        assert node[key] == old[key], key
    others_before = [n for n in pristine if n["type"] != "model"]
    others_after = [n for n in switch.flows if n["type"] != "model"]
    assert others_after == others_before
    assert (switch.old_uri, switch.new_uri) == (FACTORY_MODEL_URI, "/userdata/Models/model.cvimodel")


def test_switch_model_refuses_no_or_many_model_nodes():
    no_model = [n for n in default_flows() if n["type"] != "model"]
    with pytest.raises(flows.FlowEditError) as exc:
        flows.switch_model(no_model, "/x", "x")
    assert exc.value.code == "flow_no_model_node"
    two = default_flows() + [dict(default_flows()[3], id="second")]
    with pytest.raises(flows.FlowEditError) as exc:
        flows.switch_model(two, "/x", "x")
    assert exc.value.code == "flow_many_model_nodes" and exc.value.params == {"count": 2}


def test_disabled_model_node_is_ignored():
    flow = default_flows() + [dict(default_flows()[3], id="off", d=True)]
    switch = flows.switch_model(flow, "/u", "n")
    assert switch.node_id == "a7f38a5be039ae97"
    assert next(n for n in switch.flows if n["id"] == "off")["uri"] == FACTORY_MODEL_URI


def test_class_names_with_commas_do_not_split_labels():
    switch = flows.switch_model(default_flows(), "/u", "n", ["a,b", "c"])
    assert next(n for n in switch.flows if n["type"] == "model")["classes"] == "a b,c"


def test_model_info_has_factory_fields_and_editor_fields():
    info = build_model_info("/tmp/best.cvimodel", ["cat", "dog"], md5="0" * 32)
    assert info["model_id"] == "0" and info["model_name"] == "best.cvimodel"
    assert info["classes"] == ["cat", "dog"] and info["checksum"] == "0" * 32
    assert info["model_format"] == "cvimodel" and "ai_framwork" in info
    assert first_mismatch(info, dict(info)) is None
    assert first_mismatch(info, {**info, "classes": ["cat"]}) == {"field": "classes", "expected": '["cat", "dog"]',
                                                                 "found": '["cat"]'}
    assert first_mismatch(info, None)["found"] == "nothing"
    assert parse_classes_option(" person, car ,dog ") == ["person", "car", "dog"]


@pytest.mark.parametrize("text, position", [("a,,b", 2), (",a", 1), ("a,b,", 3), ("a, ,b", 2)])
def test_an_empty_class_is_refused_because_it_would_shift_every_later_id(text, position):
    with pytest.raises(WizardError) as exc:
        parse_classes_option(text)
    problem = exc.value.problem
    assert problem.code == "deploy_empty_class" and problem.params["position"] == position
    assert f"Class {position} in \"{text}\" is empty" in problem.message and "wrong id" in problem.message
    assert "without empty entries" in problem.fix and "空" in problem.text("ja")[0]


def test_plan_refuses_an_empty_class_from_any_source(tmp_path):
    model = make_cvimodel(tmp_path / "m.cvimodel", size=4000)
    with pytest.raises(WizardError) as exc:
        plan_deploy(DeployRequest(str(model), classes=("cat", "", "dog"), state_dir=str(tmp_path)))
    assert exc.value.problem.code == "deploy_empty_class" and exc.value.problem.params["position"] == 2


def test_chunk_plan_matches_the_web_client():
    kb512 = 512 * 1024
    assert plan_chunks(1000) == ((0, 1000),)
    assert plan_chunks(kb512) == ((0, kb512),)
    assert plan_chunks(kb512 + 1) == ((0, kb512), (kb512, 1))
    assert plan_chunks(1_300_000) == ((0, kb512), (kb512, kb512), (2 * kb512, 1_300_000 - 2 * kb512))


@pytest.mark.parametrize(
    "text, host, port",
    [("192.168.42.1", "192.168.42.1", 80), ("127.0.0.1:8080", "127.0.0.1", 8080), ("recamera.local", "recamera.local", 80),
     ("[::1]:81", "::1", 81), (None, "192.168.42.1", 80), ("fe80::1", "fe80::1", 80), ("[::1]", "::1", 80),
     ("recamera.local.", "recamera.local.", 80), (" 127.0.0.1:18080 ", "127.0.0.1", 18080)],
)
def test_device_address_parse(text, host, port):
    address = DeviceAddress.parse(text)
    assert (address.host, address.port) == (host, port)


@pytest.mark.parametrize("text", ["http://192.168.42.1", "host:0", "host:99999", "host:abc", "a b", "[::1",
                                  "127.0.0.1:18080:1", "256.1.1.1", "1.2.3", "[recamera.local]:80", "-bad.local",
                                  "host:８０", "192.168.42.1/api", "user@192.168.42.1", "fe80::1::2"])
def test_device_address_rejects_bad_input(text):
    with pytest.raises(WizardError) as exc:
        DeviceAddress.parse(text)
    assert exc.value.problem.code == "device_bad_address"
    assert "1 to 65535" in exc.value.problem.fix and "[fe80::1]:80" in exc.value.problem.fix  # the rule itself


def test_password_cipher_round_trip_and_padding():
    assert len(zero_pad(b"abc")) == 16 and zero_pad(b"a" * 16) == b"a" * 16
    for password in ("recamera", "x" * 16, "pässwörd-32-chars-long-abcdefghij"):
        assert decrypt_password(encrypt_password(password)) == password


def test_password_cipher_matches_openssl():
    """An independent AES-128-ECB implementation (openssl) gives the same hex as the web UI's scheme."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not installed")
    key_hex = b"zqCwT7H7!rNdP3wL".hex()
    padded = zero_pad(b"recamera")
    out = subprocess.run(["openssl", "enc", "-aes-128-ecb", "-K", key_hex, "-nopad"], input=padded,
                         capture_output=True, check=True).stdout
    assert encrypt_password("recamera") == out.hex()


def test_plan_refuses_non_cvimodel_and_other_chip(tmp_path):
    onnx = tmp_path / "best.onnx"
    onnx.write_bytes(b"\x08\x07" + b"\0" * 100)
    with pytest.raises(WizardError) as exc:
        check_model_file(onnx)
    assert exc.value.problem.code == "deploy_not_cvimodel" and str(onnx) in exc.value.problem.message
    other = make_cvimodel(tmp_path / "other.cvimodel", chip="cv183x", size=2000)
    with pytest.raises(WizardError) as exc:
        check_model_file(other)
    assert exc.value.problem.code == "deploy_wrong_chip" and "cv183x" in exc.value.problem.message
    with pytest.raises(WizardError) as exc:
        check_model_file(tmp_path / "missing.cvimodel")
    assert exc.value.problem.code == "file_not_found"


def test_plan_needs_classes(tmp_path):
    model = make_cvimodel(tmp_path / "m.cvimodel", size=2000)
    with pytest.raises(WizardError) as exc:
        plan_deploy(DeployRequest(str(model), state_dir=str(tmp_path)))
    assert exc.value.problem.code == "deploy_no_classes"
    plan = plan_deploy(DeployRequest(str(model), classes=("a", "b"), state_dir=str(tmp_path)))
    assert plan.classes == ("a", "b") and plan.model_info["classes"] == ["a", "b"]
    assert plan.remote_model_path == "/userdata/Models/model.cvimodel"
    assert plan.steps == ("discover", "upload", "verify", "switch")


def test_classes_from_onnx_metadata(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 640, 640])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 640, 640])])
    model = helper.make_model(graph)
    helper.set_model_props(model, {"names": "{0: 'person', 1: 'forklift'}"})
    path = tmp_path / "best.onnx"
    onnx.save(model, str(path))
    cvi = make_cvimodel(tmp_path / "m.cvimodel", size=2000)
    plan = plan_deploy(DeployRequest(str(cvi), classes_from=str(path), state_dir=str(tmp_path)))
    assert plan.classes == ("person", "forklift") and plan.class_source == str(path)


def test_check_model_file_uses_the_shared_header_check(tmp_path):
    """Real files through wizard.core.toolchain.cvimodel.check_cvimodel: sound, truncated, and a .bmodel."""
    model = make_cvimodel(tmp_path / "m.cvimodel", size=4000)
    assert check_model_file(model) == "cv181x"
    truncated = tmp_path / "truncated.cvimodel"
    truncated.write_bytes(model.read_bytes()[:1000])
    with pytest.raises(WizardError) as exc:
        check_model_file(truncated)
    assert exc.value.problem.code == "deploy_not_cvimodel" and str(truncated) in exc.value.problem.message
    bmodel = tmp_path / "yolo.bmodel"
    bmodel.write_bytes(b"\xee\xaa\x55\xff" + bytes(4000))
    with pytest.raises(WizardError) as exc:
        check_model_file(bmodel)
    assert exc.value.problem.code == "deploy_not_cvimodel"

"""Presets shipped in resources/presets: readable, valid, and applied under explicit choices."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.core.plan.choices import validate_choices
from wizard.core.plan import presets
from wizard.core.messages import WizardError
from wizard.core.plan.choices import ConversionChoices

from test_plan import yolo11n_report

REPO = Path(__file__).resolve().parent.parent


def test_every_shipped_preset_loads_in_both_languages_and_validates():
    shipped = presets.available_presets()
    assert presets.DEFAULT_PRESET in shipped
    assert set(shipped) == {"recamera-default", "recamera-strict-check", "recamera-bf16",
                            "unfused-preprocessing"}
    for preset in shipped.values():
        for lang in ("en", "ja"):
            label, description = preset.text(lang)
            assert label and description
        choices = presets.apply_preset(ConversionChoices("m", "i", "o"), preset)
        assert validate_choices(choices, yolo11n_report()) == [], preset.id


def test_the_default_preset_is_the_guide():
    default = presets.apply_preset(ConversionChoices("m", "i", "o"), presets.get_preset("recamera-default"))
    assert validate_choices(default, yolo11n_report()) == []
    assert default == ConversionChoices("m", "i", "o", quantize="INT8", aligned_input=True,
                                        customization_format="RGB_PACKED")


def test_explicit_choices_win_over_the_preset():
    strict = presets.get_preset("recamera-strict-check")
    choices = presets.apply_preset(ConversionChoices("m", "i", "o", calibration_count=50), strict,
                                   explicit={"calibration_count"})
    assert choices.calibration_count == 50 and choices.tolerance == (0.85, 0.45)


def test_unknown_and_broken_presets_are_clear_errors(tmp_path):
    with pytest.raises(WizardError) as caught:
        presets.get_preset("fastest")
    assert "recamera-default" in caught.value.problem.fix
    (tmp_path / "bad.json").write_text(json.dumps({"id": "x", "label": {"en": "x"}, "description": {"en": "x"},
                                                   "choices": {"model": "/etc/passwd"}}))
    with pytest.raises(WizardError) as caught:
        presets.available_presets(tmp_path)
    assert caught.value.problem.code == "preset_unreadable" and "bad.json" in caught.value.problem.message


def test_plan_cli_applies_a_preset(tmp_path):
    from wizard.core.images.samples import generate_sample_images
    from wizard.core.model.samples import write_sample_model

    model = write_sample_model(tmp_path / "m.onnx", imgsz=(320, 320))
    generate_sample_images(tmp_path / "photos", 14, size=(320, 240))
    result = subprocess.run(
        [sys.executable, "-m", "wizard", "plan", "--model", str(model), "--images", str(tmp_path / "photos"),
         "--out", str(tmp_path / "ws"), "--preset", "recamera-bf16", "--json"],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["recipe"]["quantize"] == "BF16"
    assert [c["step"] for c in data["commands"]] == ["transform", "deploy"]

"""The layers of wizard/, enforced (style rule 1 and issue 9).

- import-linter contracts in pyproject.toml: the GUI and CLI sit on the core; inside the core
  app -> workshop/detections -> runners/device -> plan -> model/images/toolchain -> ssh -> events
  -> messages; inside images stage -> select -> convert/sources/preview -> decode -> sniff/report;
  the core never imports Qt.
- No import cycles between any two modules of wizard/ (grimp's graph, function-local imports
  included).
- Both rules are proved to bite on a copy of the package with a deliberately wrong import.
- The core imports and works with Qt blocked.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "wizard" / "core"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "qasync", "shiboken6", "wizard.gui")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": ""})


def import_cycles(root: Path) -> list[list[str]]:
    """Strongly connected groups of modules in the package under ``root`` (Tarjan)."""
    program = r"""
import sys, json, grimp
sys.setrecursionlimit(10000)
g = grimp.build_graph("wizard")
index, low, stack, on, found = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index); stack.append(v); on.add(v)
    for w in g.find_modules_directly_imported_by(v):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        group = []
        while True:
            w = stack.pop(); on.discard(w); group.append(w)
            if w == v: break
        if len(group) > 1: found.append(sorted(group))
for m in sorted(g.modules):
    if m not in index: visit(m)
print(json.dumps(found))
"""
    import json

    result = subprocess.run([sys.executable, "-c", program], cwd=root, capture_output=True, text=True,
                            env={"PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def package_copy(tmp_path):
    """The package and its contracts, copied, to break on purpose."""
    shutil.copytree(REPO / "wizard", tmp_path / "wizard", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_layer_contracts_are_kept():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_no_import_cycles():
    assert import_cycles(REPO) == []


@pytest.mark.parametrize("module, wrong_import, contract", [
    ("core/events.py", "from wizard.core.runners import job", "Inside the core"),
    ("core/model/inspect.py", "from wizard.core.plan import choices", "Inside the core"),
    ("core/runners/job.py", "from wizard.core.device import deploy", "Inside the core"),
    ("core/plan/recipe.py", "import wizard.cli", "Faces above the core"),
    ("core/toolchain/cvimodel.py", "import PySide6", "never imports Qt"),
    ("core/images/decode.py", "from wizard.core.images import select", "Inside images"),
])
def test_a_wrong_import_breaks_a_contract(package_copy, module, wrong_import, contract):
    path = package_copy / "wizard" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _wrong():\n    {wrong_import}\n", encoding="utf-8")
    result = _lint(package_copy)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


def test_a_cycle_is_found(package_copy):
    path = package_copy / "wizard" / "core" / "runners" / "protocol.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n\ndef _wrong():\n    from wizard.core.runners import job\n",
                    encoding="utf-8")
    assert ["wizard.core.runners.job", "wizard.core.runners.protocol"] in [
        [m for m in group if m in ("wizard.core.runners.job", "wizard.core.runners.protocol")] for group in import_cycles(package_copy)]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_sources_never_import_qt():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in FORBIDDEN or name.startswith("wizard.gui"):
                offenders.append(f"{path.relative_to(CORE.parent.parent)} imports {name}")
    assert offenders == []


def test_core_imports_with_qt_blocked():
    """Import every core module in a fresh interpreter where importing Qt raises."""
    modules = sorted(
        ".".join(p.relative_to(CORE.parent.parent).with_suffix("").parts).replace(".__init__", "")
        for p in CORE.rglob("*.py")
    )
    program = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {FORBIDDEN!r}: raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print('imported', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


FUNCTION_LOCAL_OK = ("onnx", "onnxruntime", "PIL", "docker", "paramiko", "requests", "numpy", "keyring",
                     "websockets", "httpx", "flatbuffers", "pydantic", "filelock", "PySide6", "qasync")


def test_the_target_names_what_is_specific_to_the_recamera():
    """One place (app/target.py) reaches the reCamera's processor, image, model format and deployer."""
    from wizard.core.app.target import DEFAULT_TARGET, TARGETS
    from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE

    assert TARGETS["recamera"] is DEFAULT_TARGET
    assert DEFAULT_TARGET.processor == "cv181x" and DEFAULT_TARGET.model_extension == ".cvimodel"
    assert DEFAULT_TARGET.toolchain_image == DEFAULT_TOOLCHAIN_IMAGE
    report = DEFAULT_TARGET.check_model("/nonexistent/model.cvimodel")
    assert not report.ok  # the target's own model check, not a stand-in
    assert callable(DEFAULT_TARGET.deploy) and callable(DEFAULT_TARGET.plan_deploy)

"""Stage the model file the toolchain will read: a byte-for-byte copy, or a really converted copy.

The reCamera guide's downgrade script only relabels ``ir_version`` and the opset, converting no
operator, and exits 0 even when the checker fails. Relabelling is wrong whenever an operator's
meaning changed between opsets (e.g. Split, Squeeze, ReduceSum moved attributes to inputs in 13/18),
so here the opset is converted for real with onnx's version converter, the IR is lowered only after
checking nothing needs the newer IR, and the result must pass the ONNX checker. The source file is
never modified.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from wizard.core.messages import WizardError
from wizard.core.user_paths import check_input_file
from wizard.core.model.inspect import MAX_TOOLCHAIN_IR, MAX_TOOLCHAIN_OPSET, ModelReport

# Element types added after IR 8 (onnx.proto TensorProto.DataType value -> (name, IR that added it)).
_NEWER_TYPES = {
    17: ("FLOAT8E4M3FN", 9), 18: ("FLOAT8E4M3FNUZ", 9), 19: ("FLOAT8E5M2", 9), 20: ("FLOAT8E5M2FNUZ", 9),
    21: ("UINT4", 10), 22: ("INT4", 10), 23: ("FLOAT4E2M1", 11), 24: ("FLOAT8E8M0", 12),
    25: ("UINT2", 13), 26: ("INT2", 13),
}


@dataclass(frozen=True)
class PreparedModel:
    """The staged model and what was done to get it."""

    path: Path
    converted: bool
    from_ir: int
    to_ir: int
    from_opset: int
    to_opset: int
    notes: tuple[str, ...] = field(default_factory=tuple)


def prepare_model_for_toolchain(src: str | Path, dst: str | Path, report: ModelReport) -> PreparedModel:
    """Write the model the toolchain should read to ``dst``: converted when ``report.needs_downgrade``,
    else an exact copy. Raises :class:`WizardError` with a plain-language problem on failure."""
    src, dst = Path(src), Path(dst)
    if _same_file(src, dst):
        raise WizardError.of("model_prepare_same_path", path=str(src))
    check_input_file(src, empty_code="model_empty", folder_code="model_is_folder")
    if not report.needs_downgrade:
        _copy(src, dst)
        return PreparedModel(dst, False, report.ir_version, report.ir_version, report.opset, report.opset,
                             ("copied unchanged",))
    model = _convert(src, report)
    _save_atomically(model, src, dst)
    notes = []
    if report.opset > MAX_TOOLCHAIN_OPSET:
        notes.append(f"operators converted from opset {report.opset} to {MAX_TOOLCHAIN_OPSET}")
    if report.ir_version > MAX_TOOLCHAIN_IR:
        notes.append(f"IR version lowered from {report.ir_version} to {MAX_TOOLCHAIN_IR}")
    return PreparedModel(dst, True, report.ir_version, int(model.ir_version), report.opset,
                         min(report.opset, MAX_TOOLCHAIN_OPSET), tuple(notes))


def _same_file(src: Path, dst: Path) -> bool:
    try:
        return src.resolve() == dst.resolve() or (dst.exists() and os.path.samefile(src, dst))
    except OSError:
        return False


def _copy(src: Path, dst: Path) -> None:
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    except OSError as exc:
        raise WizardError.of("model_copy_failed", path=str(src), target=str(dst),
                             detail=exc.strerror or str(exc)) from None


def _convert(src: Path, report: ModelReport):
    import onnx
    from onnx import version_converter

    try:
        model = onnx.load(str(src))
    except Exception as exc:  # inspect already vetted the file; this is a race or external data gone
        raise WizardError.of("model_unreadable", path=str(src), detail=_first_line(exc)) from None
    newer = _features_needing_newer_ir(model)
    if newer:
        needed_ir = max(ir for _, ir in newer)
        raise WizardError.of("model_ir_features", path=str(src), needed_ir=needed_ir, max_ir=MAX_TOOLCHAIN_IR,
                             features=sorted({name for name, _ in newer}))
    if len(model.functions) and report.opset > MAX_TOOLCHAIN_OPSET:
        # The version converter never converts function bodies: they would keep the newer operators.
        raise WizardError.of("model_has_functions", path=str(src), opset=MAX_TOOLCHAIN_OPSET,
                             functions=sorted({f.name for f in model.functions}))
    if report.opset > MAX_TOOLCHAIN_OPSET:
        bridged = _bridge_ops_without_adapters(model, src)
        try:
            model = version_converter.convert_version(model, MAX_TOOLCHAIN_OPSET)
        except Exception as exc:  # the converter raises RuntimeError/ConvertError with C++ text
            raise _conversion_error(src, exc) from None
        _restore_bridged_ops(model, bridged)
    model.ir_version = min(int(model.ir_version), MAX_TOOLCHAIN_IR)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:
        raise WizardError.of("model_convert_check_failed", path=str(src), opset=MAX_TOOLCHAIN_OPSET,
                             detail=_first_line(exc)) from None
    return model


# onnx's version converter has no adapter down to opset 17 for these (onnx 1.14-1.23): "No Adapter
# From Version $18 for Split", "... To Version $17 for Pad", "... To Version $19 for ConstantOfShape".
# Real YOLO11 exports use Split in every C3k2 block. Their newer versions only *added* things (an
# attribute, an optional input, a mode, element types), so a node that uses none of the additions
# means the same in the old version: it is parked in a private domain the converter leaves alone,
# then put back, after checking (and where needed rewriting) it into the old form.
_BRIDGE_DOMAIN = "recamera.wizard.bridge"
_OLD_CONSTANT_TYPES = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13}  # ConstantOfShape-9: no bfloat16


def _bridge_ops_without_adapters(model, src: Path) -> int:
    """Rewrite Split/Pad/ConstantOfShape into their opset-13 form and park them; returns how many."""
    from onnx import helper, numpy_helper
    import numpy as np

    graph = model.graph
    candidates = [n for n in graph.node
                  if n.domain in ("", "ai.onnx") and n.op_type in ("Split", "Pad", "ConstantOfShape")]
    if not candidates:
        return 0
    dims = _inferred_dims(model) if any(n.op_type == "Split" for n in candidates) else {}
    for node in candidates:
        label = node.name or node.output[0]
        attrs = {a.name: a for a in node.attribute}
        if node.op_type == "Split" and "num_outputs" in attrs:
            node.attribute.remove(attrs["num_outputs"])
            has_sizes = len(node.input) > 1 and node.input[1]
            if not has_sizes:
                axis = attrs["axis"].i if "axis" in attrs else 0
                shape = dims.get(node.input[0])
                size = shape[axis] if shape and -len(shape) <= axis < len(shape) else None
                parts = len(node.output)
                if not isinstance(size, int):
                    raise WizardError.of("model_op_feature_too_new", path=str(src), op="Split", node=label,
                                         feature="num_outputs", opset=MAX_TOOLCHAIN_OPSET)
                if size % parts:
                    # Split-18 makes the last part smaller; Split-13 needs the sizes spelled out.
                    chunk = -(-size // parts)
                    sizes = [chunk] * (parts - 1) + [size - chunk * (parts - 1)]
                    name = f"{label}_split_sizes"
                    graph.initializer.append(numpy_helper.from_array(np.array(sizes, dtype=np.int64), name))
                    if len(node.input) > 1:
                        node.input[1] = name
                    else:
                        node.input.append(name)
        elif node.op_type == "Pad":
            if len(node.input) > 3 and node.input[3]:
                raise WizardError.of("model_op_feature_too_new", path=str(src), op="Pad", node=label,
                                     feature="axes", opset=MAX_TOOLCHAIN_OPSET)
            if "mode" in attrs and attrs["mode"].s == b"wrap":
                raise WizardError.of("model_op_feature_too_new", path=str(src), op="Pad", node=label,
                                     feature="mode=wrap", opset=MAX_TOOLCHAIN_OPSET)
        elif node.op_type == "ConstantOfShape" and "value" in attrs:
            if attrs["value"].t.data_type not in _OLD_CONSTANT_TYPES:
                raise WizardError.of("model_op_feature_too_new", path=str(src), op="ConstantOfShape", node=label,
                                     feature="value type", opset=MAX_TOOLCHAIN_OPSET)
        node.domain = _BRIDGE_DOMAIN
    model.opset_import.append(helper.make_opsetid(_BRIDGE_DOMAIN, 1))
    return len(candidates)


def _restore_bridged_ops(model, count: int) -> None:
    if not count:
        return
    for node in model.graph.node:
        if node.domain == _BRIDGE_DOMAIN:
            node.domain = ""
    kept = [o for o in model.opset_import if o.domain != _BRIDGE_DOMAIN]
    del model.opset_import[:]
    model.opset_import.extend(kept)


def _inferred_dims(model) -> dict[str, tuple]:
    """Tensor name -> dims (int, or None when unknown) from ONNX shape inference."""
    import onnx

    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:  # inference is a help here, not a requirement
        return {}
    dims: dict[str, tuple] = {}
    for value in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        shape = value.type.tensor_type.shape
        dims[value.name] = tuple(d.dim_value if d.HasField("dim_value") else None for d in shape.dim)
    for tensor in inferred.graph.initializer:
        dims[tensor.name] = tuple(tensor.dims)
    return dims


def _features_needing_newer_ir(model) -> list[tuple[str, int]]:
    """(feature, IR that introduced it) for everything IR 8 cannot express."""
    from onnx import AttributeProto

    found: list[tuple[str, int]] = []

    def element_type(elem_type: int) -> None:
        if elem_type in _NEWER_TYPES:
            found.append(_NEWER_TYPES[elem_type])

    def value_type(type_proto) -> None:
        kind = type_proto.WhichOneof("value")
        if kind in ("tensor_type", "sparse_tensor_type"):
            element_type(getattr(type_proto, kind).elem_type)
        elif kind in ("sequence_type", "optional_type"):
            value_type(getattr(type_proto, kind).elem_type)
        elif kind == "map_type":
            value_type(type_proto.map_type.value_type)

    def graph(g) -> None:
        for tensor in g.initializer:
            element_type(tensor.data_type)
        for value in list(g.input) + list(g.output) + list(g.value_info):
            value_type(value.type)
        for node in g.node:
            for attr in node.attribute:
                if attr.type == AttributeProto.TENSOR:
                    element_type(attr.t.data_type)
                elif attr.type == AttributeProto.GRAPH:
                    graph(attr.g)
                elif attr.type == AttributeProto.GRAPHS:
                    for sub in attr.graphs:
                        graph(sub)
                if attr.name == "to" and node.op_type in ("Cast", "CastLike") and attr.type == AttributeProto.INT:
                    element_type(attr.i)

    graph(model.graph)
    return found


def _save_atomically(model, src: Path, dst: Path) -> None:
    """Write to a temporary file next to dst, then rename: a failure never leaves half a model."""
    import onnx

    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
        os.close(handle)
        try:
            onnx.save(model, temp_name)
            os.replace(temp_name, dst)
        finally:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
    except (OSError, ValueError) as exc:
        raise WizardError.of("model_copy_failed", path=str(src), target=str(dst),
                             detail=getattr(exc, "strerror", None) or str(exc)) from None


def _conversion_error(src: Path, exc: BaseException) -> WizardError:
    text = _first_line(exc)
    missing = re.search(r"No Previous Version of (\w+) exists", text)
    if missing:
        return WizardError.of("model_op_too_new", path=str(src), op=missing.group(1), opset=MAX_TOOLCHAIN_OPSET)
    # Drop the C++ source location and assertion boilerplate; keep what the converter says.
    text = re.sub(r"^.*?Assertion `[^`]*` failed:\s*", "", text)
    return WizardError.of("model_convert_failed", path=str(src), opset=MAX_TOOLCHAIN_OPSET, detail=text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]

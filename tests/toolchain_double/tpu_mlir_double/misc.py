"""Argument converters of tpu_mlir 1.7 (python/utils/misc.py), copied so the double parses alike.

They are the `type=` callables of the real parsers: the same errors (KeyError "not shape list",
NameError/SyntaxError from eval, ValueError from str2dict) must come out of the same inputs.
"""

from __future__ import annotations


def depth(seq):
    from collections.abc import Sequence
    from itertools import chain, count

    seq = iter(seq)
    try:
        for level in count():
            seq = chain([next(seq)], seq)
            seq = chain.from_iterable(s for s in seq if isinstance(s, Sequence))
    except StopIteration:
        return level


def str2shape(v):
    _shape = eval(v)  # as the real tool does: --input_shapes is a Python literal
    if not isinstance(_shape, list):
        raise KeyError("not shape list:{}".format(v))
    if len(_shape) == 0:
        return []
    dim = depth(_shape)
    if dim == 1:
        return [_shape]
    if dim != 2:
        raise KeyError("not shape list:{}".format(v))
    return _shape


def str2list(v):
    vars = v.split(',')
    vars = [s.strip() for s in vars]
    while vars.count('') > 0:
        vars.remove('')
    return vars


def str2dict(v):
    trimmed_str = v.strip("{}")
    pattern_pairs = trimmed_str.split(",")
    pattern_dict = {}
    for pair in pattern_pairs:
        key, value = pair.split(":")
        pattern_dict[key] = int(value) if value.isdigit() else float(value)
    return pattern_dict

"""tpu_mlir 1.7 python/utils/preprocess.py: its parser options, and the checks of config().

model_transform adds these options to its parser and calls config(**vars(args)) right after
parsing, so a misspelt option ends here: 1.7 collects unknown arguments into `unknown_params`
and reads them as the mean ("not parameters but starting with '-'", meant for `--mean -0.5,...`),
which gives `ValueError: could not convert string to float: '--keep_aspect_ration'`.
No numpy: the mean and scale are float32-rounded lists, printed as numpy prints float32.
"""

from __future__ import annotations

import argparse
import struct

from tpu_mlir_double.common import log_info
from tpu_mlir_double.misc import str2list, str2shape

supported_customization_format = [
    'RGB_PLANAR',
    'RGB_PACKED',
    'BGR_PLANAR',
    'BGR_PACKED',
    'GRAYSCALE',
    'YUV420_PLANAR',
    'YUV_NV21',
    'YUV_NV12',
    'RGBA_PLANAR',
    'GBRG_RAW',
    'GRBG_RAW',
    'BGGR_RAW',
    'RGGB_RAW',
    ''
]

def add_preprocess_parser(parser):
    # Copied option by option from 1.7 (help texts included: --help and usage errors print them).
    parser.add_argument("--resize_dims", type=str,
                        help="Image was resize to fixed 'h,w', default is same as net input dims")
    parser.add_argument("--keep_aspect_ratio", action='store_true', default=False,
                        help="Resize image by keeping same ratio, any areas which" +
                             "are not taken are filled with 0")
    parser.add_argument("--keep_ratio_mode", choices=['letterbox', 'short_side_scale'], default='letterbox',
                        help = "If use keep_aspect_ratio, different mode for resize")
    parser.add_argument("--mean", default='0,0,0', nargs='?',
                        help="Per Channel image mean values")
    parser.add_argument("--scale", default='1,1,1',
                        help="Per Channel image scale values")
    parser.add_argument("--pixel_format", choices=['rgb', 'bgr', 'gray', 'rgba', 'gbrg', 'grbg', 'bggr', 'rggb' ], default='bgr',
                        help='fixel format of output data that sent into model')
    parser.add_argument("--channel_format", choices=['nhwc', 'nchw', 'none'], default='nchw',
                        help='channel first or channel last, or not image')
    parser.add_argument("--pad_value", type=int, default=0,
                        help="pad value when resize ")
    parser.add_argument("--pad_type", type=str, choices=[
                        'normal', 'center'], default='center', help="type of pad when resize ")
    parser.add_argument("--white_level", type=float, default='4095', help="preprocess param for raw image")
    parser.add_argument("--black_level", type=float, default='112', help="preprocess param for raw image")
    parser.add_argument("--preprocess_list", type=str2list, default=list(),
                        help = "choose which input need preprocess, like:'1,3' means input 1&3 need preprocess, default all inputs")
    parser.add_argument("--debug_cmd", type=str, default='', help="debug cmd")
    avoid_opts = parser.add_argument_group('avoid options')
    avoid_opts.add_argument('unknown_params', nargs='?', default=[], help='not parameters but starting with "-"')

    return parser


def get_preprocess_parser(existed_parser=None):
    if existed_parser:
        if not isinstance(existed_parser, argparse.ArgumentParser):
            raise RuntimeError("parser is invaild")
        parser = existed_parser
    else:
        parser = argparse.ArgumentParser(description="Image Preprocess.")
    return add_preprocess_parser(parser)


def f32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


def f32_repr(value: float) -> str:
    """How numpy 1.24 prints a float32 scalar in a list: the shortest text that round-trips."""
    stored = f32(value)
    for digits in range(1, 10):
        text = "%.*g" % (digits, stored)
        if f32(float(text)) == stored:
            return repr(float(text))
    return repr(stored)


def f32_list_text(values) -> str:
    return "[" + ", ".join(f32_repr(v) for v in values) + "]"


class Preprocess:
    """The parts of 1.7's preprocess.config() that can fail or print, in the same order."""

    def config(self, resize_dims=None, keep_aspect_ratio=False, keep_ratio_mode="letterbox",
               customization_format=None, fuse_pre=False, aligned=False,
               mean='0,0,0', scale='1,1,1', pixel_format='bgr', pad_type='center', pad_value=0, chip="",
               channel_format='nchw', white_level='4095', black_level='112', preprocess_list: list = [],
               debug_cmd='', input_shapes=None, unknown_params=[], **ignored):
        if preprocess_list is not None and preprocess_list != []:
            self.preprocess_list = [int(i) for i in preprocess_list]
        else:
            self.preprocess_list = None
        if input_shapes is not None and input_shapes != [] and channel_format != 'none':
            if isinstance(input_shapes, str):
                input_shapes = str2shape(input_shapes)
            self.batch_size = input_shapes[0][0]
            self.net_input_dims = input_shapes[0][-2:]
            if channel_format == 'nhwc':
                if len(input_shapes[0]) >= 4:
                    self.net_input_dims = input_shapes[0][-3:-1]
                else:
                    self.net_input_dims = input_shapes[0][:-1]
        else:
            self.net_input_dims = None
        if resize_dims:
            if isinstance(resize_dims, str):
                self.resize_dims = [int(s) for s in resize_dims.split(',')]
            else:
                self.resize_dims = resize_dims
        else:
            self.resize_dims = self.net_input_dims
        self.keep_aspect_ratio = keep_aspect_ratio
        self.keep_ratio_mode = keep_ratio_mode
        self.pad_value = pad_value
        self.pad_type = pad_type
        self.pixel_format = pixel_format
        self.channel_format = channel_format
        self.channel_num = 3
        if self.pixel_format == 'gray':
            self.channel_num = 1
        elif self.pixel_format == 'rgba':
            self.channel_num = 4
        # 1.7 reads the mean from the unknown arguments whenever there are any.
        if unknown_params:
            self.mean = [f32(float(s)) for sublist in unknown_params for s in sublist.split(',')]
        else:
            self.mean = [f32(float(s)) for s in mean.split(',')]
        assert (len(self.mean) >= self.channel_num)
        self.scale = [f32(float(s)) for s in scale.split(',')]
        assert (len(self.scale) >= self.channel_num)
        resize_dims_str = resize_dims if resize_dims is not None else 'same to net input dims'
        log_info(
            "\n\t _____________________________________________________ \n"
            "\t| preprocess:                                           |\n"
            "\t|   (x - mean) * scale                                  |\n"
            "\t'-------------------------------------------------------'\n"
            "  config Preprocess args : \n"
            f"\tresize_dims           : {resize_dims_str}\n"
            f"\tkeep_aspect_ratio     : {self.keep_aspect_ratio}\n"
            f"\tkeep_ratio_mode       : {self.keep_ratio_mode}\n"
            f"\tpad_value             : {self.pad_value}\n"
            f"\tpad_type              : {self.pad_type}\n"
            "\t--------------------------\n"
            f"\tmean                  : {f32_list_text(self.mean)}\n"
            f"\tscale                 : {f32_list_text(self.scale)}\n"
            "\t--------------------------\n"
            f"\tpixel_format          : {self.pixel_format}\n"
            f"\tchannel_format        : {self.channel_format}\n")
        return self

    def to_dict(self) -> dict:
        """What the converter stores in the top MLIR's Input op (read back by load_config)."""
        return {
            "resize_dims": self.resize_dims, "keep_aspect_ratio": self.keep_aspect_ratio,
            "keep_ratio_mode": self.keep_ratio_mode, "pad_value": self.pad_value, "pad_type": self.pad_type,
            "mean": self.mean, "scale": self.scale, "pixel_format": self.pixel_format,
            "channel_format": self.channel_format,
        }


def raw_input_shape(input_shape: list[int], fmt: str, aligned: bool) -> list[int]:
    """The shape of `<input>_raw` in <name>_in_ori.npz (utils/preprocess.py, fuse_pre=True)."""
    height, width = int(input_shape[-2]), int(input_shape[-1])
    channels = 1 if fmt == "GRAYSCALE" else 3
    if fmt.endswith("_PACKED"):
        return [1, 1, height, -(-channels * width // 64) * 64] if aligned else [1, height, width, channels]
    if aligned:  # align_planar_frame: rows to 64, each plane to 64
        return [1, channels, 1, -(-(-(-width // 64) * 64 * height) // 64) * 64]
    return [1, channels, height, width]


def print_load_config(pre: dict, input_dims) -> None:
    """preprocess.load_config(): the block logged whenever a tool reads the Input op back."""
    resize_dims = pre.get("resize_dims") or list(input_dims)
    log_info(
        "\n  load_config Preprocess args : \n"
        f"\tresize_dims           : {resize_dims}\n"
        f"\tkeep_aspect_ratio     : {pre.get('keep_aspect_ratio', False)}\n"
        f"\tkeep_ratio_mode       : {pre.get('keep_ratio_mode', 'letterbox')}\n"
        f"\tpad_value             : {pre.get('pad_value', 0)}\n"
        f"\tpad_type              : {pre.get('pad_type', 'center')}\n"
        f"\tinput_dims            : {list(input_dims)}\n"
        "\t--------------------------\n"
        f"\tmean                  : {f32_list_text(pre.get('mean', [0.0, 0.0, 0.0]))}\n"
        f"\tscale                 : {f32_list_text(pre.get('scale', [1.0, 1.0, 1.0]))}\n"
        "\t--------------------------\n"
        f"\tpixel_format          : {pre.get('pixel_format', 'bgr')}\n"
        f"\tchannel_format        : {pre.get('channel_format', 'nchw')}\n")

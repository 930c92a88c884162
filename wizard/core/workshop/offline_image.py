"""Offline rooms: load the kit's toolchain image from a tarball into this computer's Docker.

``toolchain-image load FILE --kit KIT`` checks the tarball's image ID against the kit's BEFORE
loading (a wrong file from the USB stick is refused in a second), loads it, tags it as the kit's
image, and checks the engine now has exactly that image under the kit's tag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from wizard.core.events import Event, LogLine
from wizard.core.messages import WizardError
from wizard.core.runners.docker import image as ti
from wizard.core.workshop import image_tarball
from wizard.core.workshop.kit import read_kit


def load_for_kit(client, tarball: str | Path, kit_path: str | Path) -> Iterator[Event]:
    kit = read_kit(kit_path)
    toolchain = kit.content.toolchain
    if not toolchain.image_id:
        raise WizardError.of("kit_no_image_id", path=str(tarball))
    wanted = image_tarball.require_image(tarball, toolchain.image_id, toolchain.tarball or "")
    yield from ti.load_image(client, tarball)
    if toolchain.image not in wanted.repo_tags:
        client.images.get(toolchain.image_id).tag(toolchain.image)
    status = ti.image_status(client, toolchain.image)
    if status.image_id != toolchain.image_id:
        raise WizardError.of("kit_image_differs", image=toolchain.image, target="this computer",
                             expected=toolchain.image_id, found=status.image_id or "none")
    yield LogLine(f"{toolchain.image} is the kit's image ({toolchain.image_id[:19]})", step=ti.STEP, stream="runner")

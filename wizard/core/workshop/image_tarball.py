"""Which image a `docker save` tarball holds, read from the file itself before loading it.

A tarball's manifest.json names each image's config blob; the image ID is the SHA-256 of that
blob (classic layout ``<hex>.json``, OCI layout ``blobs/sha256/<hex>``; both have manifest.json).
Computing it here means a wrong file from the USB stick is refused in a second, before gigabytes
are copied into an engine. The layers themselves are verified by `docker load` against the
config's diff IDs, so matching the ID pins the whole image.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

from wizard.core.messages import WizardError

MAX_MANIFEST_BYTES = 1 << 20


@dataclass(frozen=True)
class TarballImage:
    image_id: str  # sha256:<hex>
    repo_tags: tuple[str, ...]


def tarball_images(path: str | Path) -> list[TarballImage]:
    path = Path(path)
    if not path.is_file():
        raise WizardError.of("file_not_found", path=str(path))
    try:
        with tarfile.open(path, "r:*") as archive:
            manifest = _member_bytes(archive, "manifest.json", MAX_MANIFEST_BYTES)
            entries = json.loads(manifest.decode("utf-8"))
            if not isinstance(entries, list) or not entries:
                raise ValueError("manifest.json lists no image")
            images = []
            for entry in entries:
                config = str(entry["Config"])
                digest = hashlib.sha256(_member_bytes(archive, config, 64 << 20)).hexdigest()
                images.append(TarballImage("sha256:" + digest, tuple(str(t) for t in entry.get("RepoTags") or ())))
            return images
    except (tarfile.TarError, OSError, ValueError, KeyError, TypeError, EOFError) as exc:
        raise WizardError.of("kit_tarball_unreadable", path=str(path),
                             detail=(str(exc) or type(exc).__name__).splitlines()[0][:200]) from None


def _member_bytes(archive: tarfile.TarFile, name: str, limit: int) -> bytes:
    member = archive.getmember(name)
    if not member.isfile() or member.size > limit:
        raise ValueError(f"{name} is not a small file")
    handle = archive.extractfile(member)
    if handle is None:
        raise ValueError(f"{name} cannot be read")
    return handle.read()


def require_image(path: str | Path, expected_id: str, tarball_name: str = "") -> TarballImage:
    """The tarball's image, when it is ``expected_id``; else the kit's "wrong file" error."""
    images = tarball_images(path)
    for image in images:
        if image.image_id == expected_id:
            return image
    raise WizardError.of("kit_tarball_other_image", path=str(path), expected=expected_id,
                         found=", ".join(i.image_id for i in images), tarball=tarball_name or Path(path).name)

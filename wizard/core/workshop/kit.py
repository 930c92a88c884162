"""The workshop kit (.rcwkit): everything an attendee's wizard needs, in one file.

A kit is a zip holding

    kit.json                 the content (schema below, validated with pydantic)
    samples/model/<x>.onnx   optional: a sample model
    samples/images/<y>       optional: sample pictures
    CHECKSUM                 "sha256:<hex>": over the canonical kit.json and every file's SHA-256

kit.json says: a title; the preset and every conversion option resolved (so a kit means the same
in a later app version whose presets changed) and which options are locked; the shared server
(user@host:port, its host public key, pinned: an attendee never has to accept an unknown key; the
workshop folder on it; how many conversions it runs at once); the toolchain image (tag, and its
image ID and tarball name for offline rooms); the camera defaults and the language. A room with
one account per attendee (prepare-server --attendee-accounts) is format 2: ``server.accounts`` is
"per-attendee", ``account_hint`` names the accounts for people, and each attendee logs in as their
own account on the kit's host and port (KitServer.login_target).

What the checksum does and does not do: it detects a kit damaged in copying or edited by hand
(someone "just changing" a locked option). It is not a signature: whoever can edit the file can
also recompute the checksum, so it does not prove the kit came from the instructor. The server's
host key pin only protects the connection the kit describes. Hand kits out through a channel the
room trusts (the instructor's USB stick, the course page).

Reading refuses, with a clear reason: a file that is not a kit, a kit whose checksum does not
match (damaged or changed), a kit from a newer format than this app reads, and invalid content.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wizard import __version__
from wizard.core.plan import presets
from wizard.core.messages import WizardError
from wizard.core.plan.choices import ConversionChoices, validate_choices
from wizard.core.ssh.connection import SshTarget
from wizard.core.workshop import server_layout as layout

KIT_FORMAT = "recamera-wizard-kit"
KIT_SCHEMA = 2  # the newest kit format this app reads and writes
# Format 1: one shared login; format 2 adds one account per attendee (server.accounts). A kit is
# written in the oldest format that holds it, so an older app still opens a shared-login kit, and
# refuses a per-attendee one as "from a newer version" instead of connecting as the wrong login.
SHARED_LOGIN_SCHEMA = 1
PER_ATTENDEE_SCHEMA = 2
SHARED, PER_ATTENDEE = "shared", "per-attendee"
KIT_SUFFIX = ".rcwkit"
CONTENT_FILE = "kit.json"
CHECKSUM_FILE = "CHECKSUM"
SAMPLE_MODEL_DIR = "samples/model/"
SAMPLE_IMAGES_DIR = "samples/images/"
MAX_CONTENT_BYTES = 1 << 20
MAX_KIT_BYTES = 1 << 30  # uncompressed, all members: refuse a zip bomb before reading it
MAX_SAMPLE_IMAGES = 1000
SAMPLE_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".heic", ".jfif")
_CHECKSUM_HEADER = b"recamera-wizard-kit checksum 1\n"
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed: the same content always makes the same file

# The conversion options a kit sets (the ones a preset may set) and what else it may lock.
OPTION_NAMES = tuple(sorted(presets._SETTABLE))  # noqa: SLF001 - one list of settable choices
LOCKABLE = frozenset(OPTION_NAMES) | {"camera", "language"}

_MEMBER = re.compile(r"^samples/(model|images)/[^/\\\x00-\x1f]{1,200}$")
_KIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$")
_IMAGE_ID = re.compile(r"^sha256:[0-9a-f]{64}$")
_FINGERPRINT = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}$")


# --- the content ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KitServer(_Strict):
    # user@host:port: the account attendees log in as; with accounts "per-attendee", the user part
    # is only the accounts' common prefix: each attendee logs in with their own (login_target).
    target: str
    host_key_type: str  # e.g. ssh-ed25519
    host_key: str  # the public key blob, base64 (as in known_hosts)
    host_key_fingerprint: str  # SHA256:..., as ssh-keygen -l prints it (shown to people)
    workshop_id: str = layout.DEFAULT_WORKSHOP_ID
    slots: int = Field(ge=1, le=layout.MAX_SLOTS)
    accounts: Literal["shared", "per-attendee"] = SHARED
    account_hint: str = Field(default="", max_length=200)  # e.g. "attendee01 ... attendee20", shown to people

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        try:
            return str(SshTarget.parse(value))
        except WizardError as exc:
            raise ValueError(exc.problem.message) from None

    @field_validator("workshop_id")
    @classmethod
    def _workshop_id(cls, value: str) -> str:
        try:
            return layout.check_workshop_id(value)
        except WizardError as exc:
            raise ValueError(exc.problem.message) from None

    @model_validator(mode="after")
    def _key_matches_fingerprint(self) -> "KitServer":
        if not _FINGERPRINT.match(self.host_key_fingerprint):
            raise ValueError(f"host_key_fingerprint {self.host_key_fingerprint!r} is not SHA256:<43 characters>")
        try:
            blob = base64.b64decode(self.host_key, validate=True)
        except ValueError:
            raise ValueError("host_key is not base64") from None
        if key_fingerprint(blob) != self.host_key_fingerprint:
            raise ValueError("host_key_fingerprint is not the fingerprint of host_key")
        return self

    @property
    def ssh_target(self) -> SshTarget:
        return SshTarget.parse(self.target)

    @property
    def per_attendee(self) -> bool:
        return self.accounts == PER_ATTENDEE

    def login_target(self, account: str | None = None) -> SshTarget:
        """Where an attendee logs in: the kit's target, or in a per-attendee room, the same host
        and port as their own ``account`` (which such a room needs)."""
        target = self.ssh_target
        if not self.per_attendee:
            return target
        if not account:
            raise WizardError.of("workshop_account_needed", hint=self.account_hint or target.user)
        layout.check_account_name(account)
        return SshTarget(account, target.host, target.port)

    def same_server(self, where: str) -> bool:
        """Is ``where`` (a run's user@host:port) this server, as an attendee of it logs in?"""
        try:
            seen = SshTarget.parse(where)
        except WizardError:
            return False
        mine = self.ssh_target
        return (seen.host, seen.port) == (mine.host, mine.port) and (self.per_attendee or seen.user == mine.user)



class KitToolchain(_Strict):
    image: str
    image_id: str | None = None  # sha256:<hex>: the exact image the room uses (checked on the server)
    tarball: str | None = None  # file name of its `docker save` tarball (offline rooms, USB stick)

    @field_validator("image_id")
    @classmethod
    def _image_id(cls, value: str | None) -> str | None:
        if value is not None and not _IMAGE_ID.match(value):
            raise ValueError(f"image_id {value!r} is not sha256:<64 hex digits>")
        return value

    @field_validator("tarball")
    @classmethod
    def _tarball(cls, value: str | None) -> str | None:
        if value is not None and (not value or "/" in value or "\\" in value or value in (".", "..")):
            raise ValueError(f"tarball {value!r} must be a plain file name")
        return value


class KitCamera(_Strict):
    host: str = "192.168.42.1"  # the reCamera over USB: a default setting, never contacted by the kit
    user: str = "recamera"


class KitSamples(_Strict):
    model: str | None = None  # member name inside the kit
    images: tuple[str, ...] = ()


class KitContent(_Strict):
    format: Literal["recamera-wizard-kit"] = KIT_FORMAT
    schema_version: int = SHARED_LOGIN_SCHEMA
    kit_id: str
    title: str = Field(min_length=1, max_length=200)
    language: Literal["en", "ja"] | None = None
    preset: str
    options: dict[str, Any]
    locked: tuple[str, ...] = ()
    server: KitServer
    toolchain: KitToolchain
    camera: KitCamera = KitCamera()
    samples: KitSamples = KitSamples()
    created: str = ""
    wizard_version: str = __version__

    @field_validator("kit_id")
    @classmethod
    def _kit_id(cls, value: str) -> str:
        if not _KIT_ID.match(value):
            raise ValueError(f"kit_id {value!r} is not 4-64 letters, digits, '_' or '-'")
        return value

    @field_validator("options")
    @classmethod
    def _options(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(OPTION_NAMES))
        if unknown:
            raise ValueError(f"unknown options {unknown}; known: {', '.join(OPTION_NAMES)}")
        try:
            choices = ConversionChoices(model="-", images="-", out="-", **_from_json(value))
        except TypeError as exc:
            raise ValueError(str(exc)) from None
        errors = [p for p in validate_choices(choices) if p.is_error]
        if errors:
            raise ValueError(errors[0].text("en")[0])
        return value

    @field_validator("locked")
    @classmethod
    def _locked(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - LOCKABLE)
        if unknown:
            raise ValueError(f"cannot lock {unknown}; lockable: {', '.join(sorted(LOCKABLE))}")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _format_holds_the_accounts(self) -> "KitContent":
        if self.server.per_attendee and self.schema_version < PER_ATTENDEE_SCHEMA:
            raise ValueError(f"accounts 'per-attendee' needs schema_version {PER_ATTENDEE_SCHEMA}")
        return self

    @model_validator(mode="after")
    def _samples_named_right(self) -> "KitContent":
        names = ([self.samples.model] if self.samples.model else []) + list(self.samples.images)
        for name in names:
            if not _MEMBER.match(name):
                raise ValueError(f"sample {name!r} is not a file under samples/model/ or samples/images/")
        if self.samples.model and not self.samples.model.startswith(SAMPLE_MODEL_DIR):
            raise ValueError("the sample model must be under samples/model/")
        if any(not n.startswith(SAMPLE_IMAGES_DIR) for n in self.samples.images):
            raise ValueError("sample images must be under samples/images/")
        if len(set(names)) != len(names):
            raise ValueError("a sample is listed twice")
        return self


def _from_json(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()}


def _to_json(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}


def key_fingerprint(blob: bytes) -> str:
    """OpenSSH's SHA256 fingerprint of a public key blob (as ssh_connection.fingerprint)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def new_kit_id() -> str:
    return "kit-" + secrets.token_hex(6)


def resolve_options(preset_id: str, explicit: Mapping[str, Any]) -> dict[str, Any]:
    """Every option's value: the preset's, then the instructor's explicit ones on top."""
    base = ConversionChoices(model="-", images="-", out="-")
    choices = presets.apply_preset(base, presets.get_preset(preset_id), explicit=set(explicit))
    choices = replace(choices, **{k: v for k, v in explicit.items() if k in OPTION_NAMES})
    if explicit.get("fuse_preprocess") is False and "aligned_input" not in explicit:
        # As `plan`: turning fusion off turns its dependant off too, unless asked for.
        choices = replace(choices, aligned_input=False)
    return _to_json({name: getattr(choices, name) for name in OPTION_NAMES})


# --- the kit as the app holds it -------------------------------------------------------------------


@dataclass(frozen=True)
class Kit:
    content: KitContent
    checksum: str  # sha256:<hex>
    path: Path | None = None
    file_digests: Mapping[str, str] | None = None  # member -> sha256 hex, as verified when read

    @property
    def title(self) -> str:
        return self.content.title

    @property
    def server(self) -> KitServer:
        return self.content.server

    @property
    def options(self) -> dict[str, Any]:
        return _from_json(self.content.options)

    def is_locked(self, name: str) -> bool:
        return name in self.content.locked

    @property
    def has_samples(self) -> bool:
        return bool(self.content.samples.model or self.content.samples.images)

    def choices(self, *, model: str, images: str, out: str, name: str | None = None,
                test_image: str | None = None, output_names: tuple[str, ...] | None = None,
                overrides: Mapping[str, Any] | None = None) -> ConversionChoices:
        """The attendee's choices: the kit's options, their own files (and model's output names),
        and changes to unlocked options only (a locked one is refused, naming it)."""
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        for option in sorted(overrides):
            if option not in OPTION_NAMES:
                raise WizardError.of("kit_option_unknown", option=option, known=", ".join(OPTION_NAMES))
            if self.is_locked(option) and _from_json({option: overrides[option]})[option] != self.options.get(option):
                raise WizardError.of("kit_choice_locked", option=option, title=self.title)
        settings = {**self.options, **_from_json(overrides)}
        if overrides.get("fuse_preprocess") is False and "aligned_input" not in overrides \
                and not self.is_locked("aligned_input"):
            settings["aligned_input"] = False
        known = {f.name for f in fields(ConversionChoices)}
        return ConversionChoices(model=model, images=images, out=out, name=name, test_image=test_image,
                                 output_names=output_names, toolchain_image=self.content.toolchain.image,
                                 **{k: v for k, v in settings.items() if k in known})

    def extract_samples(self, dest: Path) -> tuple[Path | None, Path | None]:
        """Write the sample model and pictures under ``dest``: (model file, images folder), each
        None when the kit has none. Every file is checked against the digest verified on reading."""
        if self.path is None or self.file_digests is None:
            raise WizardError.of("kit_samples_missing", title=self.title)
        dest = Path(dest)
        model_path = images_dir = None
        with zipfile.ZipFile(self.path) as archive:
            wanted = ([self.content.samples.model] if self.content.samples.model else []) + list(self.content.samples.images)
            for member in wanted:
                data = archive.read(member)
                if hashlib.sha256(data).hexdigest() != self.file_digests.get(member):
                    raise WizardError.of("kit_changed", path=str(self.path))
                target = dest / member  # member names were checked: samples/<model|images>/<plain name>
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(target.name + ".partial")
                tmp.write_bytes(data)
                os.replace(tmp, target)
                if member.startswith(SAMPLE_MODEL_DIR):
                    model_path = target
                else:
                    images_dir = target.parent
        return model_path, images_dir


# --- writing --------------------------------------------------------------------------------------


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compute_checksum(content: Mapping[str, Any], file_digests: Mapping[str, str]) -> str:
    """sha256 over the canonical content (sorted keys, no spaces, UTF-8) and each file's digest."""
    digest = hashlib.sha256(_CHECKSUM_HEADER)
    digest.update(_canonical(content))
    for name in sorted(file_digests):
        digest.update(b"\n" + name.encode("utf-8") + b"\0" + file_digests[name].encode("ascii"))
    return "sha256:" + digest.hexdigest()


def sample_members(model: Path | None, images: Path | None) -> tuple[str | None, list[tuple[str, Path]]]:
    """Member names for the instructor's sample files (pictures: the folder's image files)."""
    members: list[tuple[str, Path]] = []
    model_member = None
    if model is not None:
        if not Path(model).is_file():
            raise WizardError.of("file_not_found", path=str(model))
        model_member = SAMPLE_MODEL_DIR + _plain_name(Path(model).name)
        members.append((model_member, Path(model)))
    if images is not None:
        folder = Path(images)
        if not folder.is_dir():
            raise WizardError.of("file_not_found", path=str(folder))
        pictures = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SAMPLE_IMAGE_SUFFIXES)
        if not pictures:
            raise WizardError.of("kit_no_sample_images", path=str(folder))
        if len(pictures) > MAX_SAMPLE_IMAGES:
            raise WizardError.of("kit_too_many_images", path=str(folder), maximum=MAX_SAMPLE_IMAGES)
        members.extend((SAMPLE_IMAGES_DIR + _plain_name(p.name), p) for p in pictures)
    names = [m for m, _ in members]
    if len(set(names)) != len(names):
        raise WizardError.of("kit_invalid", path=str(images), detail="two sample files have the same name")
    return model_member, members


def _plain_name(name: str) -> str:
    cleaned = re.sub(r"[/\\\x00-\x1f]", "_", name)[:200]
    return cleaned if cleaned not in ("", ".", "..") else "file"


def write_kit(path: Path, content: KitContent, files: list[tuple[str, Path]] = ()) -> Kit:
    """Write the kit file (atomically: a half-written kit never has the final name)."""
    path = Path(path)
    file_digests = {member: _sha256_path(source) for member, source in files}
    listed = ([content.samples.model] if content.samples.model else []) + list(content.samples.images)
    if sorted(listed) != sorted(file_digests):
        raise ValueError("the kit's samples must be exactly the files written")
    data = content.model_dump(mode="json")
    checksum = compute_checksum(data, file_digests)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".kit-", suffix=".partial", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _add(archive, CONTENT_FILE, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
            for member, source in sorted(files):
                info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(source, "rb") as src, archive.open(info, "w") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            _add(archive, CHECKSUM_FILE, (checksum + "\n").encode("ascii"))
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Kit(content=content, checksum=checksum, path=path, file_digests=file_digests)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _sha256_path(path: Path) -> str:
    from wizard.core.checksums import sha256_file

    return sha256_file(path)


# --- reading --------------------------------------------------------------------------------------


def read_kit(path: str | Path) -> Kit:
    """Open and verify a kit; WizardError with the reason when it cannot be used."""
    path = Path(path)
    if not path.is_file():
        raise WizardError.of("file_not_found", path=str(path))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WizardError.of("kit_not_a_kit", path=str(path), detail=_reason(exc)) from None
    with archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        if CONTENT_FILE not in names:
            raise WizardError.of("kit_not_a_kit", path=str(path), detail=f"no {CONTENT_FILE} inside")
        if len(set(names)) != len(names):
            raise WizardError.of("kit_changed", path=str(path))
        strays = [n for n in names if n not in (CONTENT_FILE, CHECKSUM_FILE) and not _MEMBER.match(n)]
        if strays:
            raise WizardError.of("kit_invalid", path=str(path), detail=f"unexpected file {strays[0]!r} inside")
        if sum(i.file_size for i in infos) > MAX_KIT_BYTES:
            raise WizardError.of("kit_invalid", path=str(path), detail="more than 1 GB once unpacked")
        info = archive.getinfo(CONTENT_FILE)
        if info.file_size > MAX_CONTENT_BYTES:
            raise WizardError.of("kit_invalid", path=str(path), detail=f"{CONTENT_FILE} is larger than 1 MB")
        try:
            data = json.loads(archive.read(CONTENT_FILE).decode("utf-8"))
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise WizardError.of("kit_damaged", path=str(path), detail=_reason(exc)) from None
        if not isinstance(data, dict) or data.get("format") != KIT_FORMAT:
            raise WizardError.of("kit_not_a_kit", path=str(path), detail=f"{CONTENT_FILE} is not a workshop kit's")
        version = data.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise WizardError.of("kit_invalid", path=str(path), detail=f"schema_version {version!r}")
        if version > KIT_SCHEMA:
            raise WizardError.of("kit_newer_version", path=str(path), version=version, supported=KIT_SCHEMA,
                                 made_with=str(data.get("wizard_version") or "?"), app_version=__version__)
        if CHECKSUM_FILE not in names:
            raise WizardError.of("kit_damaged", path=str(path), detail=f"no {CHECKSUM_FILE} inside")
        stated = archive.read(CHECKSUM_FILE).decode("ascii", "replace").strip()
        file_digests: dict[str, str] = {}
        try:
            for name in names:
                if name in (CONTENT_FILE, CHECKSUM_FILE):
                    continue
                digest = hashlib.sha256()
                with archive.open(name) as member:
                    for chunk in iter(lambda: member.read(1 << 20), b""):
                        digest.update(chunk)
                file_digests[name] = digest.hexdigest()
        except (zipfile.BadZipFile, OSError) as exc:  # a bad CRC: damaged in copying
            raise WizardError.of("kit_damaged", path=str(path), detail=_reason(exc)) from None
    if compute_checksum(data, file_digests) != stated:
        raise WizardError.of("kit_changed", path=str(path))
    try:
        content = KitContent.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "kit"
        raise WizardError.of("kit_invalid", path=str(path), detail=f"{where}: {first.get('msg', '')}"[:300]) from None
    listed = ([content.samples.model] if content.samples.model else []) + list(content.samples.images)
    if sorted(listed) != sorted(file_digests):
        raise WizardError.of("kit_invalid", path=str(path), detail="the samples listed are not the files inside")
    return Kit(content=content, checksum=stated, path=path, file_digests=file_digests)


def _reason(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:200]


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


__all__ = ["Kit", "KitCamera", "KitContent", "KitSamples", "KitServer", "KitToolchain", "read_kit", "write_kit",
           "resolve_options", "new_kit_id", "compute_checksum", "KIT_SUFFIX", "KIT_SCHEMA",
           "PER_ATTENDEE", "SHARED"]

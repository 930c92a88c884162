"""Get a host ready for a native conversion: checks first, then only what the user agreed to.

``NativeSetup`` runs over a Shell (this computer, or the VM) and is shared by both native runners:

    check()    probe and report (the GUI's "Test" button): problems, the apt-get set-up that would
               fix them, and whether the environment exists; changes nothing
    prepare()  the same checks, then, with consent, the apt-get set-up (sudo), then the environment:
               reused when complete, else made (with consent) with progress events; leaves
               ``bin_dir`` (what goes first on PATH) and ``environment`` set

Two consents, both asked for by the caller before: ``setup_consent`` for system packages (sudo
apt-get install ...) and ``create_environment`` for the ~1.4 GB environment (pip downloads about
400 MB from PyPI, a few minutes, once).
"""

from __future__ import annotations

import posixpath
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

from wizard.core.events import Event, LogLine, Progress, ProblemRaised, StepFinished, StepStarted
from wizard.core.messages import Problem, WizardError, problem, say
from wizard.core.plan.recipe import DEFAULT_TPU_MLIR_VERSION, ConversionRecipe
from wizard.core.runners.vm import setup as remote_setup
from wizard.core.runners.native import environment as envs
from wizard.core.runners.native import host
from wizard.core.runners.native.environment import EnvironmentSpec
from wizard.core.runners.native.shell import Shell
from wizard.core.toolchain.build_log import build_events

ENVIRONMENT_STEP = "environment"
TOOL_NAMES = ("model_transform", "run_calibration", "model_deploy")
SETUP_TIMEOUT = 1800.0


@dataclass(frozen=True)
class NativeReport:
    """What ``check()`` found. Show ``problems``; ask ``setup_question`` (with the exact
    ``setup_commands``) and ``environment_question`` when they are set; ``ready`` means a
    conversion can start without asking anything."""

    where: str
    facts: host.HostFacts | None
    problems: tuple[Problem, ...]
    setup: remote_setup.SetupPlan
    setup_commands: tuple[str, ...]  # as the user would type them
    environment: EnvironmentSpec | None
    environment_state: str  # complete | partial | absent | "" (no Python to make one with) | "own"
    setup_question: Problem | None = None
    environment_question: Problem | None = None

    @property
    def ready(self) -> bool:
        return not any(p.is_error for p in self.problems) and self.environment_state in (envs.STATE_COMPLETE, "own")


@dataclass
class NativeSetup:
    shell: Shell
    env_root: str  # absolute, on the host
    python: str | None = None  # None: find a CPython 3.10
    tpu_mlir_version: str = DEFAULT_TPU_MLIR_VERSION
    toolchain_bin: str | None = None  # an existing TPU-MLIR's bin folder: no environment is made
    create_environment: bool = False
    setup_consent: bool = False
    password: str | None = field(default=None, repr=False)  # for sudo -S; memory only
    cancel_requested: threading.Event = field(default_factory=threading.Event)  # set by the runner's cancel()

    facts: host.HostFacts | None = None
    environment: EnvironmentSpec | None = None
    bin_dir: str | None = None

    @property
    def where(self) -> str:
        return self.shell.where

    # --- looking ---------------------------------------------------------------------------

    def probe(self) -> host.HostFacts:
        result = self.shell.run(host.probe_command(self.python, self.env_root), timeout=120)
        self.facts = host.parse_probe(result.out)
        return self.facts

    def spec_for(self, facts: host.HostFacts) -> EnvironmentSpec | None:
        python = facts.python(self.python)
        if python is None or python.series != envs.PYTHON_SERIES:
            return None
        return EnvironmentSpec(python=python.path, root=self.env_root, tpu_mlir_version=self.tpu_mlir_version)

    def environment_state(self, spec: EnvironmentSpec) -> str:
        state = self.shell.run(envs.state_command(spec), timeout=60).out.strip()
        return state if state in (envs.STATE_COMPLETE, envs.STATE_PARTIAL, envs.STATE_ABSENT) else envs.STATE_PARTIAL

    def _missing_tools(self) -> list[str]:
        assert self.toolchain_bin
        bin_dir = envs.q(self.toolchain_bin)
        listed = self.shell.run(
            f"for t in {' '.join(TOOL_NAMES)}; do [ -x {bin_dir}/\"$t\" ] || [ -x {bin_dir}/\"$t.py\" ] || echo \"$t\"; done",
            timeout=30).out
        return listed.split()

    def _look(self) -> tuple[host.HostFacts, EnvironmentSpec | None, str, list[Problem]]:
        facts = self.probe()
        if self.toolchain_bin:
            missing = self._missing_tools()
            found = [problem("native_toolchain_bin_invalid", where=self.where, path=self.toolchain_bin,
                             missing=", ".join(missing))] if missing else []
            return facts, None, "own", found
        spec = self.spec_for(facts)
        state = self.environment_state(spec) if spec else ""
        found = host.problems_for(facts, where=self.where, python_hint=self.python,
                                  needs_build=state != envs.STATE_COMPLETE, env_root=self.env_root)
        return facts, spec, state, found

    def check(self, recipe: ConversionRecipe | None = None) -> NativeReport:
        """Probe and say what a conversion here would need, without changing anything (with a
        recipe: also whether its calibration fits in this host's memory)."""
        facts, spec, state, found = self._look()
        if recipe is not None:
            found = [*found, *self.recipe_problems(recipe)]
        plan = host.setup_plan(facts, found, where=self.where, python_hint=self.python)
        commands = tuple(host.shown_command(c, facts.base.is_root) for c in plan.commands)
        setup_question = problem("native_setup_consent", "info", where=self.where,
                                 commands="; ".join(commands)) if plan.needed else None
        env_question = None
        if spec is not None and state != envs.STATE_COMPLETE:
            env_question = problem("native_env_consent", "info", where=self.where, path=spec.path,
                                   version=spec.tpu_mlir_version, download_mb=envs.DOWNLOAD_MB,
                                   size_gb=envs.INSTALLED_GB)
        if state == envs.STATE_PARTIAL:
            found = [*found, problem("native_env_incomplete", "warning", where=self.where, path=spec.path if spec else "")]
        return NativeReport(self.where, facts, tuple(found), plan, commands, spec, state, setup_question, env_question)

    # --- preparing -------------------------------------------------------------------------

    def prepare(self) -> Iterator[Event]:
        facts, spec, state, found = self._look()
        errors = [p for p in found if p.is_error]
        if errors and not self.toolchain_bin:
            plan = host.setup_plan(facts, found, where=self.where, python_hint=self.python)
            if not self.setup_consent or not plan.needed:
                raise WizardError(errors[0])
            if plan.unsupported is not None:
                raise WizardError(plan.unsupported)
            yield from self._run_setup(plan, facts)
            facts, spec, state, found = self._look()
            errors = [p for p in found if p.is_error]
        if errors:
            raise WizardError(errors[0])
        for p in found:
            yield ProblemRaised(p, step="prepare")
        if self.toolchain_bin:
            self.bin_dir = self.toolchain_bin
            yield LogLine(say("line_native_toolchain_bin", folder=self.toolchain_bin, where=self.where), step="prepare", stream="runner")
            return
        assert spec is not None
        python = facts.python(self.python)
        yield LogLine(say("line_native_python", version=python.version if python else "?", path=spec.python), step="prepare", stream="runner")
        if state != envs.STATE_COMPLETE:
            if not self.create_environment:
                code = "native_env_incomplete" if state == envs.STATE_PARTIAL else "native_env_missing"
                raise WizardError.of(code, where=self.where, path=spec.path, version=spec.tpu_mlir_version,
                                     download_mb=envs.DOWNLOAD_MB, size_gb=envs.INSTALLED_GB)
            if state == envs.STATE_PARTIAL:
                yield ProblemRaised(problem("native_env_incomplete", "warning", where=self.where, path=spec.path),
                                    step="prepare")
            yield from self._build(spec)
            if self.cancel_requested.is_set():
                return
        else:
            yield LogLine(say("line_native_environment", version=spec.tpu_mlir_version, path=spec.path), step="prepare", stream="runner")
        self.environment = spec
        self.bin_dir = spec.bin_dir

    # --- once the recipe is known (upload) ----------------------------------------------------

    def recipe_problems(self, recipe: ConversionRecipe) -> list[Problem]:
        """Raises when the prepared environment is not the TPU-MLIR the recipe asks for; returns
        a memory warning when calibration is likely to need more than the host has."""
        if self.environment is not None and recipe.tpu_mlir_version != self.environment.tpu_mlir_version:
            raise WizardError.of("native_version_mismatch", recipe_version=recipe.tpu_mlir_version,
                                 version=self.environment.tpu_mlir_version)
        from wizard.core.runners.docker.runner import memory_warning

        total = (self.facts.mem_total_kb or 0) * 1024 if self.facts else 0
        warning = memory_warning(total, recipe)  # the same estimate as for Docker, in this host's words
        return [problem("native_low_memory", "warning", where=self.where, **warning.params)] if warning else []

    def toolchain_record(self, recipe: ConversionRecipe) -> dict[str, object]:
        """RunFacts.image for the bundle: the recipe's image (what reproduce.sh can re-run it
        with: the same TPU-MLIR) and what this run really used."""
        used: dict[str, object] = (self.environment.describe() if self.environment
                                   else {"kind": "existing", "path": self.bin_dir or ""})
        used["where"] = self.where
        return {"tag": recipe.toolchain_image, "native": used}

    def _run_setup(self, plan: remote_setup.SetupPlan, facts: host.HostFacts) -> Iterator[Event]:
        def run(line: str, stdin: bytes | None) -> tuple[int, str]:
            result = self.shell.run(line, stdin=stdin, timeout=SETUP_TIMEOUT)
            return result.exit_code, result.err + result.out

        commands = "; ".join(host.shown_command(c, facts.base.is_root) for c in plan.commands)
        try:
            outcome = remote_setup.run_setup(plan, facts.base, run, target=self.where, password=self.password,
                                             consent=True)
        except WizardError as exc:
            # remote_setup speaks of Docker on a VM; say the same in this set-up's terms.
            params = dict(exc.problem.params)
            if exc.problem.code == "vm_sudo_password":
                raise WizardError.of("native_sudo_password", where=self.where, user=facts.base.user,
                                     commands=commands) from None
            if exc.problem.code == "vm_setup_failed":
                raise WizardError.of("native_setup_failed", where=self.where, step=params.get("step", "?"),
                                     detail=params.get("detail", ""), commands=commands) from None
            raise
        for label in outcome.ran:
            yield LogLine(say("line_setup_step", target=self.where, step=label), step="prepare", stream="runner")

    def _build(self, spec: EnvironmentSpec) -> Iterator[Event]:
        started = time.monotonic()
        yield StepStarted(ENVIRONMENT_STEP, command=envs.build_command_shown(spec))
        progress = envs.BuildProgress()
        tail: list[str] = []

        def told(line: str) -> Progress | None:
            fraction = progress.feed(line)
            return None if fraction is None else Progress(ENVIRONMENT_STEP, fraction, text=line.strip()[:200])

        build = self.shell.stream(envs.build_script(spec), self.cancel_requested)
        code = yield from build_events(build, ENVIRONMENT_STEP, tail, keep=40, progress=told)
        elapsed = time.monotonic() - started
        if self.cancel_requested.is_set():
            yield StepFinished(ENVIRONMENT_STEP, ok=False, elapsed=elapsed)
            return
        if code != 0:
            raise WizardError.of("native_env_build_failed", where=self.where, path=spec.path,
                                 detail=envs.failure_detail(tail))
        yield ProblemRaised(problem("native_env_created", "info", where=self.where, path=spec.path,
                                    seconds=int(elapsed)), step=ENVIRONMENT_STEP)
        yield StepFinished(ENVIRONMENT_STEP, ok=True, elapsed=elapsed)


def default_env_root(home: str) -> str:
    """Where environments go on a host, given its $HOME (the VM's, or this computer's)."""
    return posixpath.join(home, ".recamera-wizard", "toolchains")

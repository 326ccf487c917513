"""Loading the workload plugin a manifest names."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.workload import Workload
from stormproof.manifest import Manifest


@dataclass(frozen=True)
class Overrides:
    """Command-line values that win over the manifest's and the class's."""

    concurrency: int | None = None
    rate: float | None = None
    timeout: float | None = None


def load_workload(manifest: Manifest, overrides: Overrides | None = None) -> Workload:
    """An instance of the manifest's workload class, with its settings applied.

    Raises ChaosError (one line) when there is no workload, or it cannot be imported or
    instantiated."""
    section = manifest.chaos.workload
    if section is None:
        raise ChaosError(
            f"{manifest.path.name} has no chaos.workload: a chaos run needs a workload module "
            "that drives the entry service (see the README, 'Workloads')"
        )
    overrides = overrides or Overrides()
    module = _import(manifest.root, section.module)
    workload = _instantiate(_workload_class(module, section.module, section.class_), manifest.root)
    for name in ("concurrency", "rate", "timeout"):
        value = getattr(overrides, name)
        if value is None:
            value = getattr(section, name)
        if value is not None:
            setattr(workload, name, value)
    return workload


@contextlib.contextmanager
def _importable_from(directories: list[Path]) -> Iterator[None]:
    # The plugin may import its siblings, as a script in its directory could, and modules
    # next to the manifest, as a dotted module name can.
    entries = list(dict.fromkeys(str(directory) for directory in directories))
    sys.path[:0] = entries
    try:
        yield
    finally:
        for entry in entries:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)


def _import(root: Path, name: str) -> ModuleType:
    directories = [(root / name).parent, root] if name.endswith(".py") else [root]
    with _importable_from(directories):
        try:
            if name.endswith(".py"):
                return _import_file(root / name)
            return importlib.import_module(name)
        except ChaosError:
            raise
        except Exception as error:
            raise ChaosError(
                f"workload module {name} cannot be imported: {_describe(error, root)}"
            ) from None


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise ChaosError(f"workload module {path}: no such file")
    module_name = f"stormproof_workload_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


_STORMPROOF = Path(__file__).parents[1]


def _describe(error: BaseException, root: Path) -> str:
    """``NameError: name 'x' is not defined (workload.py:12)``: the error, the first line of
    its message, and the last place in the project's code (beside the manifest) it passed
    through; frames of the import machinery, stormproof or a library say nothing useful."""
    where = ""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).is_relative_to(root)
        and not Path(frame.filename).is_relative_to(_STORMPROOF)
    ]
    if isinstance(error, SyntaxError) and error.filename:
        where = f" ({Path(error.filename).name}:{error.lineno})"
    elif frames:
        last = frames[-1]
        where = f" ({Path(last.filename).name}:{last.lineno})"
    message = error.msg if isinstance(error, SyntaxError) else str(error)
    lines = message.strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text + where


def _workload_class(module: ModuleType, name: str, class_name: str | None) -> type[Workload]:
    if class_name is not None:
        found = getattr(module, class_name, None)
        if not (inspect.isclass(found) and issubclass(found, Workload)):
            raise ChaosError(
                f"workload module {name} has no Workload subclass named '{class_name}'"
            )
        return found
    defined = [
        cls
        for cls in vars(module).values()
        if inspect.isclass(cls)
        and issubclass(cls, Workload)
        and cls is not Workload
        and cls.__module__ == module.__name__
    ]
    if len(defined) != 1:
        found_names = ", ".join(cls.__name__ for cls in defined) or "none"
        raise ChaosError(
            f"workload module {name} must define exactly one Workload subclass, or the "
            f"manifest must name one with class: (found {found_names})"
        )
    return defined[0]


def _instantiate(cls: type[Workload], root: Path) -> Workload:
    try:
        return cls()
    except Exception as error:
        raise ChaosError(
            f"workload class {cls.__name__} cannot be created: {_describe(error, root)}"
        ) from None

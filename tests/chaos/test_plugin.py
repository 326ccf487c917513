"""Loading the workload plugin a manifest names: where from, which class, which settings,
and a one-line ChaosError for every way it can go wrong."""

import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.plugin import Overrides, load_workload
from stormproof.chaos.workload import Workload
from stormproof.manifest import Manifest, parse_manifest

WORKLOAD = """\
from stormproof.chaos.workload import Operation, Workload


class Bank(Workload):
    concurrency = 3
    rate = 7.0
    timeout = 1.5

    def generate(self, rng):
        return Operation("read")
"""


@pytest.fixture(autouse=True)
def forget_imported_modules():
    """Each test writes its own modules: let none of them answer a later import."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def manifest(root: Path, workload: str | None) -> Manifest:
    chaos = f"chaos:\n  workload: {workload}\n" if workload is not None else ""
    text = f"version: 1\nname: bank\nservices:\n  api: {{role: edge}}\n{chaos}"
    return parse_manifest(text, root / "stormproof.yaml")


def load(root: Path, workload: str | None, files: dict[str, str], **overrides) -> Workload:
    write(root, files)
    return load_workload(manifest(root, workload), Overrides(**overrides))


def load_error(root: Path, workload: str | None, files: dict[str, str]) -> str:
    path_before = list(sys.path)
    with pytest.raises(ChaosError) as caught:
        load(root, workload, files)
    assert sys.path == path_before
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_py_file_next_to_the_manifest_with_one_subclass(tmp_path):
    path_before = list(sys.path)
    workload = load(tmp_path, "{module: workload.py}", {"workload.py": WORKLOAD})
    assert type(workload).__name__ == "Bank"
    assert isinstance(workload, Workload)
    assert (workload.concurrency, workload.rate, workload.timeout) == (3, 7.0, 1.5)
    assert sys.path == path_before


def test_a_py_file_in_a_subdirectory_imports_its_siblings_and_the_manifests(tmp_path):
    beside, top = unique("beside"), unique("top")
    module = f"""\
        import {beside}
        import {top}
        from stormproof.chaos.workload import Workload

        class Bank(Workload):
            concurrency = {beside}.WORKERS
            rate = {top}.RATE
        """
    files = {
        "chaos/workload.py": module,
        f"chaos/{beside}.py": "WORKERS = 6\n",
        f"{top}.py": "RATE = 2.5\n",
    }
    path_before = list(sys.path)
    workload = load(tmp_path, "{module: chaos/workload.py}", files)
    assert (workload.concurrency, workload.rate) == (6, 2.5)
    assert sys.path == path_before


def test_a_dotted_module_next_to_the_manifest_imports_a_sibling(tmp_path):
    package = unique("loads")
    module = f"""\
        from {package}.common import BaseBank

        class Bank(BaseBank):
            timeout = 9.0
        """
    common = """\
        from stormproof.chaos.workload import Workload

        class BaseBank(Workload):
            concurrency = 2
        """
    files = {
        f"{package}/__init__.py": "",
        f"{package}/bank.py": module,
        f"{package}/common.py": common,
    }
    # BaseBank is imported into bank.py, not defined there: Bank is the one subclass.
    workload = load(tmp_path, f"{{module: {package}.bank}}", files)
    assert type(workload).__name__ == "Bank"
    assert (workload.concurrency, workload.timeout) == (2, 9.0)


def test_a_plain_module_name_is_found_next_to_the_manifest(tmp_path):
    name = unique("bankload")
    workload = load(tmp_path, f"{{module: {name}}}", {f"{name}.py": WORKLOAD})
    assert type(workload).__name__ == "Bank"


TWO_CLASSES = (
    WORKLOAD
    + """

class Audit(Workload):
    concurrency = 1
"""
)


def test_the_class_named_in_the_manifest_is_the_one_loaded(tmp_path):
    workload = load(tmp_path, "{module: w.py, class: Audit}", {"w.py": TWO_CLASSES})
    assert type(workload).__name__ == "Audit"
    assert workload.concurrency == 1


def test_settings_come_from_the_cli_then_the_manifest_then_the_class(tmp_path):
    files = {"w.py": WORKLOAD}
    section = "{module: w.py, concurrency: 5, rate: 9}"
    assert _settings(load(tmp_path, section, files)) == (5, 9.0, 1.5)
    assert _settings(load(tmp_path, section, files, rate=11.0)) == (5, 11.0, 1.5)
    everything = load(tmp_path, section, files, concurrency=1, rate=0.0, timeout=0.25)
    assert _settings(everything) == (1, 0.0, 0.25)  # a rate of 0 is a value, not "unset"
    assert _settings(load(tmp_path, "{module: w.py, timeout: 4}", files)) == (3, 7.0, 4.0)


def _settings(workload: Workload) -> tuple:
    return (workload.concurrency, workload.rate, workload.timeout)


def test_settings_of_one_instance_do_not_leak_into_the_class(tmp_path):
    first = load(tmp_path, "{module: w.py, concurrency: 5}", {"w.py": WORKLOAD})
    assert type(first).concurrency == 3


def test_no_workload_section(tmp_path):
    message = load_error(tmp_path, None, {})
    assert message.startswith("stormproof.yaml has no chaos.workload: a chaos run needs")


def test_missing_file(tmp_path):
    message = load_error(tmp_path, "{module: chaos/nope.py}", {})
    assert message == f"workload module {tmp_path / 'chaos' / 'nope.py'}: no such file"


def test_missing_dotted_module(tmp_path):
    name = unique("nope")
    message = load_error(tmp_path, f"{{module: {name}}}", {})
    assert message == (
        f"workload module {name} cannot be imported: ModuleNotFoundError: No module named '{name}'"
    )


def test_syntax_error_names_the_file_and_line(tmp_path):
    source = "from stormproof.chaos.workload import Workload\n\nclass Bank(Workload)\n    pass\n"
    message = load_error(tmp_path, "{module: bad.py}", {"bad.py": source})
    assert message.startswith("workload module bad.py cannot be imported: SyntaxError: ")
    assert message.endswith("(bad.py:3)")


def test_exception_at_import_names_the_exception_and_line(tmp_path):
    source = "import os\n\nSETTING = os.environ['NO_SUCH_VARIABLE_FOR_STORMPROOF']\n"
    message = load_error(tmp_path, "{module: w.py}", {"w.py": source})
    assert message == (
        "workload module w.py cannot be imported: KeyError: 'NO_SUCH_VARIABLE_FOR_STORMPROOF' "
        "(w.py:3)"
    )


def test_a_multi_line_exception_message_is_cut_to_its_first_line(tmp_path):
    source = "x = 1\nraise RuntimeError('first line\\nsecond line\\nthird')\n"
    message = load_error(tmp_path, "{module: w.py}", {"w.py": source})
    assert message == "workload module w.py cannot be imported: RuntimeError: first line (w.py:2)"


def test_a_failing_sibling_import_names_the_plugins_line(tmp_path):
    source = "import os\nimport no_such_sibling_for_stormproof\n"
    message = load_error(tmp_path, "{module: w.py}", {"w.py": source})
    assert message.endswith(
        "ModuleNotFoundError: No module named 'no_such_sibling_for_stormproof' (w.py:2)"
    )


def test_a_module_with_no_subclass(tmp_path):
    source = "from stormproof.chaos.workload import Workload\n\nclass Bank:\n    pass\n"
    message = load_error(tmp_path, "{module: w.py}", {"w.py": source})
    assert message == (
        "workload module w.py must define exactly one Workload subclass, or the manifest "
        "must name one with class: (found none)"
    )


def test_two_subclasses_without_a_class_name(tmp_path):
    message = load_error(tmp_path, "{module: w.py}", {"w.py": TWO_CLASSES})
    assert message.endswith("(found Bank, Audit)")


@pytest.mark.parametrize("name", ["Missing", "Operation", "helper"])
def test_the_named_class_must_exist_and_be_a_workload(tmp_path, name):
    source = TWO_CLASSES + "\n\ndef helper():\n    pass\n"
    message = load_error(tmp_path, f"{{module: w.py, class: {name}}}", {"w.py": source})
    assert message == f"workload module w.py has no Workload subclass named '{name}'"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("raise ValueError('needs BANK_ACCOUNTS')", "ValueError: needs BANK_ACCOUNTS (w.py:7)"),
        # Raised inside a library: the place named is the plugin's line that called it.
        ("json.loads('{')", "JSONDecodeError: Expecting property name enclosed in "),
    ],
)
def test_a_constructor_that_raises(tmp_path, body, error):
    source = f"""\
        import json

        from stormproof.chaos.workload import Workload

        class Bank(Workload):
            def __init__(self):
                {body}
        """
    message = load_error(tmp_path, "{module: w.py}", {"w.py": source})
    assert message.startswith(f"workload class Bank cannot be created: {error}")
    assert message.endswith("(w.py:7)")


def test_a_failed_import_leaves_no_half_module_behind(tmp_path):
    before = set(sys.modules)
    load_error(tmp_path, "{module: w.py}", {"w.py": "raise RuntimeError('no')\n"})
    assert set(sys.modules) == before

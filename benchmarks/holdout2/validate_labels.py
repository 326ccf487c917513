"""Check the second held-out set's labels: the first set's validator, pointed at this directory.

    python benchmarks/holdout2/validate_labels.py

Same label format and checks as benchmarks/holdout/validate_labels.py (see its
docstring); only the root differs. A scorer imports `resolve(system)` and
`systems()` from here for this set.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import partial
from pathlib import Path
from types import ModuleType

HOLDOUT2 = Path(__file__).resolve().parent
FIRST_SET_VALIDATOR = HOLDOUT2.parent / "holdout" / "validate_labels.py"


def _load_first_set_validator() -> ModuleType:
    # Loaded under its own name so that this set's root never leaks into the first set's module.
    name = "holdout_validate_labels_for_holdout2"
    spec = importlib.util.spec_from_file_location(name, FIRST_SET_VALIDATOR)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {FIRST_SET_VALIDATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    module.HOLDOUT = HOLDOUT2
    module.systems = partial(module.systems, HOLDOUT2)
    return module


_validator = _load_first_set_validator()
resolve = _validator.resolve
systems = _validator.systems
check_system = _validator.check_system

if __name__ == "__main__":
    sys.exit(_validator.main())

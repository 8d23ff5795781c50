"""Dependencies point one way: api -> calibration -> estimator; estimator stays pure."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIRD_PARTY_ALLOWED = {
    "estimator": {"numpy", "scipy", "msgspec"},
    "calibration": {"numpy", "scipy", "msgspec", "estimator"},
}
FORBIDDEN = {"estimator": {"calibration", "api"}, "calibration": {"api"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(THIRD_PARTY_ALLOWED))
def test_package_imports_only_what_its_layer_allows(package: str) -> None:
    allowed = THIRD_PARTY_ALLOWED[package] | {package} | set(sys.stdlib_module_names)
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in _imports(path)
        if name not in allowed or name in FORBIDDEN[package]
    }
    assert not offenders, sorted(offenders)

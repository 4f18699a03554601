"""Build a function's deployment archive: the handler code plus the runtime helper it imports."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pulumi

_PACKAGE_DIR = Path(__file__).resolve().parent
_SKIP_DIRS = {"__pycache__", "tests", ".pytest_cache", ".mypy_cache"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


def _files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not _SKIP_DIRS.intersection(relative.parts) and path.suffix not in _SKIP_SUFFIXES:
            yield relative


def function_archive(
    code_dir: str | Path,
    *,
    include_runtime_helper: bool = True,
    dependencies_dir: str | Path | None = None,
) -> pulumi.AssetArchive:
    """An archive with ``code_dir`` at its root, ``secure_serverless.runtime`` beside it (without the
    infrastructure code) and, optionally, a folder of installed dependencies (``pip install --target``).

    Examples
    --------
    >>> code = function_archive("handlers", dependencies_dir="build/deps")  # doctest: +SKIP
    >>> SecureFunctionArgs(handler="orders_api.handler", code=code, runtime_helper=True)  # doctest: +SKIP
    """
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {}
    if dependencies_dir is not None:
        deps = Path(dependencies_dir)
        assets.update({str(p): pulumi.FileAsset(str(deps / p)) for p in _files(deps)})
    if include_runtime_helper:
        assets["secure_serverless/__init__.py"] = pulumi.FileAsset(str(_PACKAGE_DIR / "__init__.py"))
        runtime = _PACKAGE_DIR / "runtime"
        assets.update({f"secure_serverless/runtime/{p}": pulumi.FileAsset(str(runtime / p)) for p in _files(runtime)})
    code = Path(code_dir)
    if not code.is_dir():
        raise ValueError(f"code_dir {str(code)!r} is not a directory")
    assets.update({str(p): pulumi.FileAsset(str(code / p)) for p in _files(code)})
    return pulumi.AssetArchive(assets)

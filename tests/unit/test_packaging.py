"""The wheel a clean checkout builds, installed (not editable) in a fresh virtual environment, used from elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

#: What a checkout holds besides the project: caches and earlier builds.
_NOT_SOURCE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".mypy_cache",
                                     ".ruff_cache", ".pytest_cache", ".hypothesis", "*.db", "bench")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from a copy of the source tree, and what the build printed."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v", "-w", str(base / "out"),
         str(source)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [built] = (base / "out").glob("claimscope-*.whl")
    return built, result.stdout + result.stderr


def test_the_wheel_holds_one_package_and_its_data(wheel: tuple[Path, str]) -> None:
    built, log = wheel
    assert "would be ignored" not in log and "absent from the `packages`" not in log, log[-3000:]
    with zipfile.ZipFile(built) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert {name.split("/")[0] for name in names} == {"claimscope", built.name.split("-py3")[0] + ".dist-info"}
    # Every module, seed file and style sheet of the tree, where the package puts it.
    for folder, installed in (("claimscope", "claimscope"), ("db", "claimscope/db"), ("seed", "claimscope/seed"),
                              ("tui", "claimscope/tui")):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".yaml", ".tcss", ".typed") or path.name == "FORMAT.md":
                assert f"{installed}/{path.relative_to(ROOT / folder).as_posix()}" in names, path
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert "License-Expression: MIT" in metadata and "Classifier: Typing :: Typed" in metadata


def test_installed_in_a_fresh_environment_and_used_from_another_folder(
        wheel: tuple[Path, str], tmp_path: Path, shipped_db: Path, corpus_dir: Path) -> None:
    built, _ = wheel
    # The test's own environment lends the dependencies (textual, rich, ...), not claimscope:
    # the wheel goes into the new environment's own site-packages, which comes first.
    environment_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment_dir)
    python = environment_dir / "bin" / "python"
    site_packages = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    before = set(os.listdir(site_packages))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    str(built)], capture_output=True, text=True, check=True)
    added = set(os.listdir(site_packages)) - before
    assert added == {"claimscope", built.name.split("-py3")[0] + ".dist-info"}, added

    # A folder whose modules would shadow an installation that imported db, seed or tui.
    work = tmp_path / "elsewhere"
    for name in ("db", "seed", "tui"):
        (work / name).mkdir(parents=True)
        (work / name / "__init__.py").write_text(f"raise SystemExit('imported {name} from the current folder')\n")
        (work / f"{name}.py").write_text(f"raise SystemExit('imported {name}.py from the current folder')\n")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "CLAIMSCOPE_CORPUS": str(corpus_dir)}
    env.pop("CLAIMSCOPE_DB", None)

    def run(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(a) for a in arguments], capture_output=True, text=True, cwd=work, env=env,
                              timeout=120)

    where = run(python, "-c", "import claimscope; print(claimscope.__file__, claimscope.__version__)")
    assert where.returncode == 0 and where.stdout.startswith(str(site_packages)), where.stdout + where.stderr
    version = run(python, "-m", "claimscope", "--version")
    assert version.returncode == 0 and "claimscope, version" in version.stdout, version.stderr
    script = environment_dir / "bin" / "claimscope"
    refused = run(script, "--db", "missing.db", "show", "iskp")
    assert refused.returncode == 2 and "missing.db: no such file" in refused.stderr
    piped = run(script, "--db", shipped_db, "search", "ISKP")
    assert piped.returncode == 0, piped.stderr
    assert all(len(line.split("\t")) == 5 for line in piped.stdout.splitlines()) and piped.stdout.count("\n") == 10
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("## In Python", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    if subprocess.run([python, "-c", "import pandas"], capture_output=True).returncode == 0:
        ran = run(python, "-c", example)
        assert ran.returncode == 0 and "iskp Islamic State Khorasan Province via" in ran.stdout, ran.stderr

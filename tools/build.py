"""Build, package and validate the Splunk app.

    python tools/build.py build     # build/TA-thousandeyes: shipped files + vendored packages
    python tools/build.py package   # dist/TA-thousandeyes-<version>.tgz from the build folder
    python tools/build.py inspect   # AppInspect (cloud, precert): fails on failure/error/future

Only the standard library is used here, so the build runs before any environment exists.
"""

import configparser
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "TA-thousandeyes"
BUILD_DIR = ROOT / "build" / APP_ID
DIST_DIR = ROOT / "dist"
RUNTIME_REQUIREMENTS = ROOT / "requirements" / "runtime.txt"

# What ships: everything else in the repository (tests, tools, docs, CI) stays out.
SHIPPED = [
    "app.manifest",
    "README.md",
    "LICENSE",
    "bin",
    "default",
    "appserver",
    "lib",
    "README",
    "metadata",
    "static",
]
# Vendored parts the add-on does not use and AppInspect flags (threading in searchcommands).
VENDORED_EXCLUDES = ["splunklib/searchcommands", "bin"]
# The interpreters Splunk runs add-ons with (python.required in every Python stanza).
SPLUNK_PYTHONS = ("3.9.0", "3.13.0")
# Execute bits are only allowed under bin/ (AppInspect).
EXECUTABLE_DIR = "bin"


def app_version() -> str:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(ROOT / "default" / "app.conf")
    return parser["id"]["version"]


def _requirements(path: Path) -> list:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def _ignore(directory: str, names: list) -> set:
    return {
        name
        for name in names
        if name.startswith(".")
        or name == "__pycache__"
        or name.endswith((".pyc", ".pyo"))
        or (name == "local" and Path(directory) == ROOT)
    }


def copy_shipped(target: Path) -> Path:
    """Copy the parts of the repository that ship (no vendored packages) into target."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in SHIPPED:
        source = ROOT / entry
        if source.is_dir():
            shutil.copytree(source, target / entry, ignore=_ignore)
        elif source.exists():
            shutil.copy2(source, target / entry)
        else:
            raise SystemExit(f"build: {entry} is missing from the repository")
    return target


def build() -> Path:
    if BUILD_DIR.exists():
        shutil.rmtree(BUILD_DIR)
    copy_shipped(BUILD_DIR)
    vendor(BUILD_DIR / "lib")
    print(f"built {BUILD_DIR.relative_to(ROOT)}")
    return BUILD_DIR


def assemble_from_last_build(target: Path) -> Path:
    """This checkout's shipped files plus the vendored packages of the last build.

    For tests that exercise the current sources as Splunk would load them without paying
    for vendoring again; builds once when there is no build yet.
    """
    vendored = BUILD_DIR / "lib"
    if not (vendored / "splunklib").is_dir():
        build()
    copy_shipped(target)
    for source in vendored.iterdir():
        destination = target / "lib" / source.name
        if source.name == "ta_thousandeyes" or destination.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, destination, ignore=_ignore)
        else:
            shutil.copy2(source, destination)
    return target


def vendor(lib_dir: Path) -> None:
    """Vendor the pinned runtime packages into lib/, refusing anything that is not pure Python.

    Wheels are built first (splunk-sdk ships only an sdist), checked to be `none-any`, then
    installed with --target, so what lands in lib/ is exactly the pinned set and nothing else.
    """
    wheel_dir = ROOT / "build" / "wheels"
    if wheel_dir.exists():
        shutil.rmtree(wheel_dir)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    pure_wheel_only = ["--only-binary=:all:", "--platform", "any", "--implementation", "py"]
    pure_wheel_only += ["--abi", "none", "--python-version", "3.9"]
    for requirement in _requirements(RUNTIME_REQUIREMENTS):
        download = pip + ["download", "--no-deps", "-d", str(wheel_dir), requirement]
        if subprocess.run(download + pure_wheel_only, capture_output=True).returncode != 0:
            # No pure wheel published (splunk-sdk ships an sdist): build one from the sdist.
            subprocess.run(
                pip + ["wheel", "--no-deps", "-w", str(wheel_dir), requirement], check=True
            )
    wheels = sorted(wheel_dir.glob("*.whl"))
    impure = [wheel.name for wheel in wheels if not wheel.name.endswith("-none-any.whl")]
    if impure:
        raise SystemExit("build: not pure-Python wheels: {}".format(", ".join(impure)))
    for wheel in wheels:
        _check_supports_splunk_pythons(wheel)
    subprocess.run(
        pip
        + ["install", "--no-compile", "--no-deps", "--target", str(lib_dir)]
        + [str(wheel) for wheel in wheels],
        check=True,
    )
    for relative in VENDORED_EXCLUDES:
        path = lib_dir / relative
        if path.is_dir():
            shutil.rmtree(path)
    for cache in lib_dir.rglob("__pycache__"):
        shutil.rmtree(cache)
    _keep_only_licenses(lib_dir)
    compiled = list(lib_dir.rglob("*.so")) + list(lib_dir.rglob("*.pyd"))
    if compiled:
        raise SystemExit(f"build: compiled files vendored: {compiled}")


def _check_supports_splunk_pythons(wheel: Path) -> None:
    """Refuse a wheel whose Requires-Python excludes one of Splunk's interpreters."""
    from packaging.specifiers import SpecifierSet

    with zipfile.ZipFile(wheel) as archive:
        metadata_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(metadata_name).decode("utf-8")
    for line in metadata.splitlines():
        if line.lower().startswith("requires-python:"):
            specifier = SpecifierSet(line.split(":", 1)[1].strip())
            unsupported = [v for v in SPLUNK_PYTHONS if v not in specifier]
            if unsupported:
                raise SystemExit(
                    f"build: {wheel.name} requires Python {specifier}, "
                    f"Splunk runs {', '.join(unsupported)}"
                )


def _keep_only_licenses(lib_dir: Path) -> None:
    """Trim each vendored *.dist-info to its license files.

    Nothing imports the metadata at run time, and its long descriptions only feed AppInspect
    false positives (version strings read as IP addresses).
    """
    for dist_info in lib_dir.glob("*.dist-info"):
        for path in sorted(dist_info.rglob("*"), reverse=True):
            if path.is_file() and not path.name.upper().startswith(
                ("LICENSE", "COPYING", "NOTICE")
            ):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        if not any(dist_info.iterdir()):
            dist_info.rmdir()


def _normalise(info: tarfile.TarInfo) -> "tarfile.TarInfo | None":
    parts = Path(info.name).parts
    if any(part.startswith(".") or part == "__pycache__" for part in parts[1:]):
        return None
    if info.name.endswith((".pyc", ".pyo")):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    in_bin = len(parts) > 1 and parts[1] == EXECUTABLE_DIR
    if info.isdir():
        info.mode = 0o755
    elif in_bin and info.name.endswith((".py", ".sh")):
        info.mode = 0o755
    else:
        info.mode = 0o644
    return info


def package() -> Path:
    if not BUILD_DIR.exists():
        build()
    DIST_DIR.mkdir(exist_ok=True)
    target = DIST_DIR / f"{APP_ID}-{app_version()}.tgz"
    with tarfile.open(target, "w:gz") as archive:
        for path in sorted(BUILD_DIR.rglob("*")):
            arcname = str(Path(APP_ID) / path.relative_to(BUILD_DIR))
            info = _normalise(archive.gettarinfo(str(path), arcname))
            if info is None:
                continue
            if info.isfile():
                with open(path, "rb") as handle:
                    archive.addfile(info, handle)
            else:
                archive.addfile(info)
    print(f"packaged {target.relative_to(ROOT)}")
    return target


def inspect(appinspect: str) -> None:
    target = DIST_DIR / f"{APP_ID}-{app_version()}.tgz"
    if not target.exists():
        package()
    report = DIST_DIR / "appinspect-report.json"
    command = [
        appinspect, "inspect", str(target),
        "--mode", "precert", "--included-tags", "cloud",
        "--data-format", "json", "--output-file", str(report),
        "--max-messages", "all", "--skip-trusted-libraries-update",
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True)
    if not report.exists():
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit("inspect: AppInspect wrote no report")
    summary = json.loads(report.read_text())["summary"]
    print("AppInspect summary: " + ", ".join(f"{v} {k}" for k, v in summary.items()))
    for result in _non_passing(json.loads(report.read_text())):
        print(f"  {result[0]}: {result[1]} — {result[2]}")
    bad = {key: summary.get(key, 0) for key in ("failure", "error", "future_failure")}
    if any(bad.values()):
        raise SystemExit(f"inspect: AppInspect found {bad}")


def _non_passing(report: dict) -> list:
    found = []
    for app_report in report.get("reports", []):
        for group in app_report.get("groups", []):
            for check in group.get("checks", []):
                if check.get("result") in ("success", "not_applicable", "skipped"):
                    continue
                for message in check.get("messages") or []:
                    if message.get("result") == check.get("result"):
                        found.append((check["result"], check.get("name"), message.get("message")))
    return found


def main(argv: list) -> None:
    if not argv or argv[0] not in ("build", "package", "inspect"):
        raise SystemExit(__doc__)
    if argv[0] == "build":
        build()
    elif argv[0] == "package":
        build()
        package()
    else:
        inspect(argv[1] if len(argv) > 1 else "splunk-appinspect")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Install an app package (`dist/*.tgz` or `.spl`) into etc/apps/ as Splunk does, so inputs
run from what ships.

A package is a gzipped tar holding one top-level folder, the app id. Splunk refuses members
that would land outside that folder; so does this: absolute paths, `..`, links and devices.
"""

import os
import shutil
import tarfile
from typing import Optional


class PackageError(ValueError):
    """The package is not one Splunk would install."""


def app_id_of(package: str) -> str:
    with tarfile.open(package, "r:gz") as archive:
        tops = {member.name.split("/", 1)[0] for member in archive.getmembers()}
    tops.discard("")
    if len(tops) != 1:
        raise PackageError(f"{package}: expected one top-level folder, found {sorted(tops)}")
    return tops.pop()


def install_package(package: str, apps_dir: str, app_name: Optional[str] = None) -> str:
    """Extract the package into apps_dir (replacing an older copy); returns the app's folder."""
    app_id = app_id_of(package)
    target = os.path.join(apps_dir, app_name or app_id)
    staging = target + ".installing"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    with tarfile.open(package, "r:gz") as archive:
        for member in archive.getmembers():
            relative = member.name.split("/", 1)[1] if "/" in member.name else ""
            if not relative:
                continue
            _check_member(package, member, relative)
            destination = os.path.join(staging, relative)
            if member.isdir():
                os.makedirs(destination, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            with source, open(destination, "wb") as handle:
                shutil.copyfileobj(source, handle)
            os.chmod(destination, member.mode & 0o755)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    return target


def latest_package(dist_dir: str) -> str:
    """The newest .tgz/.spl in dist/ (by modification time)."""
    candidates = [
        os.path.join(dist_dir, name)
        for name in os.listdir(dist_dir)
        if name.endswith((".tgz", ".spl", ".tar.gz"))
    ]
    if not candidates:
        raise PackageError(f"no package in {dist_dir}")
    return max(candidates, key=os.path.getmtime)


def _check_member(package: str, member: tarfile.TarInfo, relative: str) -> None:
    parts = relative.split("/")
    if member.name.startswith("/") or ".." in parts:
        raise PackageError(f"{package}: member {member.name} escapes the app folder")
    if not (member.isfile() or member.isdir()):
        raise PackageError(f"{package}: member {member.name} is not a file or folder")

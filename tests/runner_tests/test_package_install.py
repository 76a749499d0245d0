"""Installing a packaged app (tgz) and running its input from the installed copy."""

import io
import tarfile

import pytest

from tests.runner_tests.conftest import make_runner, write_local_inputs
from tests.simulators.splunk.modinput_package import (
    PackageError,
    app_id_of,
    install_package,
    latest_package,
)


def pack(app_dir, path, top="tiny_app"):
    with tarfile.open(path, "w:gz") as archive:
        archive.add(str(app_dir), arcname=top)
    return str(path)


def test_installed_package_runs_its_input(tmp_path, app_dir):
    package = pack(app_dir, tmp_path / "tiny_app-1.0.tgz")
    home = tmp_path / "home"
    installed = install_package(package, str(home / "etc" / "apps"))
    assert installed == str(home / "etc" / "apps" / "tiny_app")
    write_local_inputs(tmp_path / installed, "[tiny_input://a]\nevents = 2\n")
    runner = make_runner(home, installed)
    assert runner.run_once("tiny_input://a").events_written == 2


def test_reinstall_replaces_the_old_copy(tmp_path, app_dir):
    package = pack(app_dir, tmp_path / "p.tgz")
    apps = tmp_path / "apps"
    installed = install_package(package, str(apps))
    (apps / "tiny_app" / "stale.txt").write_text("old")
    install_package(package, str(apps))
    assert not (apps / "tiny_app" / "stale.txt").exists()
    assert (apps / "tiny_app" / "bin" / "tiny_input.py").exists()
    assert installed.endswith("tiny_app")


def test_latest_package(tmp_path, app_dir):
    first = pack(app_dir, tmp_path / "a-1.tgz")
    second = pack(app_dir, tmp_path / "a-2.tgz")
    import os

    os.utime(first, (1, 1))
    assert latest_package(str(tmp_path)) == second
    assert app_id_of(second) == "tiny_app"


def test_members_escaping_the_app_are_refused(tmp_path):
    path = tmp_path / "evil.tgz"
    with tarfile.open(path, "w:gz") as archive:
        data = b"x"
        info = tarfile.TarInfo("app/../../escape.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with pytest.raises(PackageError, match="escapes"):
        install_package(str(path), str(tmp_path / "apps"))
    assert not (tmp_path / "escape.txt").exists()


def test_two_top_level_folders_are_refused(tmp_path):
    path = tmp_path / "two.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name in ("one/a.txt", "two/b.txt"):
            info = tarfile.TarInfo(name)
            archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(PackageError, match="one top-level folder"):
        install_package(str(path), str(tmp_path / "apps"))

"""The local tools never leave a trap behind: no stray backend override, no signal to a reused pid, and
layers that do not depend on where the checkout lives."""

import os
from pathlib import Path

import pytest


def test_the_local_backend_override_exists_only_while_terraform_runs():
    """Reproduced: the override stayed in terraform/ and would redirect a later AWS `terraform init`."""
    import local_terraform

    assert not local_terraform.LOCAL_BACKEND_OVERRIDE.exists()
    with local_terraform.local_backend(True):
        assert 'backend "local"' in local_terraform.LOCAL_BACKEND_OVERRIDE.read_text()
    assert not local_terraform.LOCAL_BACKEND_OVERRIDE.exists()
    with pytest.raises(RuntimeError), local_terraform.local_backend(True):
        raise RuntimeError("terraform crashed")
    assert not local_terraform.LOCAL_BACKEND_OVERRIDE.exists()


def test_a_pid_file_naming_someone_elses_process_is_never_signalled(tmp_path, monkeypatch):
    import local_instance
    import local_processes

    instance = local_instance.Instance("unit", 1, 2, catalogue_size=1, fake_rate_limit=1)
    monkeypatch.setattr(local_instance, "LOCAL", tmp_path)
    instance.state_dir.mkdir(parents=True)
    (instance.state_dir / "emulator.pid").write_text(str(os.getpid()))  # this test runner, not MiniStack
    assert not local_processes.is_ours(os.getpid(), "emulator")
    assert local_processes.stop_process(instance, "emulator") is False  # this process is alive to say so
    assert not (instance.state_dir / "emulator.pid").exists()


def test_console_scripts_are_left_out_of_the_layers_records(tmp_path):
    """Reproduced: RECORD listed ../../bin/* with hashes of scripts that name the virtualenv's path."""
    import build

    info = tmp_path / "idna-3.20.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("idna/__init__.py,sha256=abc,10\n../../bin/idna,sha256=xyz,218\n")
    build._forget_console_scripts(tmp_path)
    assert (info / "RECORD").read_text() == "idna/__init__.py,sha256=abc,10\n"
    assert Path(build.__file__).name == "build.py"

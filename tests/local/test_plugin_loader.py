"""Airflow's own plugin loading leaves the platform_ops package alone (plugins/.airflowignore).

The plugin manager imports every ``.py`` file it finds under the plugins folder as a top-level
module named after the file's stem. Without the ignore file the package's ``config.py``,
``steps.py``, ``sdk.py`` and ``__init__.py`` become ``sys.modules["config"]``, ``["steps"]``...
and their top level runs a second time. Each check runs the real loader
(``airflow.plugins_manager.ensure_plugins_loaded``) in a fresh interpreter with a throwaway
AIRFLOW_HOME, then lists every module loaded from a package file under a name other than its
``platform_ops.`` one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGINS = REPO / "plugins"
PACKAGE = PLUGINS / "platform_ops"

_PROBE = """
import json, sys
from pathlib import Path

from airflow import plugins_manager, settings

package = Path(sys.argv[1]).resolve()
plugins_manager.ensure_plugins_loaded()
bare = sorted(
    name
    for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None)
    and Path(module.__file__).resolve().is_relative_to(package)
    and not (name == "platform_ops" or name.startswith("platform_ops."))
)
print(json.dumps({
    "plugins_folder": settings.PLUGINS_FOLDER,
    "bare_modules": bare,
    "import_errors": plugins_manager.get_import_errors(),
}))
"""


def _load_plugins(plugins_folder: Path, airflow_home: Path) -> dict:
    """Run Airflow's plugin loading on ``plugins_folder``; return what it left in sys.modules."""
    airflow_home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AIRFLOW__") and key not in ("AIRFLOW_HOME", "AIRFLOW_CONFIG")
    }
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins_folder),
            "AIRFLOW__CORE__DAGS_FOLDER": str(airflow_home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(PACKAGE)],
        capture_output=True,
        text=True,
        env=env,
        cwd=airflow_home,
        timeout=300,
    )
    assert done.returncode == 0, f"the plugin-loading probe failed:\n{done.stderr[-4000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(report["plugins_folder"]).resolve() == plugins_folder.resolve(), report["plugins_folder"]
    return report


def test_plugin_loader_imports_no_package_module(tmp_path):
    report = _load_plugins(PLUGINS, tmp_path / "airflow-home")
    assert report["bare_modules"] == [], (
        "Airflow's plugin loader imported package files as top-level modules "
        f"{report['bare_modules']}: plugins/.airflowignore must hide platform_ops/"
    )
    assert report["import_errors"] == {}, (
        f"the plugin loader reported import errors: {report['import_errors']}"
    )


def test_the_check_sees_bare_modules_without_the_ignore_file(tmp_path):
    """Control: the same plugins folder minus .airflowignore shows the bare names (the check is live)."""
    bare_folder = tmp_path / "plugins"
    bare_folder.mkdir()
    (bare_folder / "platform_ops").symlink_to(PACKAGE, target_is_directory=True)
    report = _load_plugins(bare_folder, tmp_path / "airflow-home")
    assert {"config", "steps", "sdk", "__init__"} <= set(report["bare_modules"]), report["bare_modules"]

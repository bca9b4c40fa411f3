# Copyright: Contributors to the ispsystem.billmanager collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Let ansible-test bootstrap pip in its virtual environments without the internet.

Run it with the Python of the virtualenv that holds ansible-core::

    .venv/bin/python tools/ansible_test_bootstrap.py

ansible-test (``--venv``, ``--requirements``) creates virtual environments
without pip and bootstraps pip into each of them with a ``get-pip`` script,
``ansible_test/_util/target/setup/requirements.py:bootstrap()``:

* it looks for ``~/.ansible/test/cache/get_pip_<version, dots as underscores>.py``
  and downloads it from ci-files.testing.ansible.com only when it is missing;
* the version is pinned per ansible-core release in
  ``ansible_test/_internal/python_requirements.py:get_venv_packages()``;
* it runs the script through ``quiet_pip.py`` (``runpy.run_module`` with
  ``GET_PIP`` set) as ``python get_pip_X.py --disable-pip-version-check
  pip==<version> --no-setuptools --no-wheel``, inside the new environment,
  and expects pip to be installed there afterwards.

This script reads the pinned versions from the installed ansible-test,
fetches the pip wheel of each one with ``pip download`` (PyPI, the ordinary
client) into that cache folder, and writes beside it a small stand-in
``get_pip_X.py`` that installs pip from that wheel. A genuine get-pip script
already in the cache is left alone. Running it again does nothing.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

CACHE_DIR = os.path.expanduser('~/.ansible/test/cache')
MARKER = '# ansible-test offline get-pip stand-in'

STAND_IN = '''{marker} (written by tools/ansible_test_bootstrap.py)
"""Install pip {version} from the wheel next to this file, without the internet.

ansible-test runs this as ``python {name} [pip install arguments]`` in a fresh
virtual environment that has no pip.
"""

import glob
import os
import re
import sys
import tempfile
import zipfile

PIP_VERSION = {version!r}
HERE = os.path.dirname(os.path.abspath(__file__))

# Options of the real get-pip.py that pip itself does not know.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main():
    wheels = sorted(glob.glob(os.path.join(HERE, "pip-%s-*.whl" % PIP_VERSION)))
    if not wheels:
        sys.stderr.write(
            "no pip %s wheel in %s: run tools/ansible_test_bootstrap.py "
            "with the Python that runs ansible-test\\n" % (PIP_VERSION, HERE))
        return 1

    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    requirements = [arg for arg in args if not arg.startswith("-")]
    # --ignore-installed: the pip imported from the unpacked wheel counts as
    # installed already, but it is not in this environment.
    options = ["install", "--ignore-installed", "--find-links", HERE]
    if all(re.match(r"^pip\\s*([=<>!~]|$)", req) for req in requirements):
        # Everything asked for is pip itself: the local wheel is enough.
        options.append("--no-index")

    with tempfile.TemporaryDirectory(prefix="get-pip-") as unpacked:
        # Unpacked rather than imported from the zip, so that pip's vendored
        # certifi can find its CA bundle should an index be needed.
        with zipfile.ZipFile(wheels[0]) as wheel:
            wheel.extractall(unpacked)
        sys.path.insert(0, unpacked)
        from pip._internal.cli.main import main as pip_main
        return pip_main(options + args)


if __name__ == "__main__":
    sys.exit(main())
'''


def pinned_pip_versions() -> list[str]:
    """Return the pip versions the installed ansible-test bootstraps, read from its source."""
    try:
        import ansible_test  # pylint: disable=import-outside-toplevel
    except ImportError:
        sys.exit('ansible_test is not importable with %s: install ansible-core into this environment' % sys.executable)

    source_path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')

    with open(source_path, encoding='utf-8') as source_file:
        source = source_file.read()

    # get_venv_packages(): default_packages = dict(pip='24.2', ...) and
    # per-Python overrides such as {'3.8': dict(pip='23.1.2')} or {'pip': '...'}.
    versions = set(re.findall(r'''\bpip\s*=\s*['"]([0-9][0-9A-Za-z.]*)['"]''', source))
    versions.update(re.findall(r'''['"]pip['"]\s*:\s*['"]([0-9][0-9A-Za-z.]*)['"]''', source))

    if not versions:
        sys.exit('could not find the pinned pip version in %s: ansible-test changed, update this script' % source_path)

    return sorted(versions)


def ensure_wheel(version: str) -> str:
    """Download the pip wheel of the given version into the cache, unless it is there."""
    pattern = os.path.join(CACHE_DIR, 'pip-%s-*.whl' % version)
    wheels = glob.glob(pattern)

    if not wheels:
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps',
                        '--only-binary=:all:', '--dest', CACHE_DIR, 'pip==%s' % version], check=True)
        wheels = glob.glob(pattern)

    if not wheels:
        sys.exit('pip download did not leave a wheel matching %s' % pattern)

    return sorted(wheels)[0]


def ensure_stand_in(version: str) -> str:
    """Write the get-pip stand-in for the given version, unless a genuine script is there."""
    name = 'get_pip_%s.py' % version.replace('.', '_')
    path = os.path.join(CACHE_DIR, name)
    content = STAND_IN.format(marker=MARKER, version=version, name=name)

    if os.path.exists(path):
        with open(path, encoding='utf-8') as existing_file:
            existing = existing_file.read()

        if not existing.startswith(MARKER):
            return '%s (a genuine get-pip script, kept)' % path

        if existing == content:
            return '%s (up to date)' % path

    with open(path + '.tmp', 'w', encoding='utf-8') as stand_in_file:
        stand_in_file.write(content)

    os.replace(path + '.tmp', path)

    return '%s (written)' % path


def main() -> None:
    """Prepare the cache for every pip version the installed ansible-test pins."""
    os.makedirs(CACHE_DIR, exist_ok=True)

    for version in pinned_pip_versions():
        wheel = ensure_wheel(version)
        script = ensure_stand_in(version)
        print('ansible-test pip %s bootstrap: %s, wheel %s' % (version, script, os.path.basename(wheel)))


if __name__ == '__main__':
    main()

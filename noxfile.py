# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# /// script
# dependencies = ["nox>=2025.02.09", "antsibull-nox>=1.10,<2"]
# ///

"""nox sessions of the collection: ``pip install nox antsibull-nox``, then ``nox -l``.

antsibull-nox.toml configures antsibull-nox's own checks (docs, build and
galaxy-importer, action group, unwanted files). This file adds what must run
differently here, with PyPI as the only index and no container engine:

* ``ansible-test-sanity-<core>``: ansible-test sanity ``--venv`` (antsibull-nox's
  own sanity sessions use ``--docker``), on a copy of the collection
  (tools/run-ansible-test), after the offline pip bootstrap
  (tools/ansible_test_bootstrap.py);
* ``units-<core>``: ansible-test units ``--venv`` on that ansible-core (tests/unit
  imports its helpers by collection path, tests/unit/requirements.txt lists
  what it needs), the same way as sanity;
* ``ee-build-context``: ansible-builder renders the build context of the
  execution environment docs/execution-environment.md describes, and the
  image build's introspection step runs on the built collection (building the
  image itself needs podman or docker).

By default (``nox``) the oldest and the newest ansible-core run; ``nox -s
ansible-test-sanity-2.18`` picks any other. ``make test`` and ``make
test-matrix`` stay the commands of the README.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import re
import subprocess
import sys
import tempfile

import nox

try:
    import antsibull_nox
except ImportError:
    print('You need to install antsibull-nox in the same Python environment as nox.')
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
# The ansible-core releases the collection supports (meta/runtime.yml: >=2.16.0).
CORES = ('2.16', '2.17', '2.18', '2.19', '2.20', '2.21')
DEFAULT_CORES = (CORES[0], CORES[-1])
# Python 3.12 runs every one of them, as controller and as ansible-test's target.
PYTHON = '3.12'

nox.options.reuse_existing_virtualenvs = True


def _expose_pyenv_pythons():
    """Put real pythonX.Y commands first on PATH.

    pyenv's pythonX.Y shims refuse to run unless pyenv selected that version,
    and nox would take such a shim for the interpreter; tools/find-python
    resolves each to the interpreter under pyenv's versions folder.
    """
    links = os.path.join(HERE, '.nox', '.pythons')
    os.makedirs(links, exist_ok=True)
    for minor in range(10, 15):
        name = 'python3.%d' % minor
        found = subprocess.run([os.path.join(HERE, 'tools', 'find-python'), name], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, universal_newlines=True, check=False)
        target = found.stdout.strip()
        link = os.path.join(links, name)
        if found.returncode == 0 and target:
            if os.path.realpath(link) != os.path.realpath(target):
                if os.path.lexists(link):
                    os.remove(link)
                os.symlink(target, link)
        elif os.path.lexists(link):
            os.remove(link)
    os.environ['PATH'] = links + os.pathsep + os.environ.get('PATH', '')


_expose_pyenv_pythons()
antsibull_nox.load_antsibull_nox_toml()


def _install_core(session, core):
    requirement = 'ansible-core' if core == CORES[-1] else 'ansible-core==%s.*' % core
    session.install(requirement, '-r', 'requirements.txt')


def _sanity(core):
    @nox.session(name='ansible-test-sanity-%s' % core, python=PYTHON, default=core in DEFAULT_CORES)
    def sanity(session):
        """ansible-test sanity --venv on ansible-core {core}, offline."""
        _install_core(session, core)
        session.run('python', 'tools/ansible_test_bootstrap.py')
        session.run('tools/run-ansible-test', 'sanity', '--venv', '--python', PYTHON, *session.posargs,
                    env={'ANSIBLE_TEST': os.path.join(session.bin, 'ansible-test')}, external=True)
    sanity.__doc__ = sanity.__doc__.format(core=core)


def _units(core):
    @nox.session(name='units-%s' % core, python=PYTHON, default=core in DEFAULT_CORES)
    def units(session):
        """ansible-test units on ansible-core {core}."""
        _install_core(session, core)
        session.run('python', 'tools/ansible_test_bootstrap.py')
        session.run('tools/run-ansible-test', 'units', '--venv', '--requirements', '--python', PYTHON,
                    *session.posargs, env={'ANSIBLE_TEST': os.path.join(session.bin, 'ansible-test')}, external=True)
    units.__doc__ = units.__doc__.format(core=core)


for _core in CORES:
    _sanity(_core)
    _units(_core)


def _documented_ee_definition():
    with open(os.path.join(HERE, 'docs', 'execution-environment.md'), encoding='utf-8') as handle:
        blocks = re.findall(r'^```yaml\n(.*?)^```', handle.read(), re.MULTILINE | re.DOTALL)
    definitions = [block for block in blocks if re.search(r'^version: 3\s*$', block, re.MULTILINE)]
    if len(definitions) != 1:
        raise ValueError('docs/execution-environment.md should hold one execution-environment.yml')
    return definitions[0]


@nox.session(name='ee-build-context', python=PYTHON)
def ee_build_context(session):
    """ansible-builder create for the documented execution environment; no image (no container engine)."""
    session.install('ansible-builder>=3.1,<4', 'ansible-core', '-r', 'requirements.txt')
    work = tempfile.mkdtemp(prefix='ee-', dir=session.create_tmp())
    definition = os.path.join(work, 'execution-environment.yml')
    with open(definition, 'w', encoding='utf-8') as handle:
        handle.write(_documented_ee_definition())
    context = os.path.join(work, 'context')
    session.run('ansible-builder', 'create', '-f', definition, '-c', context)
    # The image build's own step that collects the collections' requirements, on the built collection.
    session.run('ansible-galaxy', 'collection', 'build', '--force', '--output-path', work, HERE)
    tarball = glob.glob(os.path.join(work, '*.tar.gz'))[0]
    installed = os.path.join(work, 'installed')
    session.run('ansible-galaxy', 'collection', 'install', '-p', installed, tarball)
    out = session.run('python', os.path.join(context, '_build', 'scripts', 'introspect.py'), 'introspect',
                      installed, silent=True)
    with open(os.path.join(HERE, 'requirements.txt'), encoding='utf-8') as handle:
        wanted = [line.split('#')[0].strip() for line in handle if line.split('#')[0].strip()]
    missing = [line for line in wanted if line not in out]
    if missing:
        session.error('the image build would not install %s from the collection:\n%s' % (missing, out))
    session.log('the image build would install: %s' % ', '.join(wanted))


# Allow to run the noxfile with `python noxfile.py`, `pipx run noxfile.py`, or similar.
if __name__ == '__main__':
    nox.main()

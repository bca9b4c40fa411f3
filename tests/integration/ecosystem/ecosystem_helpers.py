# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers of the ecosystem tests (tarball, AWX, execution environment, docs)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

import yaml

from collection_path import REPO

BIN = os.path.dirname(sys.executable)


def tool(name):
    """A command of the Python environment that runs the tests (ansible-galaxy, ansible-doc...)."""
    return os.path.join(BIN, name)


def run(command, env=None, cwd=None, timeout=600):
    """Run a command; fail the test with its output when it fails."""
    process = subprocess.run(command, cwd=cwd, env=env, timeout=timeout, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert process.returncode == 0, '%s exited with %d:\n%s' % (
        ' '.join(command), process.returncode, process.stdout[-6000:])
    return process.stdout


def galaxy():
    with open(os.path.join(REPO, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def only_installed_env(installed, extra=None):
    """Ansible settings that see the installed copy and nothing else of this collection."""
    env = {
        'ANSIBLE_COLLECTIONS_PATH': str(installed),
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'False',
    }
    env.update(extra or {})
    return env

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the ecosystem tests: the built tarball and a copy installed from it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os

import pytest

from ecosystem_helpers import REPO, galaxy, run, tool


@pytest.fixture(scope='session')
def tarball(tmp_path_factory):
    """``ansible-galaxy collection build`` of the checkout, once per test session."""
    out = tmp_path_factory.mktemp('build')
    run([tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(out), REPO])
    built = glob.glob(str(out / '*.tar.gz'))
    assert len(built) == 1, built
    info = galaxy()
    assert os.path.basename(built[0]) == '%s-%s-%s.tar.gz' % (info['namespace'], info['name'], info['version'])
    return built[0]


@pytest.fixture(scope='session')
def installed(tarball, tmp_path_factory):
    """The tarball installed into an empty collections path; returns that path."""
    root = tmp_path_factory.mktemp('installed')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(root))
    run([tool('ansible-galaxy'), 'collection', 'install', '-p', str(root), tarball], env=env)
    assert os.path.isfile(str(root / 'ansible_collections' / 'ispsystem' / 'billmanager' / 'MANIFEST.json'))
    return root

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared pytest fixtures: the BILLmanager sandbox (machinery in tests/sandbox_control.py)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sandbox_control import SandboxControl  # noqa: E402


@pytest.fixture
def sandbox(tmp_path):
    """A fresh sandbox (empty state, user reseller/sandbox-secret, processing 0.2 s) per test."""
    with SandboxControl(tmp_path / "state.json") as control:
        yield control


@pytest.fixture(scope="module")
def sandbox_module(tmp_path_factory):
    """One sandbox shared by a test module; tests must not rely on an empty state."""
    with SandboxControl(tmp_path_factory.mktemp("sandbox") / "state.json") as control:
        yield control


@pytest.fixture(autouse=True)
def billmanager_state_dir(tmp_path_factory, monkeypatch):
    """Each test its own controller state (locks, shared listings, unresolved orders), inherited by
    the ansible-playbook runs it starts: one test's unresolved order must not block another's."""
    path = tmp_path_factory.mktemp("billmanager-state")
    path.chmod(0o700)
    monkeypatch.setenv("BILLMANAGER_STATE_DIR", str(path))
    return path

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fast path's care for the worker it runs in (the paths themselves: tests/integration/plugins/action)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import gc

import pytest

from ansible.executor.process.worker import WorkerProcess

from ansible_collections.ispsystem.billmanager.plugins.plugin_utils import controller_action


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_worker_keeps_its_collector_off_what_it_inherited(unfrozen, monkeypatch):
    worker = WorkerProcess.__new__(WorkerProcess)  # what multiprocessing gives a forked worker
    monkeypatch.setattr(controller_action.multiprocessing, 'current_process', lambda: worker)
    controller_action._freeze_inherited_objects()
    assert gc.get_freeze_count() > 0


def test_any_other_process_keeps_its_collector_as_it_is(unfrozen):
    controller_action._freeze_inherited_objects()  # pytest's own process
    assert gc.get_freeze_count() == 0

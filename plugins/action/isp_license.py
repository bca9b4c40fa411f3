# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Runs ispsystem.billmanager.isp_license inside the controller's process when the
# task runs on the controller; see plugin_utils/controller_action.py.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _isp_license
from ansible_collections.ispsystem.billmanager.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    OPERATION = _isp_license

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A become method that stays the same user (tests only: put this folder on ANSIBLE_BECOME_PLUGINS).

The tests run as whoever runs pytest, often without sudo; this lets a task
set ``become`` and succeed, so they can check which path the action plugins
take for a become task without needing another user.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = """
    name: billmanager_become_test
    short_description: become that runs the command as the same user (tests only)
    description:
        - Wraps the command the way sudo does (printing the success marker) but runs it as it is.
    author: ispsystem.billmanager contributors
    options:
        become_user:
            description: Ignored; named so that the action base can ask for it.
            default: root
            vars:
                - name: ansible_become_user
"""

from ansible.plugins.become import BecomeBase


class BecomeModule(BecomeBase):

    name = 'billmanager_become_test'

    def build_become_command(self, cmd, shell):
        super(BecomeModule, self).build_become_command(cmd, shell)
        if not cmd:
            return cmd
        return self._build_success_command(cmd, shell)

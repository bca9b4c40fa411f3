# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A connection that runs commands on the controller but does not call itself local.

Tests and benchmarks only (put this folder on ANSIBLE_CONNECTION_PLUGINS).  To
the collection's action plugins a host on this connection is a remote host:
they take the module path (AnsiballZ, a Python process per task), exactly as
for an SSH host, while nothing leaves the machine.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = """
    name: billmanager_remote_test
    short_description: run on the controller under a non-local transport name (tests only)
    description:
        - Runs commands on the controller exactly like ansible.builtin.local, but its transport
          is not C(local), so action plugins treat the host as a remote one.
    author: ispsystem.billmanager contributors
    options:
        become_success_timeout:
            type: int
            default: 10
            description: Seconds to wait for become to succeed.
            vars:
                - name: ansible_local_become_success_timeout
        become_strip_preamble:
            type: bool
            default: true
            description: Strip internal become output preceding command execution.
            vars:
                - name: ansible_local_become_strip_preamble
    extends_documentation_fragment:
        - connection_pipelining
"""

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    """ansible.builtin.local under another name."""

    transport = 'billmanager_remote_test'

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The three license families, as a table: which functions exist and which fields a license shows.

A family is the set of API functions a tariff is handled with (the catalog in
``sandbox_wire`` names each tariff's family).  ``soft`` is ISPmanager and the
v5 products, ``platform`` the v6 platforms (VMmanager 6, DCImanager 6: no IP,
a ``comment`` instead of a name), ``softexternal`` the third-party licenses.
``service.prolong`` and ``service.changepricelist`` serve all three.
"""

import collections

# name:        the list function and the prefix of the others (``soft.edit``, ...)
# name_field:  the wire name of the license's name (the internal ``licname``)
# ip_bound:    the license is bound to an IP (``ip`` in orders, edits, rows; the ``exists`` rule)
# checkip:     ``<name>.checkip`` exists (only ``soft``: the guides document no other)
# status_cells: ``status`` ($orig cell, or split by the status_column setting), or
#              ``item_status`` (softexternal: ``status_msg`` + ``item_status``, per the BILLmanager 6 reference)
Family = collections.namedtuple("Family", "name name_field ip_bound checkip status_cells")

FAMILIES = {
    "soft": Family("soft", "licname", True, True, "status"),
    "platform": Family("platform", "comment", False, False, "status"),
    "softexternal": Family("softexternal", "licname", True, False, "item_status"),
}

# The functions every family has (appended to its name); ``checkip`` only where the row says so.
ACTIONS = ("", ".order.param", ".edit", ".suspend", ".resume", ".delete")


def family_functions(family):
    names = [family.name + action for action in ACTIONS]
    if family.checkip:
        names.append(family.name + ".checkip")
    return names


def family_of_func(func):
    """The family a function name belongs to (``service`` for ``service.*``), None when unknown."""
    head = (func or "").split(".", 1)[0]
    return head if head in FAMILIES or head == "service" else None

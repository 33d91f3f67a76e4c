# SPDX-License-Identifier: GPL-2.0-or-later
"""MSNP8 test server for pidgin-msnp (dispatch, NS, SB, Passport, control)."""

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Line-by-line protocol traffic in the debug log.  Formatting a log line
 * costs more than parsing the command it shows, so sessions trace only
 * when their owner asks (libpurple's debug output is on).
 *
 * Threads: called by a session from its owner's thread (libpurple's main
 * loop in the plugin); nothing here is shared between sessions.
 */
#pragma once

#include <glib.h>

#define MSNP_TRACE(enabled, ...)                \
  G_STMT_START {                                \
    if (G_UNLIKELY (enabled))                   \
      g_debug (__VA_ARGS__);                    \
  } G_STMT_END

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The notification session's pages (PAG/PGD out, IPG in) and our own
 * mobile settings (PRP MOB/MBE).  Formats in msnp-page.h. */
#include "config.h"

#include <string.h>

#include "msnp-command.h"
#include "msnp-ns-private.h"

/* ---- PRP MOB / MBE ------------------------------------------------------ */

guint
msnp_ns_set_mobile (MsnpNs *ns, MsnpMobileSetting setting, gboolean on)
{
  if (!msnp_ns_is_online (ns) || setting >= MSNP_N_MOBILE_SETTINGS)
    return 0;
  return MSNP_NS_SEND (ns, "PRP", msnp_mobile_setting_code (setting),
                       on ? "Y" : "N");
}

gboolean
msnp_ns_describe_mobile (MsnpNs *ns, const MsnpCommand *cmd,
                         MsnpListChange *change)
{
  const char *code = msnp_command_param (cmd, 2);

  for (guint i = 0; i < MSNP_N_MOBILE_SETTINGS; i++)
    if (g_strcmp0 (code, msnp_mobile_setting_code (i)) == 0) {
      change->kind = MSNP_CHANGE_MOBILE;
      change->mobile = i;
      change->value = msnp_lists_get_own_mobile (ns->lists, i) ? "Y" : "N";
      return TRUE;
    }
  return FALSE;
}

/* ---- sending ------------------------------------------------------------ */

/* MSNP8 pages with PAG; MSNP9 replaced it with PGD and answers PAG with
 * 715 (msnp-wiki pag.md, "Removed since MSNP9").  Revival servers speak
 * several versions at once and some only know PGD, so a page refused as
 * PAG goes once more as PGD, and later pages go as PGD straight away. */
static guint
send_page_as (MsnpNs *ns, const char *passport, const char *text, gboolean pgd)
{
  g_autoptr (GBytes) payload = msnp_page_build (text, pgd, NULL);
  char len[24];
  guint trid;

  if (payload == NULL)
    return 0;
  g_snprintf (len, sizeof len, "%" G_GSIZE_FORMAT, g_bytes_get_size (payload));
  trid = pgd ? MSNP_NS_SEND (ns, "PGD", passport, "1", len)
             : MSNP_NS_SEND (ns, "PAG", passport, len);
  ns->ev->write (ns->user, g_bytes_get_data (payload, NULL),
                 g_bytes_get_size (payload), FALSE);
  return trid;
}

guint
msnp_ns_send_page (MsnpNs *ns, const char *passport, const char *text,
                   GError **error)
{
  g_autoptr (GBytes) check = NULL;
  NsPage *page;
  guint trid;

  if (!msnp_ns_is_online (ns) || passport == NULL || strchr (passport, ' ') != NULL
      || strlen (passport) >= sizeof page->passport)
    return 0;
  check = msnp_page_build (text, TRUE, error);
  if (check == NULL)
    return 0;
  trid = send_page_as (ns, passport, text, ns->pages_use_pgd);
  page = &ns->pages[ns->next_page++ % NS_MAX_PAGES];
  page->trid = page->first_trid = trid;
  g_strlcpy (page->passport, passport, sizeof page->passport);
  /* A text too big to keep cannot be re-sent as PGD: keep none. */
  if (g_strlcpy (page->text, text, sizeof page->text) >= sizeof page->text)
    page->text[0] = '\0';
  return trid;
}

static NsPage *
find_page (MsnpNs *ns, guint trid)
{
  for (guint i = 0; i < NS_MAX_PAGES; i++)
    if (ns->pages[i].trid != 0 && ns->pages[i].trid == trid)
      return &ns->pages[i];
  return NULL;
}

gboolean
msnp_ns_page_request_failed (MsnpNs *ns, guint trid, const char *name,
                             guint code)
{
  gboolean pag = msnp_ns_is_cmd (name, "PAG");
  NsPage *page;

  if (!pag && !msnp_ns_is_cmd (name, "PGD"))
    return FALSE;
  page = find_page (ns, trid);
  /* 200 (unknown command) or 715 (not expected): this server wants PGD. */
  if (pag && (code == 200 || code == 715) && !ns->pages_use_pgd) {
    ns->pages_use_pgd = TRUE;
    if (page != NULL && page->text[0] != '\0') {
      page->trid = send_page_as (ns, page->passport, page->text, TRUE);
      return TRUE;
    }
  }
  if (ns->ev->page_failed == NULL)
    return FALSE;
  ns->ev->page_failed (ns->user, page != NULL ? page->first_trid : trid, code);
  if (page != NULL)
    memset (page, 0, sizeof *page);
  return TRUE;
}

/* ---- IPG len + payload -------------------------------------------------- */

gboolean
msnp_ns_handle_ipg (MsnpNs *ns, const MsnpCommand *cmd)
{
  MsnpPageIn in;

  if (!msnp_page_parse (cmd->payload, cmd->payload_len, &in)) {
    g_debug ("NS: ignoring an IPG that is not a notification");
    return TRUE;
  }
  if (in.from != NULL && ns->ev->page != NULL &&
      (in.too_long || (in.text != NULL && *in.text != '\0')))
    ns->ev->page (ns->user, in.from, in.text != NULL ? in.text : "", in.too_long);
  else
    g_debug ("NS: ignoring an IPG without a sender or text");
  msnp_page_in_clear (&in);
  return TRUE;
}

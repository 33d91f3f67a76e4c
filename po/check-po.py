# SPDX-License-Identifier: GPL-2.0-or-later
"""The translation checks CI counts (meson test suite 'po'), one TAP test.

  check-po.py potfiles              po/POTFILES names every src/ file with a
                                    translatable string, and only files that exist
  check-po.py lang LL [XGETTEXT-ARGS...]
                                    po/LL.po passes `msgfmt --check`, is 100 %
                                    translated with nothing fuzzy, and stays so
                                    when merged with a template made fresh from
                                    today's sources (so a new _() string in src/
                                    fails here until it is translated, even if
                                    nobody regenerated po/pidgin-msnp.pot)

Needs gettext's msgfmt, msgmerge and xgettext.  Environment: MSNP_SOURCE_ROOT
(the source tree; default: this file's parent's parent).
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.environ.get("MSNP_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
PO = os.path.join(ROOT, "po")
DOMAIN = "pidgin-msnp"
# A call of one of the gettext keywords po/meson.build gives xgettext.
TRANSLATABLE = re.compile(r"(?<![A-Za-z0-9])(?:_|N_|C_|NC_|g_dngettext|g_dcgettext|"
                          r"g_dpgettext2|ngettext|dgettext|dngettext)\s*\(")

results = []


def check(ok, what, diagnostics=()):
    results.append((ok, what, list(diagnostics)))


def finish():
    print(f"1..{len(results)}")
    for i, (ok, what, diagnostics) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {what}")
        for line in diagnostics:
            print(f"# {line}")
    return 0 if all(ok for ok, _, _ in results) else 1


def potfiles():
    with open(os.path.join(PO, "POTFILES"), encoding="utf-8") as f:
        return [line.strip() for line in f
                if line.strip() and not line.lstrip().startswith("#")]


def check_potfiles():
    listed = potfiles()
    missing = [p for p in listed if not os.path.isfile(os.path.join(ROOT, p))]
    check(not missing, "every file in po/POTFILES exists",
          [f"listed but not found: {p}" for p in missing])
    wanted = []
    for top, _, names in os.walk(os.path.join(ROOT, "src")):
        for name in sorted(names):
            if not name.endswith(".c"):
                continue
            path = os.path.join(top, name)
            with open(path, encoding="utf-8") as f:
                if TRANSLATABLE.search(f.read()):
                    wanted.append(os.path.relpath(path, ROOT))
    unlisted = sorted(set(wanted) - set(listed))
    check(not unlisted, "po/POTFILES lists every src/ file with translatable strings",
          [f"add to po/POTFILES: {p}" for p in unlisted])


def msgfmt_statistics(po_file):
    """(exit status, translated, fuzzy, untranslated, msgfmt's messages)."""
    run = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po_file],
                         capture_output=True, text=True)
    out = run.stdout + run.stderr

    def number(pattern):
        m = re.search(r"(\d+) " + pattern, out)
        return int(m.group(1)) if m else 0
    return (run.returncode, number("translated message"), number("fuzzy translation"),
            number("untranslated message"), out.strip().splitlines())


def untranslated_msgids(po_file):
    ids = []
    for which in ("--untranslated", "--only-fuzzy"):
        run = subprocess.run(["msgattrib", which, "--no-wrap", po_file],
                             capture_output=True, text=True)
        ids += re.findall(r'^msgid "(.+)"$', run.stdout, re.M)
    return sorted(set(ids))


def header_field(po_file, field):
    with open(po_file, encoding="utf-8") as f:
        m = re.search(r'^"' + re.escape(field) + r': ([^"\\]*)', f.read(), re.M)
    return m.group(1).strip() if m else None


def check_complete(po_file, what):
    status, translated, fuzzy, untranslated, out = msgfmt_statistics(po_file)
    ok = status == 0 and translated > 0 and fuzzy == 0 and untranslated == 0
    diagnostics = out if not ok else []
    if not ok and status == 0:
        diagnostics += [f"needs a translation: {m}" for m in untranslated_msgids(po_file)]
    check(ok, f"{what}: {translated} translated, {fuzzy} fuzzy, {untranslated} untranslated",
          diagnostics)


def check_language(lang, xgettext_args):
    po_file = os.path.join(PO, f"{lang}.po")
    if not os.path.isfile(po_file):
        check(False, f"po/{lang}.po exists (it is in po/LINGUAS)")
        return
    check(header_field(po_file, "Language") == lang
          and header_field(po_file, "Plural-Forms") not in (None, "", "nplurals=INTEGER; plural=EXPRESSION;")
          and "charset=UTF-8" in (header_field(po_file, "Content-Type") or ""),
          f"po/{lang}.po header: Language {lang}, Plural-Forms, charset UTF-8")
    check_complete(po_file, f"po/{lang}.po")

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, DOMAIN + ".pot")
        run = subprocess.run(["xgettext", "--package-name=" + DOMAIN, "-o", pot,
                              *xgettext_args, *potfiles()],
                             cwd=ROOT, capture_output=True, text=True)
        if run.returncode != 0 or not os.path.isfile(pot):
            check(False, "xgettext makes a template from today's sources",
                  (run.stdout + run.stderr).splitlines())
            return
        merged = os.path.join(tmp, f"{lang}.po")
        run = subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                              po_file, pot], capture_output=True, text=True)
        if run.returncode != 0:
            check(False, f"msgmerge po/{lang}.po with a fresh template",
                  (run.stdout + run.stderr).splitlines())
            return
        check_complete(merged, f"po/{lang}.po against today's sources "
                               f"(if not: meson compile -C build {DOMAIN}-update-po, "
                               f"then translate)")


def main(argv):
    if len(argv) >= 2 and argv[1] == "potfiles":
        check_potfiles()
    elif len(argv) >= 3 and argv[1] == "lang":
        check_language(argv[2], argv[3:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))

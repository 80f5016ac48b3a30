#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The German and French translations: complete, valid, and what Satchel
and satchel-cli show under those languages (from the build tree's po/,
through SATCHEL_LOCALEDIR)."""

import os
import subprocess
import sys
import tempfile
import unittest

SOURCE = sys.argv.pop(1)
BUILD = sys.argv.pop(1)


# What meson's i18n.gettext(preset: 'glib') gives xgettext, and ngettext.
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
    "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dngettext:2,3",
    "--keyword=ngettext:1,2", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
]


def run(program, language):
    env = dict(os.environ, LANGUAGE=language, LC_ALL="C.UTF-8",
               SATCHEL_LOCALEDIR=os.path.join(BUILD, "po"))
    return subprocess.run([program, "--help"], env=env, capture_output=True, text=True,
                          timeout=60).stdout


class Translations(unittest.TestCase):
    def test_listed_and_complete(self):
        with open(os.path.join(SOURCE, "po", "LINGUAS")) as f:
            languages = f.read().split()
        self.assertIn("de", languages)
        self.assertIn("fr", languages)
        for language in languages:
            po = os.path.join(SOURCE, "po", f"{language}.po")
            result = subprocess.run(["msgfmt", "--check", "--check-accelerators=_",
                                     "--statistics", "-o", os.devnull, po],
                                    capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertNotIn("untranslated", result.stderr, f"{language}: {result.stderr}")
            self.assertNotIn("fuzzy", result.stderr, f"{language}: {result.stderr}")

    def test_current(self):
        """Every string of today's sources is in each translation: a string
        changed or added since the last msgmerge fails here, and so does
        one that xgettext cannot read whole (a G_GUINT64_FORMAT inside
        _() cuts it short)."""
        with open(os.path.join(SOURCE, "po", "LINGUAS")) as f:
            languages = f.read().split()
        with tempfile.TemporaryDirectory() as tmp:
            pot = os.path.join(tmp, "satchel.pot")
            subprocess.run(["xgettext", *XGETTEXT_ARGS, "--directory", SOURCE,
                            "--files-from", os.path.join(SOURCE, "po", "POTFILES.in"),
                            "--output", pot], check=True, capture_output=True)
            with open(pot, encoding="utf-8") as f:
                self.assertIn('msgid "Mark as Read"', f.read())
            for language in languages:
                result = subprocess.run(["msgcmp", os.path.join(SOURCE, "po", f"{language}.po"),
                                         pot], capture_output=True, text=True)
                self.assertEqual(result.returncode, 0,
                                 f"{language}.po is behind the sources (ninja satchel-update-po):"
                                 f"\n{result.stderr}")
            for line in open(pot, encoding="utf-8"):
                self.assertFalse(line.rstrip().endswith('%"'),
                                 f"a string cut short at a format macro: {line}")

    def test_shown(self):
        satchel = os.path.join(BUILD, "src", "ui", "satchel")
        cli = os.path.join(BUILD, "src", "cli", "satchel-cli")
        self.assertIn("Lire et envoyer du courrier via IMAP, POP3 et SMTP.", run(satchel, "fr"))
        self.assertIn("E-Mails über IMAP, POP3 und SMTP lesen und senden.", run(satchel, "de"))
        self.assertIn("Satchels E-Mail-Programm für die Befehlszeile.", run(cli, "de"))
        self.assertIn("Read and send mail over IMAP, POP3 and SMTP.", run(satchel, "C"))


if __name__ == "__main__":
    unittest.main()

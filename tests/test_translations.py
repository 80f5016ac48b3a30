#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The German and French translations: complete, valid, and what Satchel
and satchel-cli show under those languages (from the build tree's po/,
through SATCHEL_LOCALEDIR)."""

import os
import subprocess
import sys
import unittest

SOURCE = sys.argv.pop(1)
BUILD = sys.argv.pop(1)


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

    def test_shown(self):
        satchel = os.path.join(BUILD, "src", "ui", "satchel")
        cli = os.path.join(BUILD, "src", "cli", "satchel-cli")
        self.assertIn("Lire et envoyer du courrier via IMAP, POP3 et SMTP.", run(satchel, "fr"))
        self.assertIn("E-Mails über IMAP, POP3 und SMTP lesen und senden.", run(satchel, "de"))
        self.assertIn("Satchels E-Mail-Programm für die Befehlszeile.", run(cli, "de"))
        self.assertIn("Read and send mail over IMAP, POP3 and SMTP.", run(satchel, "C"))


if __name__ == "__main__":
    unittest.main()

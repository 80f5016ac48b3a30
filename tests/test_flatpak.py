#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest (build-aux/flatpak/) can build Satchel: every
library that meson.build asks for comes from the GNOME runtime or from one
of the manifest's modules, each module's source is a release tarball
pinned by its SHA-256, and the sandbox lets Satchel do its work. It cannot
be built here (no runtime, no network); this is what can be checked."""

import json
import os
import re
import sys
import unittest

SOURCE = sys.argv.pop(1)
APP_ID = "io.github.satchelmail.Satchel"

# What org.gnome.Platform//47 and its SDK provide, by pkg-config name.
RUNTIME = {
    "glib-2.0", "gio-2.0", "gio-unix-2.0", "gtk4", "libadwaita-1", "webkitgtk-6.0",
    "gnutls", "sqlite3", "libsecret-1", "json-glib-1.0", "libsoup-3.0",
}
# What each module of the manifest installs.
MODULES = {
    "gmime": {"gmime-3.0"},
    "libdbusmenu-glib": {"dbusmenu-glib-0.4"},
}


class Manifest(unittest.TestCase):
    def setUp(self):
        path = os.path.join(SOURCE, "build-aux", "flatpak", APP_ID + ".json")
        with open(path, encoding="utf-8") as f:
            self.manifest = json.load(f)
        self.modules = {m["name"]: m for m in self.manifest["modules"]}

    def test_application(self):
        self.assertEqual(self.manifest["id"], APP_ID)
        self.assertEqual(self.manifest["runtime"], "org.gnome.Platform")
        self.assertEqual(self.manifest["sdk"], "org.gnome.Sdk")
        self.assertEqual(self.manifest["command"], "satchel")
        # Satchel itself is built last, from this tree, with meson.
        last = self.manifest["modules"][-1]
        self.assertEqual(last["name"], "satchel")
        self.assertEqual(last["buildsystem"], "meson")
        self.assertIn("-Dtests=false", last.get("config-opts", []))
        source = last["sources"][0]
        self.assertEqual(source["type"], "dir")
        self.assertTrue(os.path.isfile(os.path.join(SOURCE, "build-aux", "flatpak",
                                                    source["path"], "meson.build")))

    def test_every_dependency_is_provided(self):
        with open(os.path.join(SOURCE, "meson.build"), encoding="utf-8") as f:
            wanted = set(re.findall(r"dependency\('([^']+)'", f.read()))
        self.assertTrue(wanted)
        provided = set(RUNTIME)
        for name, module in self.modules.items():
            if name != "satchel":
                provided |= MODULES[name]
        self.assertEqual(wanted - provided, set(), "not in the runtime nor a module")

    def test_release_tarballs(self):
        for name, module in self.modules.items():
            if name == "satchel":
                continue
            self.assertIn(name, MODULES, f"{name}: what does it provide?")
            for source in module["sources"]:
                self.assertEqual(source["type"], "archive", name)
                self.assertTrue(source["url"].startswith("https://"), name)
                self.assertRegex(source["url"], r"\.tar\.(gz|xz|bz2)$", name)
                self.assertRegex(source["sha256"], r"^[0-9a-f]{64}$", name)

    def test_sandbox(self):
        args = set(self.manifest["finish-args"])
        for needed in ("--share=network",                         # the mail servers
                       "--socket=wayland", "--socket=fallback-x11", "--share=ipc",
                       "--device=dri",                            # WebKit's renderer
                       "--talk-name=org.freedesktop.secrets",     # passwords in the keyring
                       "--talk-name=org.kde.StatusNotifierWatcher"):  # the tray
            self.assertIn(needed, args)
        # Files come through the portals, not through holes in the sandbox.
        self.assertFalse([a for a in args if a.startswith("--filesystem=")])


if __name__ == "__main__":
    unittest.main()

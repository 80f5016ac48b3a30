#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the metainfo says about the project holds: each screenshot it shows
software centres is a file of this repository (under the address it will
have once pushed) at the size it says, and its newest release is the
version meson builds. appstreamcli validates the rest (the `metainfo`
test)."""

import os
import re
import struct
import sys
import unittest
import xml.etree.ElementTree as ET

SOURCE = sys.argv.pop(1)
BUILD = sys.argv.pop(1)
APP_ID = "io.github.satchelmail.Satchel"
RAW = "https://raw.githubusercontent.com/satchelmail/satchel/main/"


def png_size(path):
    with open(path, "rb") as f:
        header = f.read(24)
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG file")
    return struct.unpack(">II", header[16:24])


class Metainfo(unittest.TestCase):
    def setUp(self):
        self.root = ET.parse(os.path.join(BUILD, "data", APP_ID + ".metainfo.xml")).getroot()

    def test_screenshots_are_here(self):
        images = self.root.findall("./screenshots/screenshot/image")
        self.assertGreaterEqual(len(images), 3)
        self.assertEqual(len(self.root.findall("./screenshots/screenshot[@type='default']")), 1)
        for image in images:
            url = image.text.strip()
            self.assertTrue(url.startswith(RAW), url)
            path = os.path.join(SOURCE, url[len(RAW):])
            self.assertTrue(os.path.isfile(path), f"{url}: no {path}")
            self.assertEqual(png_size(path), (int(image.get("width")), int(image.get("height"))),
                             url)

    def test_newest_release_is_this_version(self):
        with open(os.path.join(SOURCE, "meson.build"), encoding="utf-8") as f:
            version = re.search(r"version:\s*'([^']+)'", f.read()).group(1)
        releases = self.root.findall("./releases/release")
        self.assertTrue(releases)
        self.assertEqual(releases[0].get("version"), version)
        dates = [r.get("date") for r in releases]
        self.assertEqual(dates, sorted(dates, reverse=True))
        for release in releases:
            self.assertIsNotNone(release.find("description"), release.get("version"))


if __name__ == "__main__":
    unittest.main()

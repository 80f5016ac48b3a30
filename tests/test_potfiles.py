#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every file with a translatable string is listed in po/POTFILES.in, and
every file listed there exists. Otherwise its strings never reach the
translators."""

import os
import re
import sys

ROOT = sys.argv[1]
MARKERS = {
    ".c": re.compile(r'\b(N?_|C_|NC_|g_dngettext|ngettext)\s*\('),
    ".ui": re.compile(r'translatable="yes"'),
    ".desktop.in": re.compile(r'^(Name|GenericName|Comment|Keywords)=', re.M),
    ".metainfo.xml.in": re.compile(r'<(summary|description|name|caption)>'),
    ".gschema.xml": re.compile(r'<summary>|<description>'),
}


def marker_for(name):
    for suffix, marker in MARKERS.items():
        if name.endswith(suffix):
            return marker
    return None


def listed():
    with open(os.path.join(ROOT, "po", "POTFILES.in")) as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


def candidates():
    for top in ("src", "data"):
        for dirpath, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)
                marker = marker_for(name)
                if marker is None:
                    continue
                with open(path, encoding="utf-8") as f:
                    if marker.search(f.read()):
                        yield rel


def main():
    names = listed()
    missing = sorted(set(candidates()) - names)
    gone = sorted(n for n in names if not os.path.exists(os.path.join(ROOT, n)))
    for m in missing:
        print(f"not in po/POTFILES.in: {m}")
    for g in gone:
        print(f"in po/POTFILES.in but missing: {g}")
    print(f"{len(names)} files listed, {len(missing)} missing, {len(gone)} gone")
    return 1 if missing or gone else 0


if __name__ == "__main__":
    sys.exit(main())

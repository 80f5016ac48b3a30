#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Satchel starts through D-Bus activation, as the desktop starts it.

The desktop file says DBusActivatable=true: GNOME launches Satchel by
calling org.freedesktop.Application on its name, and the session bus runs
the Exec line of the D-Bus service file that Satchel installs. This test
runs a session bus of its own whose service directory holds that file
(built by meson, with Exec pointing at the build tree's satchel), and then
does what the desktop does: Activate opens the window, each desktop action
is an action of the application, and Quit ends the process."""

import configparser
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

APP_ID = "io.github.satchelmail.Satchel"
APP_PATH = "/io/github/satchelmail/Satchel"
SATCHEL = os.environ.get("SATCHEL_BIN")
SERVICE_FILE = os.environ.get("SATCHEL_SERVICE_FILE")
DESKTOP_FILE = os.environ.get("SATCHEL_DESKTOP_FILE")

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def read_ini(path):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    with open(path, encoding="utf-8") as f:
        parser.read_file(f)
    return parser


class DBusActivation(unittest.TestCase):
    def setUp(self):
        if not os.environ.get("DISPLAY"):
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("no display: the test servers should have started Xvfb")
            self.skipTest("needs a display: run with build-aux/test")
        self.home = tempfile.mkdtemp(prefix="satchel-activation-")
        self.addCleanup(shutil.rmtree, self.home, True)

    def start_bus(self, service_text):
        services = os.path.join(self.home, "services")
        os.makedirs(services)
        with open(os.path.join(services, APP_ID + ".service"), "w", encoding="utf-8") as f:
            f.write(service_text)
        config = os.path.join(self.home, "bus.conf")
        with open(config, "w", encoding="utf-8") as f:
            f.write(BUS_CONFIG.format(dir=self.home, services=services))
        # What the activated Satchel inherits: a home of its own (its first
        # run), the display and the build tree's schemas.
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.home, "data"),
                   XDG_CONFIG_HOME=os.path.join(self.home, "config"),
                   XDG_CACHE_HOME=os.path.join(self.home, "cache"),
                   SATCHEL_CHECK_SECONDS="never")
        env.pop("SATCHEL_PROFILE", None)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        bus = subprocess.Popen(["dbus-daemon", "--nofork", "--print-address=1",
                                "--config-file=" + config],
                               stdout=subprocess.PIPE, text=True, env=env)
        self.addCleanup(bus.stdout.close)
        self.addCleanup(bus.wait)
        self.addCleanup(bus.terminate)
        self.address = bus.stdout.readline().strip()
        self.assertTrue(self.address.startswith("unix:"), self.address)

    def gdbus(self, dest, path, method, *args, check=True):
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address)
        result = subprocess.run(["gdbus", "call", "--session", "--dest", dest,
                                 "--object-path", path, "--method", method, *args],
                                capture_output=True, text=True, env=env, timeout=60)
        if check:
            self.assertEqual(result.returncode, 0, f"{method}: {result.stderr}")
        return result

    def has_owner(self):
        reply = self.gdbus("org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus.NameHasOwner", APP_ID).stdout
        return "true" in reply

    def wait_for(self, what, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail(f"waited {timeout} s in vain for {what}")
            time.sleep(0.2)

    def test_files(self):
        service = read_ini(SERVICE_FILE)["D-BUS Service"]
        self.assertEqual(service["Name"], APP_ID)
        program, *args = service["Exec"].split()
        self.assertTrue(os.path.isabs(program), program)
        self.assertEqual(os.path.basename(program), "satchel")
        self.assertEqual(args, ["--gapplication-service"])

        desktop = read_ini(DESKTOP_FILE)
        self.assertEqual(desktop["Desktop Entry"]["DBusActivatable"], "true")
        # The desktop file is named after the bus name it activates.
        self.assertEqual(os.path.basename(DESKTOP_FILE), APP_ID + ".desktop")

    def test_activation(self):
        service = read_ini(SERVICE_FILE)["D-BUS Service"]
        args = service["Exec"].split()[1:]
        self.start_bus(f"[D-BUS Service]\nName={service['Name']}\n"
                       f"Exec={SATCHEL} {' '.join(args)}\n")
        self.assertFalse(self.has_owner())

        # The launcher's click: the bus starts Satchel, which opens its window.
        self.gdbus(APP_ID, APP_PATH, "org.freedesktop.Application.Activate", "{}")
        self.assertTrue(self.has_owner())
        self.wait_for("the main window", lambda: self.gdbus(
            APP_ID, APP_PATH + "/window/1", "org.gtk.Actions.List", check=False).returncode == 0)

        # Each desktop action is one of the application's.
        actions = self.gdbus(APP_ID, APP_PATH, "org.gtk.Actions.List").stdout
        desktop = read_ini(DESKTOP_FILE)
        listed = [a for a in desktop["Desktop Entry"]["Actions"].split(";") if a]
        self.assertTrue(listed)
        for action in listed:
            self.assertIn(f"Desktop Action {action}", desktop)
            self.assertIn(f"'{action}'", actions)

        self.gdbus(APP_ID, APP_PATH, "org.freedesktop.Application.ActivateAction",
                   "quit", "[]", "{}")
        self.wait_for("Satchel to quit", lambda: not self.has_owner())


if __name__ == "__main__":
    unittest.main()

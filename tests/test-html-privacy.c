/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-html-privacy.c: hostile HTML mail, opened as the reader opens it
 *
 * Copyright 2026 The Satchel authors
 *
 * Every message of tests/html/ tries to make the reader give it away:
 * load something from the sender's server (a read receipt), run a
 * script, go to another page, read a local file, or join the parts of a
 * message into one page (EFAIL). Each is opened in a SatchelMessageView
 * in a window under Xvfb, as the main window shows a message, and given
 * WebKit's load and a second more for late loads. Then:
 *
 *  - a web server on loopback, which every message points at (by
 *    127.0.0.1 and by localhost), has had no connection and no request;
 *  - a FIFO that the file: URLs name has had no reader;
 *  - no script set the page's title (each would), the page is still
 *    about:blank, and WebKit started no other load;
 *  - the page has not the secret words of the other parts.
 *
 * What the web server cannot see, a DNS query for the sender's host, is
 * checked on the reader's WebKit settings instead (X-Test-Feature-Off).
 *
 * Links and buttons marked X-Test-Click are clicked with the pointer
 * (xdotool), as the user would. Links the user clicks open in the
 * browser, which here is a script that only writes down what it is asked
 * to open.
 *
 * Two controls prove that the instruments see what they should: a
 * remote image that the user allows with the banner's button reaches the
 * web server, and a web link clicked reaches the browser. Without them a
 * broken server or a click that missed would pass.
 *
 * Needs an X server (build-aux/test provides Xvfb); the run through the
 * whole application needs the test servers too.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <webkit/webkit.h>

#include "satchel-application.h"
#include "satchel-message-view.h"
#include "satchel-window.h"
#include "satchel-test-utils.h"
#include "satchel-ui-test-utils.h"

/* What a message of the corpus tries, and what the test expects of it:
 * read from its X-Test-* header fields. */
typedef struct
{
  char         *name;      /* the file name without .eml */
  char         *what;      /* X-Test-Case */
  char         *secret;    /* X-Test-Secret: a word the page must not have */
  char         *title;     /* X-Test-Title: the title the page keeps */
  char         *browser;   /* X-Test-Browser: a URL a click opens in the browser */
  char         *feature;   /* X-Test-Feature-Off: a WebKit feature the reader turns off */
  gboolean      click;     /* X-Test-Click: the test clicks the middle of the page */
  gboolean      allow;     /* X-Test-Allow: the user allows remote content; a request comes */
  GMimeMessage *message;   /* with the server's port and the FIFO written in */
} Case;

/* A web server on loopback, as a sender's server: it answers every
 * request with an empty page, and counts connections (a preconnect
 * makes one and sends nothing) and the requests' first lines. */
static struct
{
  GSocketService *service;
  guint16         port;
  GMutex          lock;
  guint           connections;
  GPtrArray      *requests;
} server;

/* A FIFO named by the corpus's file: URLs. Whoever opens it to read
 * waits there for a writer; the test's open for writing then succeeds,
 * which is how it knows. */
static char *tripwire;
static guint tripwire_readers;

/* The reader: a message view in a window, as the main window has one. */
static struct
{
  GtkWindow          *window;
  SatchelMessageView *view;
  WebKitWebView      *web;              /* the view's, from its first message on */
  guint               loads_started;
  guint               loads_finished;
  guint               presses;          /* pointer buttons that reached the window */
  gboolean            script_ran;       /* a title a script would have set */
} reader;

/* The browser: a script that writes each URL it is given into this file. */
static char *home;
static char *browser_log;

static void
case_free (Case *c)
{
  g_free (c->name);
  g_free (c->what);
  g_free (c->secret);
  g_free (c->title);
  g_free (c->browser);
  g_free (c->feature);
  g_clear_object (&c->message);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Case, case_free)

/* The web server */

static gboolean
server_run_cb (GThreadedSocketService *service,
               GSocketConnection      *connection,
               GObject                *source,
               gpointer                user_data)
{
  static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                              "Content-Length: 0\r\nConnection: close\r\n\r\n";
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  char *header;

  g_mutex_lock (&server.lock);
  server.connections++;
  g_mutex_unlock (&server.lock);

  /* A preconnected socket may stay open and silent: not for ever. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 5);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  if (line == NULL)
    return TRUE;
  g_mutex_lock (&server.lock);
  g_ptr_array_add (server.requests, g_strdup (line));
  g_mutex_unlock (&server.lock);
  /* The rest of the request's head, so that the reply comes after it. */
  while ((header = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL &&
         header[0] != '\0')
    g_free (header);
  g_free (header);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), reply,
                             sizeof reply - 1, NULL, NULL, NULL);
  return TRUE;
}

static void
server_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error6 = NULL;
  g_autoptr(GInetAddress) ip4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetAddress) ip6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (ip4, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketAddress) same_port = NULL;

  g_mutex_init (&server.lock);
  server.requests = g_ptr_array_new_with_free_func (g_free);
  /* Enough threads for every connection a page could hold open. */
  server.service = g_threaded_socket_service_new (32);
  g_socket_listener_add_address (G_SOCKET_LISTENER (server.service), any_port,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  server.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  /* "localhost" may be ::1 as well: the same port there. */
  same_port = g_inet_socket_address_new (ip6, server.port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server.service), same_port,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, NULL,
                                      &error6))
    g_test_message ("Only 127.0.0.1 listens: %s", error6->message);
  g_signal_connect (server.service, "run", G_CALLBACK (server_run_cb), NULL);
  g_socket_service_start (server.service);
}

static void
server_stop (void)
{
  g_socket_service_stop (server.service);
  g_socket_listener_close (G_SOCKET_LISTENER (server.service));
  g_clear_object (&server.service);
  g_clear_pointer (&server.requests, g_ptr_array_unref);
}

static void
server_reset (void)
{
  g_mutex_lock (&server.lock);
  server.connections = 0;
  g_ptr_array_set_size (server.requests, 0);
  g_mutex_unlock (&server.lock);
}

/* The requests so far, one a line, for an assertion that shows them. */
static char *
server_dup_requests (void)
{
  GString *out = g_string_new (NULL);

  g_mutex_lock (&server.lock);
  for (guint i = 0; i < server.requests->len; i++)
    g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (server.requests, i));
  g_mutex_unlock (&server.lock);
  return g_string_free (out, FALSE);
}

static guint
server_connections (void)
{
  guint n;

  g_mutex_lock (&server.lock);
  n = server.connections;
  g_mutex_unlock (&server.lock);
  return n;
}

static gboolean
server_saw (gpointer path)
{
  g_autofree char *requests = server_dup_requests ();
  g_autofree char *line = g_strdup_printf ("GET %s HTTP/", (char *) path);

  return strstr (requests, line) != NULL;
}

/* The tripwire */

static void
tripwire_check (void)
{
  int fd = open (tripwire, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  /* ENXIO: nobody has it open to read, as it should be. Closing it
   * again lets a reader go on, with nothing read. */
  if (fd >= 0)
    {
      tripwire_readers++;
      close (fd);
    }
  else
    g_assert_cmpint (errno, ==, ENXIO);
}

/* The FIFO in @dir, and its own control: a reader is seen. */
static void
tripwire_make (const char *dir)
{
  int fd;

  tripwire = g_build_filename (dir, "tripwire", NULL);
  g_assert_cmpint (mkfifo (tripwire, 0600), ==, 0);
  fd = open (tripwire, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  tripwire_check ();
  close (fd);
  g_assert_cmpuint (tripwire_readers, ==, 1);
  tripwire_readers = 0;
  tripwire_check ();
  g_assert_cmpuint (tripwire_readers, ==, 0);
}

/* Runs the main loop for @ms milliseconds, watching the tripwire. */
static void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      tripwire_check ();
      g_usleep (2000);
    }
}

/* The browser */

/* XDG directories of the test's own, where the default web browser is a
 * script that writes down the URLs it is given: clicks on links must go
 * there, not to the network. Before GLib reads the directories. */
static void
browser_install (void)
{
  g_autofree char *data = NULL;
  g_autofree char *config = NULL;
  g_autofree char *apps = NULL;
  g_autofree char *script = NULL;
  g_autofree char *script_text = NULL;
  g_autofree char *desktop = NULL;
  g_autofree char *desktop_text = NULL;
  g_autofree char *mimeapps = NULL;
  g_autoptr(GError) error = NULL;

  home = satchel_test_make_dir ();
  data = g_build_filename (home, "data", NULL);
  config = g_build_filename (home, "config", NULL);
  apps = g_build_filename (data, "applications", NULL);
  g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (config, 0700), ==, 0);
  browser_log = g_build_filename (home, "browser.log", NULL);

  script = g_build_filename (home, "browser", NULL);
  script_text = g_strdup_printf ("#!/bin/sh\nprintf '%%s\\n' \"$1\" >> '%s'\n", browser_log);
  g_file_set_contents (script, script_text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);

  desktop = g_build_filename (apps, "satchel-test-browser.desktop", NULL);
  desktop_text = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Test Browser\n"
                                  "Exec=%s %%u\nNoDisplay=true\n"
                                  "MimeType=x-scheme-handler/http;x-scheme-handler/https;\n",
                                  script);
  g_file_set_contents (desktop, desktop_text, -1, &error);
  g_assert_no_error (error);
  mimeapps = g_build_filename (config, "mimeapps.list", NULL);
  g_file_set_contents (mimeapps, "[Default Applications]\n"
                                 "x-scheme-handler/http=satchel-test-browser.desktop\n"
                                 "x-scheme-handler/https=satchel-test-browser.desktop\n",
                       -1, &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
}

static char *
browser_dup_log (void)
{
  char *text = NULL;

  if (!g_file_get_contents (browser_log, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static gboolean
browser_opened (gpointer url)
{
  g_autofree char *log = browser_dup_log ();
  g_autofree char *line = g_strconcat (url, "\n", NULL);

  return strstr (log, line) != NULL;
}

/* The corpus */

/* @text with the server's port and the tripwire's path written in. */
static char *
fill_in (const char *text)
{
  g_autofree char *port = g_strdup_printf ("%u", server.port);
  g_auto(GStrv) pieces = g_strsplit (text, "@PORT@", -1);
  g_autofree char *with_port = g_strjoinv (port, pieces);
  g_auto(GStrv) more = g_strsplit (with_port, "@TRIPWIRE@", -1);

  return g_strjoinv (tripwire, more);
}

static char *
header (GMimeMessage *message,
        const char   *name)
{
  const char *value = g_mime_object_get_header (GMIME_OBJECT (message), name);

  return value != NULL ? g_strstrip (g_strdup (value)) : NULL;
}

static Case *
case_load (const char *dir,
           const char *file)
{
  g_autoptr(Case) c = g_new0 (Case, 1);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GBytes) raw = satchel_test_read_file (path);
  g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  char *filled = fill_in (text);
  g_autoptr(GBytes) bytes = g_bytes_new_take (filled, strlen (filled));
  g_autofree char *click = NULL;
  g_autofree char *allow = NULL;
  g_autofree char *browser = NULL;

  c->name = g_strndup (file, strlen (file) - strlen (".eml"));
  c->message = satchel_mime_parse (bytes);
  g_assert_nonnull (c->message);
  c->what = header (c->message, "X-Test-Case");
  g_assert_nonnull (c->what);
  c->secret = header (c->message, "X-Test-Secret");
  c->title = header (c->message, "X-Test-Title");
  click = header (c->message, "X-Test-Click");
  c->click = g_strcmp0 (click, "yes") == 0;
  allow = header (c->message, "X-Test-Allow");
  c->allow = g_strcmp0 (allow, "yes") == 0;
  c->feature = header (c->message, "X-Test-Feature-Off");
  browser = header (c->message, "X-Test-Browser");
  c->browser = browser != NULL ? fill_in (browser) : NULL;
  return g_steal_pointer (&c);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Every message of tests/html/, in the order of their names. */
static GPtrArray *
corpus_load (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("SATCHEL_SOURCE_DIR"), "tests", "html",
                                           NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) files = g_dir_open (dir, 0, &error);
  const char *file;

  g_assert_no_error (error);
  while ((file = g_dir_read_name (files)) != NULL)
    if (g_str_has_suffix (file, ".eml"))
      g_ptr_array_add (names, g_strdup (file));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (cases, case_load (dir, g_ptr_array_index (names, i)));
  return g_steal_pointer (&cases);
}

/* The reader */

static void
load_changed_cb (WebKitWebView   *web,
                 WebKitLoadEvent  event,
                 gpointer         user_data)
{
  if (event == WEBKIT_LOAD_STARTED)
    reader.loads_started++;
  else if (event == WEBKIT_LOAD_FINISHED)
    reader.loads_finished++;
}

/* Every title the page has, even for a moment: a script that set one
 * and then another is seen too. */
static void
notify_title_cb (WebKitWebView *web,
                 GParamSpec    *pspec,
                 gpointer       user_data)
{
  const char *title = webkit_web_view_get_title (web);

  if (title != NULL && strstr (title, "SCRIPT RAN") != NULL)
    reader.script_ran = TRUE;
}

static void
web_process_terminated_cb (WebKitWebView                     *web,
                           WebKitWebProcessTerminationReason  reason,
                           gpointer                           user_data)
{
  /* A page that crashed WebKit loads nothing either: it must not pass. */
  g_error ("The web process ended (reason %d)", reason);
}

static gboolean
window_event_cb (GtkEventControllerLegacy *controller,
                 GdkEvent                 *event,
                 gpointer                  user_data)
{
  if (gdk_event_get_event_type (event) == GDK_BUTTON_PRESS)
    reader.presses++;
  return FALSE;
}

static void
reader_ensure (void)
{
  GtkEventController *watch;

  if (reader.window != NULL)
    return;
  reader.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (reader.window, "Hostile mail");
  gtk_window_set_default_size (reader.window, 900, 700);
  reader.view = SATCHEL_MESSAGE_VIEW (satchel_message_view_new ());
  gtk_window_set_child (reader.window, GTK_WIDGET (reader.view));
  /* Sees every pointer press on its way to the web view, and lets it go. */
  watch = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (watch, GTK_PHASE_CAPTURE);
  g_signal_connect (watch, "event", G_CALLBACK (window_event_cb), NULL);
  gtk_widget_add_controller (GTK_WIDGET (reader.window), watch);
  gtk_window_present (reader.window);
  wait_for_draw (GTK_WIDGET (reader.window));
}

static gboolean
load_finished_since (gpointer count)
{
  tripwire_check ();
  return reader.loads_finished > *(guint *) count;
}

/* Shows @message as the main window does when the user selects it, and
 * waits until WebKit has loaded it. */
static void
reader_open (GMimeMessage *message)
{
  g_autoptr(SatchelMimeHeaders) headers = satchel_mime_read_headers (message);
  SatchelMessageRow row = { 0, };
  guint finished = reader.loads_finished;

  reader_ensure ();
  row.id = 1;
  row.subject = headers->subject;
  row.from = headers->from;
  row.to = headers->to;
  row.cc = headers->cc;
  row.date = headers->date;
  reader.loads_started = 0;
  reader.script_ran = FALSE;
  satchel_message_view_show (reader.view, &row, message, NULL, FALSE);
  if (reader.web == NULL)
    {
      reader.web = WEBKIT_WEB_VIEW (find_widget (GTK_WIDGET (reader.view), is_widget_of_type,
                                                 GSIZE_TO_POINTER (WEBKIT_TYPE_WEB_VIEW)));
      g_assert_nonnull (reader.web);
      g_signal_connect (reader.web, "load-changed", G_CALLBACK (load_changed_cb), NULL);
      g_signal_connect (reader.web, "notify::title", G_CALLBACK (notify_title_cb), NULL);
      g_signal_connect (reader.web, "web-process-terminated",
                        G_CALLBACK (web_process_terminated_cb), NULL);
    }
  /* The first message starts WebKit's processes. */
  wait_until (load_finished_since, &finished, 30);
}

static gboolean
pressed_since (gpointer count)
{
  return reader.presses > *(guint *) count;
}

/* Clicks the middle of the web view with the pointer, through the X
 * server, as the user's hand would. */
static void
reader_click (void)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (reader.web));
  GdkSurface *surface = gtk_native_get_surface (native);
  graphene_point_t point;
  double dx, dy;
  g_autofree char *xid = NULL;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  guint presses = reader.presses;
  int status;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (reader.web), GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (
                                             gtk_widget_get_width (GTK_WIDGET (reader.web)) / 2,
                                             gtk_widget_get_height (GTK_WIDGET (reader.web)) / 2),
                                           &point));
  /* Widget coordinates start inside the window's shadow, if it has one. */
  gtk_native_get_surface_transform (native, &dx, &dy);
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  x = g_strdup_printf ("%d", (int) (point.x + dx));
  y = g_strdup_printf ("%d", (int) (point.y + dy));
  /* The other UI tests run at the same time on the same display, their
   * windows where this one is: it is raised first, and a click another
   * window took is made again. */
  for (guint attempt = 0; attempt < 5 && !pressed_since (&presses); attempt++)
    {
      const char *argv[] = { "xdotool", "windowraise", xid, "mousemove", "--window", xid, x, y,
                             "click", "1", NULL };
      gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

      g_clear_pointer (&err, g_free);
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                    NULL, NULL, NULL, &err, &status, &error);
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("xdotool failed: %s", err);
      while (!pressed_since (&presses) && g_get_monotonic_time () < until)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (10 * 1000);
    }
  wait_until (pressed_since, &presses, 10);
}

/* The tests */

static gboolean
is_mapped_info_bar (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_INFO_BAR (widget) && gtk_widget_get_mapped (widget);
}

typedef struct
{
  WebKitWebView *web;
  const char    *title;
} Title;

static gboolean
has_title (gpointer data)
{
  Title *title = data;

  return g_strcmp0 (webkit_web_view_get_title (title->web), title->title) == 0;
}

/* What the web server cannot see, such as a DNS query, the reader's
 * settings must prevent. */
static void
assert_feature_off (const char *identifier)
{
#if WEBKIT_CHECK_VERSION (2, 42, 0)
  WebKitSettings *settings = webkit_web_view_get_settings (reader.web);
  g_autoptr(WebKitFeatureList) features = webkit_settings_get_all_features ();
  gboolean found = FALSE;

  for (gsize i = 0; i < webkit_feature_list_get_length (features); i++)
    {
      WebKitFeature *feature = webkit_feature_list_get (features, i);

      if (g_str_equal (webkit_feature_get_identifier (feature), identifier))
        {
          g_assert_false (webkit_settings_get_feature_enabled (settings, feature));
          found = TRUE;
        }
    }
  if (!found)
    g_test_message ("This WebKit has no feature %s", identifier);
#endif
}

/* The server saw nothing, and nobody opened the tripwire. */
static void
assert_nothing_left (void)
{
  g_autofree char *requests = server_dup_requests ();

  g_assert_cmpstr (requests, ==, "");
  g_assert_cmpuint (server_connections (), ==, 0);
  g_assert_cmpuint (tripwire_readers, ==, 0);
}

/* Opens the message of @data, with remote content blocked, and checks
 * that it learnt nothing and changed nothing; the two controls then
 * check that the instruments work. */
static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  g_autofree char *shown = NULL;
  g_autofree char *html = NULL;

  g_test_message ("%s: %s", c->name, c->what);
  server_reset ();
  tripwire_readers = 0;
  if (c->click && xdotool == NULL)
    {
      /* build-aux/test installs it: there, a case left out is a failure. */
      if (g_getenv ("SATCHEL_TEST_REQUIRE_SERVERS") != NULL)
        g_error ("Clicks need xdotool (build-aux/debian-packages.txt lists it)");
      g_test_skip ("Clicks need xdotool");
      return;
    }

  reader_open (c->message);
  g_assert_cmpstr (webkit_web_view_get_uri (reader.web), ==, "about:blank");
  if (c->feature != NULL)
    assert_feature_off (c->feature);
  if (c->click)
    reader_click ();
  /* Late loads: fonts, lazy images, refreshes and the clicks' effects. */
  settle (1000);

  /* The page's own title, which WebKit tells a little after the load,
   * and never one that a script set. */
  if (c->title != NULL)
    {
      Title title = { reader.web, c->title };

      wait_until (has_title, &title, 5);
    }
  g_assert_false (reader.script_ran);
  g_assert_cmpstr (webkit_web_view_get_uri (reader.web), ==, "about:blank");
  /* One load, the message's own: no refresh, no navigation. */
  g_assert_cmpuint (reader.loads_started, ==, 1);
  g_assert_false (webkit_web_view_is_loading (reader.web));
  shown = satchel_message_view_dup_shown_text (reader.view);
  html = satchel_mime_get_html (c->message);
  g_assert_nonnull (html);
  g_assert_nonnull (strstr (shown, html));
  if (c->secret != NULL)
    g_assert_null (strstr (shown, c->secret));
  if (c->browser != NULL)
    {
      /* The click went where it should: to the browser, and only there. */
      wait_until (browser_opened, c->browser, 10);
    }
  assert_nothing_left ();

  if (c->allow)
    {
      GtkWidget *banner = find_widget (GTK_WIDGET (reader.view), is_mapped_info_bar, NULL);
      GtkWidget *show;
      guint finished = reader.loads_finished;

      /* The control: the user presses Show, and the image comes. */
      g_assert_true (satchel_message_view_get_remote_blocked (reader.view));
      g_assert_nonnull (banner);
      show = find_widget (banner, is_button_labelled, "_Show");
      g_assert_nonnull (show);
      g_assert_true (gtk_widget_activate (show));
      wait_until (server_saw, "/control.png", 15);
      /* That load ends here, not in the next test. */
      wait_until (load_finished_since, &finished, 15);
    }
}

/* The whole application */

/* The messages run through the application too: one of each kind of
 * attack (a load, a hint, a refresh, a script, EFAIL). All of them would
 * take a minute more. */
static const char * const app_cases[] = {
  "img-remote", "link-prefetch", "meta-refresh", "script-inline", "efail-mixed",
};

static GPtrArray *corpus;

static const Case *
case_named (const char *name)
{
  for (guint i = 0; i < corpus->len; i++)
    {
      const Case *c = g_ptr_array_index (corpus, i);

      if (g_str_equal (c->name, name))
        return c;
    }
  g_error ("No case %s in tests/html", name);
}

static gboolean
service_idle (gpointer app)
{
  return !satchel_mail_service_is_busy (satchel_application_get_mail_service (app));
}

typedef struct
{
  GListModel *list;
  guint       n;
} Count;

static gboolean
has_n_messages (gpointer data)
{
  Count *count = data;

  return g_list_model_get_n_items (count->list) == count->n;
}

typedef struct
{
  GtkWidget  *reader;
  const char *html;
} Shows;

static gboolean
reader_shows (gpointer data)
{
  Shows *shows = data;
  SatchelMessageView *view = SATCHEL_MESSAGE_VIEW (shows->reader);
  g_autofree char *text = satchel_message_view_dup_shown_text (view);
  g_auto(GStrv) lines = NULL;
  g_autofree char *unix_text = NULL;

  tripwire_check ();
  if (text == NULL)
    return FALSE;
  /* The server gives the message back with CRLF line ends. */
  lines = g_strsplit (text, "\r\n", -1);
  unix_text = g_strjoinv ("\n", lines);
  return strstr (unix_text, shows->html) != NULL;
}

static void
check_app (SatchelApplication *app,
           SatchelWindow      *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_LIST_VIEW));
  GtkWidget *view = find_widget (GTK_WIDGET (window), is_widget_of_type,
                                 GSIZE_TO_POINTER (SATCHEL_TYPE_MESSAGE_VIEW));
  GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  Count count = { G_LIST_MODEL (selection), G_N_ELEMENTS (app_cases) };

  wait_until (service_idle, app, 30);
  wait_until (has_n_messages, &count, 30);
  for (guint i = 0; i < count.n; i++)
    {
      g_autoptr(SatchelMessageItem) item = g_list_model_get_item (count.list, i);
      const char *subject = satchel_message_item_get_row (item)->subject;
      const Case *c = NULL;
      g_autofree char *html = NULL;
      g_autofree char *shown = NULL;
      WebKitWebView *web;
      Shows shows = { view, NULL };

      for (guint j = 0; j < G_N_ELEMENTS (app_cases) && c == NULL; j++)
        if (g_strcmp0 (g_mime_message_get_subject (case_named (app_cases[j])->message),
                       subject) == 0)
          c = case_named (app_cases[j]);
      g_assert_nonnull (c);
      g_test_message ("In the application: %s", c->name);
      server_reset ();
      tripwire_readers = 0;
      html = satchel_mime_get_html (c->message);
      shows.html = html;
      gtk_selection_model_select_item (selection, i, TRUE);
      wait_until (reader_shows, &shows, 20);
      settle (1000);

      web = WEBKIT_WEB_VIEW (find_widget (view, is_widget_of_type,
                                          GSIZE_TO_POINTER (WEBKIT_TYPE_WEB_VIEW)));
      g_assert_false (webkit_web_view_is_loading (web));
      g_assert_cmpstr (webkit_web_view_get_uri (web), ==, "about:blank");
      if (c->title != NULL)
        {
          Title title = { web, c->title };

          wait_until (has_title, &title, 5);
        }
      shown = satchel_message_view_dup_shown_text (SATCHEL_MESSAGE_VIEW (view));
      if (c->secret != NULL)
        g_assert_null (strstr (shown, c->secret));
      assert_nothing_left ();
    }
}

/* The messages of app_cases in the Inbox of a new user of the test
 * Dovecot, read by Satchel as the user starts it. */
static void
test_app (void)
{
  g_autofree char *profile = NULL;
  g_autofree char *path = NULL;
  g_autofree char *file = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *email = NULL;
  g_autoptr(GError) error = NULL;

  if (!satchel_test_require_servers ())
    return;
  profile = satchel_test_make_dir ();
  path = g_build_filename (profile, "satchel.db", NULL);
  file = g_build_filename (profile, "mail.eml", NULL);
  user = g_strdup_printf ("html%dx%u", (int) getpid (), g_random_int ());
  password = g_strconcat ("pw-", user, NULL);
  email = g_strconcat (user, "@example.org", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (app_cases); i++)
    {
      g_autofree char *raw = g_mime_object_to_string (
        GMIME_OBJECT (case_named (app_cases[i])->message), NULL);

      g_assert_true (g_file_set_contents (file, raw, -1, NULL));
      satchel_test_mailctl ("append", user, password, "INBOX", file, NULL);
    }

  {
    g_autoptr(SatchelStore) store = satchel_store_open (path, &error);
    g_autoptr(SatchelAccountList) list = satchel_account_list_new (store, &error);
    g_autoptr(SatchelAccount) account = satchel_account_new (SATCHEL_ACCOUNT_KIND_IMAP, email);
    g_autoptr(SatchelSecrets) secrets = satchel_secrets_new ();
    guint port = (guint) g_ascii_strtoull (g_getenv ("SATCHEL_TEST_IMAPS_PORT"), NULL, 10);

    g_assert_no_error (error);
    g_object_set (account, "host", "localhost", "port", port, "user", user,
                  "ca-file", g_getenv ("SATCHEL_TEST_CA"), NULL);
    g_assert_true (satchel_account_list_add (list, account, &error));
    g_assert_true (satchel_secrets_store_sync (secrets, satchel_account_get_uuid (account),
                                               email, SATCHEL_SECRET_INCOMING, password, NULL,
                                               &error));
    g_assert_no_error (error);
  }
  g_setenv ("SATCHEL_CHECK_SECONDS", "3600", TRUE);
  run_app (profile, check_app);
  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  satchel_test_remove_dir (profile);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *fifo_dir = NULL;
  int status;

  g_setenv ("SATCHEL_CHECK_SECONDS", "never", TRUE);
  /* Before GTK and GIO read the XDG directories. */
  browser_install ();
  if (!ui_test_init (&argc, &argv))
    {
      satchel_test_remove_dir (home);
      return 0;
    }

  fifo_dir = satchel_test_make_dir ();
  tripwire_make (fifo_dir);
  server_start ();
  corpus = corpus_load ();
  for (guint i = 0; i < corpus->len; i++)
    {
      Case *c = g_ptr_array_index (corpus, i);
      g_autofree char *test_path = g_strconcat ("/html-privacy/", c->name, NULL);

      g_test_add_data_func (test_path, c, test_case);
    }
  g_test_add_func ("/html-privacy/application", test_app);

  status = g_test_run ();

  g_clear_pointer (&reader.window, gtk_window_destroy);
  server_stop ();
  g_clear_pointer (&corpus, g_ptr_array_unref);
  satchel_test_remove_dir (fifo_dir);
  satchel_test_remove_dir (home);
  g_free (tripwire);
  g_free (browser_log);
  g_free (home);
  return status;
}

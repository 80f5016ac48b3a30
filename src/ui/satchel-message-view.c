/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-message-view.c: a message as the reader shows it
 *
 * Copyright 2026 The Satchel authors
 *
 * The header block (subject, from, to, cc, date), a banner when remote
 * content was blocked, the body in a WebKitWebView, and the attachments.
 *
 * Mail is hostile until shown otherwise. The web view runs no JavaScript,
 * keeps nothing (an ephemeral network session, no storage, no cache),
 * navigates nowhere (a click on a link opens it in the browser), and each
 * page starts with a Content-Security-Policy that lets it load only its
 * own parts (cid:) and data: URLs: no image, style sheet, font or frame
 * from the network, which would tell the sender that the mail was read,
 * and when, and from where. What WebKit does beside the policy,
 * preconnecting and prefetching DNS, is turned off. "Show" renders it
 * again with remote images, styles and fonts allowed; scripts, frames
 * and forms never are.
 *
 * Plain text is shown as text, with its links made clickable.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <webkit/webkit.h>

#include "satchel-message-view.h"

#define CSP_BLOCKED "default-src 'none'; img-src cid: data:; style-src 'unsafe-inline' cid: data:; " \
                    "font-src cid: data:; script-src 'none'; object-src 'none'; frame-src 'none'; " \
                    "child-src 'none'; media-src 'none'; form-action 'none'; base-uri 'none'"
#define CSP_REMOTE  "default-src 'none'; img-src cid: data: http: https:; " \
                    "style-src 'unsafe-inline' cid: data: http: https:; " \
                    "font-src cid: data: http: https:; script-src 'none'; object-src 'none'; " \
                    "frame-src 'none'; child-src 'none'; media-src 'none'; form-action 'none'; " \
                    "base-uri 'none'"

#define PLAIN_STYLE "body { font-family: sans-serif; font-size: 11pt; margin: 0 24px 18px; " \
                    "color: %s; background: transparent; overflow-wrap: anywhere; } " \
                    "pre { white-space: pre-wrap; font-family: inherit; margin: 0; } " \
                    "a { color: %s; }"

struct _SatchelMessageView
{
  GtkWidget parent_instance;

  GtkWidget      *box;
  GtkLabel       *subject;
  GtkToggleButton *star;
  GtkLabel       *from;
  GtkLabel       *to;
  GtkWidget      *to_title;
  GtkLabel       *cc;
  GtkWidget      *cc_title;
  GtkLabel       *date;
  GtkWidget      *banner;
  WebKitWebView  *web;
  GtkWidget      *attachments_revealer;
  GtkFlowBox     *attachments;

  GMimeMessage   *message;     /* shown, for cid: parts and attachments */
  char           *shown;       /* what the web view was given */
  char           *plain;       /* the text shown, when it is not HTML */
  gboolean        remote_blocked;
  gboolean        shown_again; /* after the web process crashed on it */
};

G_DEFINE_FINAL_TYPE (SatchelMessageView, satchel_message_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_REMOTE_CONTENT_ALLOWED,
  SIGNAL_STAR_TOGGLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Whether @html refers to anything on the network that a page loads by
 * itself (images, style sheets, fonts, backgrounds): the banner is shown
 * only then. The policy blocks it either way. */
static gboolean
has_remote_content (const char *html)
{
  static GRegex *remote;

  if (g_once_init_enter (&remote))
    g_once_init_leave (&remote,
      g_regex_new ("(?:src|background|poster|srcset)\\s*=\\s*[\"']?\\s*(?:https?:)?//"
                   "|url\\(\\s*[\"']?\\s*(?:https?:)?//"
                   "|<link[^>]+href\\s*=\\s*[\"']?\\s*(?:https?:)?//"
                   "|@import",
                   G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL));
  return g_regex_match (remote, html, 0, NULL);
}

/* Plain text as a page: escaped, with its web and mail links made links. */
static char *
plain_page (SatchelMessageView *self,
            const char         *text)
{
  static GRegex *links;
  g_autoptr(GString) page = g_string_new (NULL);
  g_autoptr(GMatchInfo) match = NULL;
  AdwStyleManager *styles = adw_style_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (styles);
  gboolean high_contrast = adw_style_manager_get_high_contrast (styles);
  g_autofree char *style = NULL;
  int last = 0;

  if (g_once_init_enter (&links))
    g_once_init_leave (&links, g_regex_new ("(?:https?://|mailto:)[^\\s<>\"']+[^\\s<>\"'.,;:!?)]",
                                                    G_REGEX_OPTIMIZE, 0, NULL));
  /* libadwaita's text and link colours. They are not read from the
   * widget's style: when the style turns dark, the page is made again
   * before the widget's style has followed. */
  style = g_strdup_printf (PLAIN_STYLE, dark ? "#ffffff"
                                             : (high_contrast ? "#000000" : "rgba(0, 0, 0, 0.8)"),
                           dark ? "#78aeed" : "#1c71d8");
  g_string_append_printf (page, "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">"
                                "<style>%s</style><pre>", CSP_BLOCKED, style);
  g_regex_match (links, text, 0, &match);
  while (g_match_info_matches (match))
    {
      int start, end;
      g_autofree char *before = NULL;
      g_autofree char *url = NULL;

      g_match_info_fetch_pos (match, 0, &start, &end);
      before = g_markup_escape_text (text + last, start - last);
      url = g_markup_escape_text (text + start, end - start);
      g_string_append_printf (page, "%s<a href=\"%s\">%s</a>", before, url, url);
      last = end;
      g_match_info_next (match, NULL);
    }
  {
    g_autofree char *rest = g_markup_escape_text (text + last, -1);

    g_string_append (page, rest);
  }
  g_string_append (page, "</pre>");
  return g_string_free (g_steal_pointer (&page), FALSE);
}

static WebKitWebView *new_web_view (SatchelMessageView *self);

static void
ensure_web_view (SatchelMessageView *self)
{
  if (self->web != NULL)
    return;
  self->web = new_web_view (self);
  gtk_widget_set_vexpand (GTK_WIDGET (self->web), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->web), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message text"), -1);
  gtk_box_insert_child_after (GTK_BOX (self->box), GTK_WIDGET (self->web), self->banner);
}

static void
load_page (SatchelMessageView *self,
           const char         *page,
           gboolean            on_white)
{
  GdkRGBA background = { 1, 1, 1, on_white ? 1 : 0 };

  ensure_web_view (self);
  webkit_web_view_set_background_color (self->web, &background);
  g_free (self->shown);
  self->shown = g_strdup (page);
  self->shown_again = FALSE;
  webkit_web_view_load_html (self->web, page, NULL);
}

/* A web process that ended (it crashed, or took too much memory) leaves
 * a blank page: the message is shown again, in a new one, once; a page
 * that ends it twice stays blank rather than end it in a loop. */
static void
web_process_terminated_cb (WebKitWebView                     *web,
                           WebKitWebProcessTerminationReason  reason,
                           SatchelMessageView                *self)
{
  g_message ("The web process that showed a message ended (reason %d)%s.", reason,
             self->shown != NULL && !self->shown_again ? "; showing it again" : "");
  if (self->shown == NULL || self->shown_again)
    return;
  self->shown_again = TRUE;
  webkit_web_view_load_html (web, self->shown, NULL);
}

/* The HTML body, under the policy that blocks or allows remote content. */
static void
render_html (SatchelMessageView *self,
             const char         *html,
             gboolean            allow_remote)
{
  g_autofree char *page = g_strdup_printf ("<meta http-equiv=\"Content-Security-Policy\" "
                                           "content=\"%s\">%s",
                                           allow_remote ? CSP_REMOTE : CSP_BLOCKED, html);

  self->remote_blocked = !allow_remote && has_remote_content (html);
  gtk_widget_set_visible (self->banner, self->remote_blocked);
  load_page (self, page, TRUE);
}

static void
banner_response_cb (GtkInfoBar         *banner,
                    int                 response,
                    SatchelMessageView *self)
{
  g_autofree char *html = NULL;

  if (self->message == NULL || response < 1)
    return;
  html = satchel_mime_get_html (self->message);
  if (html == NULL)
    return;
  render_html (self, html, TRUE);
  /* Response 2: always, for this sender (the window remembers it). */
  g_signal_emit (self, signals[SIGNAL_REMOTE_CONTENT_ALLOWED], 0, response == 2);
}

/* Only the page we load is shown; a link opens in the browser. */
static gboolean
decide_policy_cb (WebKitWebView            *web,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  SatchelMessageView       *self)
{
  WebKitNavigationAction *action;
  const char *uri;

  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    return FALSE;
  action = webkit_navigation_policy_decision_get_navigation_action (
    WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
  if (type == WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION &&
      webkit_navigation_action_get_navigation_type (action) == WEBKIT_NAVIGATION_TYPE_OTHER &&
      g_strcmp0 (uri, "about:blank") == 0)
    return FALSE;
  webkit_policy_decision_ignore (decision);
  if (webkit_navigation_action_is_user_gesture (action) && uri != NULL &&
      (g_str_has_prefix (uri, "https://") || g_str_has_prefix (uri, "http://") ||
       g_str_has_prefix (uri, "mailto:")))
    gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
  return TRUE;
}

/* cid: URLs name the message's own parts (inline images). */
static void
cid_request_cb (WebKitURISchemeRequest *request,
                gpointer                user_data)
{
  SatchelMessageView *self = g_weak_ref_get (user_data);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *id = NULL;
  GMimePart *part = NULL;

  if (self != NULL && self->message != NULL)
    {
      id = g_uri_unescape_string (webkit_uri_scheme_request_get_path (request), NULL);
      if (id != NULL)
        part = satchel_mime_find_content_id (self->message, id);
    }
  if (part == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                             "The message has no such part");

      webkit_uri_scheme_request_finish_error (request, error);
      g_clear_object (&self);
      return;
    }
  bytes = satchel_mime_part_get_bytes (GMIME_OBJECT (part));
  stream = g_memory_input_stream_new_from_bytes (bytes);
  {
    g_autofree char *type = g_mime_content_type_get_mime_type (
      g_mime_object_get_content_type (GMIME_OBJECT (part)));

    webkit_uri_scheme_request_finish (request, stream, g_bytes_get_size (bytes), type);
  }
  g_clear_object (&self);
}

/* Attachments */

/* A name to save @part under: the sender's file name without any
 * directory, never hidden, never empty. */
static char *
safe_file_name (GMimeObject *part)
{
  g_autofree char *name = satchel_mime_part_dup_filename (part);
  g_autofree char *base = name != NULL ? g_path_get_basename (name) : NULL;
  GString *out = g_string_new (NULL);

  for (const char *p = base != NULL ? base : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '\\' || g_unichar_iscntrl (c))
        continue;
      if (out->len == 0 && (c == '.' || c == ' '))
        continue;
      g_string_append_unichar (out, c);
    }
  if (out->len == 0)
    g_string_append (out, GMIME_IS_MESSAGE_PART (part) ? _("message.eml") : _("attachment"));
  return g_string_free (out, FALSE);
}

static void
open_attachment_cb (GtkButton          *button,
                    SatchelMessageView *self)
{
  GMimeObject *part = g_object_get_data (G_OBJECT (button), "part");
  g_autofree char *name = safe_file_name (part);
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "satchel", "attachments",
                                           NULL);
  g_autofree char *unique = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GBytes) bytes = satchel_mime_part_get_bytes (part);
  g_autoptr(GError) error = NULL;

  /* Its own directory, so that two attachments of one name differ. */
  g_mkdir_with_parents (dir, 0700);
  unique = g_build_filename (dir, "XXXXXX", NULL);
  if (g_mkdtemp (unique) == NULL)
    return;
  path = g_build_filename (unique, name, NULL);
  if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0400, &error))
    {
      g_warning ("%s", error->message);
      return;
    }
  uri = g_filename_to_uri (path, NULL, NULL);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  GMimeObject     *part)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      bytes = satchel_mime_part_get_bytes (part);
      if (!g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                    NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL, &error))
        g_warning ("%s", error->message);
    }
  g_object_unref (dialog);
}

static void
unref_data (gpointer  data,
            GClosure *closure)
{
  g_object_unref (data);
}

static void
save_attachment_cb (GtkButton          *button,
                    SatchelMessageView *self)
{
  GMimeObject *part = g_object_get_data (G_OBJECT (button), "part");
  g_autofree char *name = safe_file_name (part);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Save Attachment"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect_data (dialog, "response", G_CALLBACK (save_response_cb), g_object_ref (part),
                         unref_data, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static GtkWidget *
attachment_widget (SatchelMessageView *self,
                   GMimeObject        *part)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *open = gtk_button_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *save = gtk_button_new_from_icon_name ("document-save-symbolic");
  g_autofree char *name = safe_file_name (part);
  g_autofree char *type = g_mime_content_type_get_mime_type (g_mime_object_get_content_type (part));
  g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (type);
  g_autoptr(GBytes) bytes = satchel_mime_part_get_bytes (part);
  g_autofree char *size = g_format_size (g_bytes_get_size (bytes));
  g_autofree char *text = g_strdup_printf ("%s (%s)", name, size);
  g_autofree char *save_label = g_strdup_printf (_("Save %s"), name);

  gtk_box_append (GTK_BOX (content), gtk_image_new_from_gicon (icon));
  gtk_box_append (GTK_BOX (content), gtk_label_new (text));
  gtk_button_set_child (GTK_BUTTON (open), content);
  gtk_widget_set_tooltip_text (open, _("Open"));
  gtk_widget_set_tooltip_text (save, save_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (save), GTK_ACCESSIBLE_PROPERTY_LABEL, save_label,
                                  -1);
  g_object_set_data_full (G_OBJECT (open), "part", g_object_ref (part), g_object_unref);
  g_object_set_data_full (G_OBJECT (save), "part", g_object_ref (part), g_object_unref);
  g_signal_connect (open, "clicked", G_CALLBACK (open_attachment_cb), self);
  g_signal_connect (save, "clicked", G_CALLBACK (save_attachment_cb), self);
  gtk_box_append (GTK_BOX (box), open);
  gtk_box_append (GTK_BOX (box), save);
  gtk_widget_add_css_class (box, "linked");
  return box;
}

static void
show_attachments (SatchelMessageView *self)
{
  g_autoptr(GPtrArray) parts = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachments))) != NULL)
    gtk_flow_box_remove (self->attachments, child);
  parts = self->message != NULL ? satchel_mime_get_attachments (self->message) : NULL;
  for (guint i = 0; parts != NULL && i < parts->len; i++)
    gtk_flow_box_append (self->attachments, attachment_widget (self, g_ptr_array_index (parts, i)));
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->attachments_revealer),
                                 parts != NULL && parts->len > 0);
}

static void star_toggled_cb (GtkToggleButton    *star,
                             SatchelMessageView *self);

static void
show_star (SatchelMessageView *self,
           gboolean            starred)
{
  g_signal_handlers_block_by_func (self->star, star_toggled_cb, self);
  gtk_toggle_button_set_active (self->star, starred);
  g_signal_handlers_unblock_by_func (self->star, star_toggled_cb, self);
  gtk_button_set_icon_name (GTK_BUTTON (self->star), starred ? "starred-symbolic"
                                                             : "non-starred-symbolic");
}

static void
star_toggled_cb (GtkToggleButton    *star,
                 SatchelMessageView *self)
{
  gboolean starred = gtk_toggle_button_get_active (star);

  show_star (self, starred);
  g_signal_emit (self, signals[SIGNAL_STAR_TOGGLED], 0, starred);
}

/* Building */

static GtkLabel *
header_value (GtkGrid    *grid,
              int         row,
              const char *title,
              GtkWidget **title_label)
{
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *value = gtk_label_new (NULL);

  gtk_widget_add_css_class (name, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (name), 1);
  gtk_label_set_yalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  /* Wrapped text asks for more height the narrower it is, and a window
   * is as tall as its content needs at its narrowest: with no width of
   * its own, each line one letter wide, this kept a phone-sized window
   * 890 pixels tall. */
  gtk_label_set_width_chars (GTK_LABEL (value), 24);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_grid_attach (grid, name, 0, row, 1, 1);
  gtk_grid_attach (grid, value, 1, row, 1, 1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  name, NULL, -1);
  if (title_label != NULL)
    *title_label = name;
  return GTK_LABEL (value);
}

/* Turns off the WebKit feature @identifier, where this WebKit has it. */
static void
disable_feature (WebKitSettings *settings,
                 const char     *identifier)
{
#if WEBKIT_CHECK_VERSION (2, 42, 0)
  g_autoptr(WebKitFeatureList) features = webkit_settings_get_all_features ();

  for (gsize i = 0; i < webkit_feature_list_get_length (features); i++)
    {
      WebKitFeature *feature = webkit_feature_list_get (features, i);

      if (g_strcmp0 (webkit_feature_get_identifier (feature), identifier) == 0)
        webkit_settings_set_feature_enabled (settings, feature, FALSE);
    }
#endif
}

static WebKitWebView *
new_web_view (SatchelMessageView *self)
{
  g_autoptr(WebKitNetworkSession) session = webkit_network_session_new_ephemeral ();
  g_autoptr(WebKitWebContext) context = webkit_web_context_new ();
  g_autoptr(WebKitSettings) settings = webkit_settings_new ();
  GWeakRef *weak = g_new0 (GWeakRef, 1);
  WebKitWebView *web;

  webkit_settings_set_enable_javascript (settings, FALSE);
  webkit_settings_set_enable_javascript_markup (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);
  webkit_settings_set_enable_html5_local_storage (settings, FALSE);
  webkit_settings_set_enable_html5_database (settings, FALSE);
  webkit_settings_set_enable_page_cache (settings, FALSE);
  webkit_settings_set_enable_webgl (settings, FALSE);
  webkit_settings_set_enable_webaudio (settings, FALSE);
  webkit_settings_set_enable_media (settings, FALSE);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_enable_back_forward_navigation_gestures (settings, FALSE);
  webkit_settings_set_allow_file_access_from_file_urls (settings, FALSE);
  webkit_settings_set_allow_universal_access_from_file_urls (settings, FALSE);
  webkit_settings_set_default_charset (settings, "utf-8");
  /* A message is a still page: drawing it on the CPU costs nothing that
   * shows, and spares it the GL drivers, whose software one (llvmpipe,
   * without a GPU) crashed the web process's compositor here. */
  webkit_settings_set_hardware_acceleration_policy (settings,
                                                    WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER);
  /* What the policy does not stop: WebKit connects to the server of a
   * <link rel=preconnect> as soon as the page is shown, and to a link's
   * server as soon as it is clicked, before it asks where the click may
   * go (to the browser). Either tells the sender when, and from where,
   * the mail was read, whatever the user chose about remote content. */
  disable_feature (settings, "LinkPreconnect");
  /* A <link rel=dns-prefetch> has WebKit ask the name server about the
   * sender's host: a read receipt by DNS, which no policy covers. */
  disable_feature (settings, "LinkDNSPrefetch");

  g_weak_ref_init (weak, self);
  webkit_web_context_register_uri_scheme (context, "cid", cid_request_cb, weak,
                                          (GDestroyNotify) g_weak_ref_clear);
  webkit_security_manager_register_uri_scheme_as_secure (
    webkit_web_context_get_security_manager (context), "cid");
  web = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                      "network-session", session,
                      "web-context", context,
                      "settings", settings,
                      NULL);
  g_signal_connect_object (web, "decide-policy", G_CALLBACK (decide_policy_cb), self, 0);
  g_signal_connect_object (web, "web-process-terminated", G_CALLBACK (web_process_terminated_cb),
                           self, 0);
  return web;
}

/* Plain text takes the colours of the style: the page is made again when
 * the style turns dark or light. HTML keeps its white page. */
static void
style_changed_cb (SatchelMessageView *self)
{
  g_autofree char *page = NULL;

  if (self->plain == NULL)
    return;
  page = plain_page (self, self->plain);
  load_page (self, page, FALSE);
}

static void
satchel_message_view_dispose (GObject *object)
{
  SatchelMessageView *self = SATCHEL_MESSAGE_VIEW (object);

  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->message);
  G_OBJECT_CLASS (satchel_message_view_parent_class)->dispose (object);
}

static void
satchel_message_view_finalize (GObject *object)
{
  SatchelMessageView *self = SATCHEL_MESSAGE_VIEW (object);

  g_free (self->shown);
  g_free (self->plain);
  G_OBJECT_CLASS (satchel_message_view_parent_class)->finalize (object);
}

static void
satchel_message_view_class_init (SatchelMessageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = satchel_message_view_dispose;
  object_class->finalize = satchel_message_view_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  /**
   * SatchelMessageView::remote-content-allowed:
   * @always: for this sender from now on
   *
   * The user let the shown message load remote content.
   */
  signals[SIGNAL_REMOTE_CONTENT_ALLOWED] =
    g_signal_new ("remote-content-allowed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /**
   * SatchelMessageView::star-toggled:
   * @starred: whether the user starred the shown message or took the star off
   */
  signals[SIGNAL_STAR_TOGGLED] =
    g_signal_new ("star-toggled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
satchel_message_view_init (SatchelMessageView *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *label;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::dark",
                            G_CALLBACK (style_changed_cb), self);
  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::high-contrast",
                            G_CALLBACK (style_changed_cb), self);

  gtk_widget_set_margin_start (header, 24);
  gtk_widget_set_margin_end (header, 24);
  gtk_widget_set_margin_top (header, 18);
  gtk_widget_set_margin_bottom (header, 12);
  self->subject = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->subject, 0);
  gtk_label_set_wrap (self->subject, TRUE);
  gtk_label_set_width_chars (self->subject, 12);
  gtk_label_set_selectable (self->subject, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->subject), "title-2");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->subject),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Subject"), -1);
  {
    GtkWidget *title = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

    gtk_widget_set_hexpand (GTK_WIDGET (self->subject), TRUE);
    gtk_box_append (GTK_BOX (title), GTK_WIDGET (self->subject));
    self->star = GTK_TOGGLE_BUTTON (gtk_toggle_button_new ());
    gtk_button_set_icon_name (GTK_BUTTON (self->star), "non-starred-symbolic");
    gtk_widget_set_valign (GTK_WIDGET (self->star), GTK_ALIGN_START);
    gtk_widget_add_css_class (GTK_WIDGET (self->star), "flat");
    gtk_widget_add_css_class (GTK_WIDGET (self->star), "circular");
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->star), _("Star"));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->star), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Starred"), -1);
    g_signal_connect (self->star, "toggled", G_CALLBACK (star_toggled_cb), self);
    gtk_box_append (GTK_BOX (title), GTK_WIDGET (self->star));
    gtk_box_append (GTK_BOX (header), title);
  }
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 3);
  self->from = header_value (GTK_GRID (grid), 0, _("From"), NULL);
  self->to = header_value (GTK_GRID (grid), 1, _("To"), &self->to_title);
  self->cc = header_value (GTK_GRID (grid), 2, _("Cc"), &self->cc_title);
  self->date = header_value (GTK_GRID (grid), 3, _("Date"), NULL);
  gtk_box_append (GTK_BOX (header), grid);
  gtk_box_append (GTK_BOX (self->box), header);

  self->banner = gtk_info_bar_new ();
  label = gtk_label_new (_("Remote content blocked"));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_tooltip_text (label, _("Images, styles and fonts from the network would tell "
                                        "the sender when and where you read this message."));
  gtk_info_bar_add_child (GTK_INFO_BAR (self->banner), label);
  gtk_info_bar_add_button (GTK_INFO_BAR (self->banner), _("_Show"), 1);
  gtk_widget_set_tooltip_text (gtk_info_bar_add_button (GTK_INFO_BAR (self->banner),
                                                        _("_Always"), 2),
                               _("Always show remote content from this sender"));
  gtk_info_bar_set_message_type (GTK_INFO_BAR (self->banner), GTK_MESSAGE_QUESTION);
  gtk_widget_set_visible (self->banner, FALSE);
  g_signal_connect (self->banner, "response", G_CALLBACK (banner_response_cb), self);
  gtk_box_append (GTK_BOX (self->box), self->banner);

  /* The web view comes with the first message (ensure_web_view()): the
   * window opens faster without it. */

  self->attachments = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (self->attachments, GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (self->attachments, 4);
  gtk_widget_set_margin_start (GTK_WIDGET (self->attachments), 18);
  gtk_widget_set_margin_end (GTK_WIDGET (self->attachments), 18);
  gtk_widget_set_margin_top (GTK_WIDGET (self->attachments), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->attachments), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->attachments),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Attachments"), -1);
  self->attachments_revealer = gtk_revealer_new ();
  gtk_revealer_set_child (GTK_REVEALER (self->attachments_revealer),
                          GTK_WIDGET (self->attachments));
  gtk_box_append (GTK_BOX (self->box), self->attachments_revealer);
}

GtkWidget *
satchel_message_view_new (void)
{
  return g_object_new (SATCHEL_TYPE_MESSAGE_VIEW, NULL);
}

/**
 * satchel_message_view_show:
 * @message: (nullable): the message parsed, when its body is here
 * @placeholder: (nullable): what to say instead of the body without one
 * @allow_remote: whether remote content loads at once (the sender is
 *   trusted)
 */
void
satchel_message_view_show (SatchelMessageView      *self,
                           const SatchelMessageRow *row,
                           GMimeMessage            *message,
                           const char              *placeholder,
                           gboolean                 allow_remote)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *html = NULL;
  g_autofree char *text = NULL;
  g_autofree char *page = NULL;
  gboolean has_cc;

  g_return_if_fail (SATCHEL_IS_MESSAGE_VIEW (self));
  g_return_if_fail (row != NULL);

  g_set_object (&self->message, message);
  gtk_label_set_text (self->subject, row->subject != NULL && row->subject[0] != '\0'
                                     ? row->subject : _("(no subject)"));
  show_star (self, (row->flags & SATCHEL_FLAG_FLAGGED) != 0);
  gtk_label_set_text (self->from, row->from != NULL ? row->from : "");
  gtk_label_set_text (self->to, row->to != NULL ? row->to : "");
  gtk_widget_set_visible (GTK_WIDGET (self->to), row->to != NULL && row->to[0] != '\0');
  gtk_widget_set_visible (self->to_title, row->to != NULL && row->to[0] != '\0');
  has_cc = row->cc != NULL && row->cc[0] != '\0';
  gtk_label_set_text (self->cc, has_cc ? row->cc : "");
  gtk_widget_set_visible (GTK_WIDGET (self->cc), has_cc);
  gtk_widget_set_visible (self->cc_title, has_cc);
  when = g_date_time_new_from_unix_local (row->date);
  /* Translators: a message's date in the reader's header, in the words of
   * g_date_time_format(): "Tuesday, 3 November 2026, 10:00". */
  date = when != NULL ? g_date_time_format (when, _("%A, %-d %B %Y, %H:%M")) : g_strdup ("");
  gtk_label_set_text (self->date, date);

  self->remote_blocked = FALSE;
  gtk_widget_set_visible (self->banner, FALSE);
  g_clear_pointer (&self->plain, g_free);
  if (message != NULL)
    html = satchel_mime_get_html (message);
  if (html != NULL)
    render_html (self, html, allow_remote);
  else
    {
      if (message != NULL)
        text = satchel_mime_get_text (message, 4 * 1024 * 1024);
      self->plain = g_strdup (text != NULL ? text
                              : message != NULL ? _("(This message has no text.)")
                              : placeholder != NULL ? placeholder : "");
      page = plain_page (self, self->plain);
      load_page (self, page, FALSE);
    }
  show_attachments (self);
}

/**
 * satchel_message_view_get_remote_blocked:
 *
 * Returns: whether the shown message refers to remote content that was
 *   not loaded
 */
gboolean
satchel_message_view_get_remote_blocked (SatchelMessageView *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_VIEW (self), FALSE);
  return self->remote_blocked;
}

/**
 * satchel_message_view_dup_shown_text:
 *
 * Returns: (transfer full) (nullable): the page the web view was given
 */
char *
satchel_message_view_dup_shown_text (SatchelMessageView *self)
{
  g_return_val_if_fail (SATCHEL_IS_MESSAGE_VIEW (self), NULL);
  return g_strdup (self->shown);
}

/**
 * satchel_message_view_set_starred:
 *
 * Shows the star as the shown message has it now (changed elsewhere).
 */
void
satchel_message_view_set_starred (SatchelMessageView *self,
                                  gboolean            starred)
{
  g_return_if_fail (SATCHEL_IS_MESSAGE_VIEW (self));
  show_star (self, starred);
}

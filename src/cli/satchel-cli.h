/* SPDX-License-Identifier: GPL-3.0-or-later */
/* satchel-cli.h: what the commands of satchel-cli share
 *
 * Copyright 2026 The Satchel authors
 */

#pragma once

#include <json-glib/json-glib.h>

#include "satchel-engine.h"

G_BEGIN_DECLS

/* Exit codes; scripts depend on them (see README.md, "satchel-cli"). */
typedef enum
{
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAILED = 1,
  CLI_EXIT_USAGE = 2,
  CLI_EXIT_UNTRUSTED = 3,
  CLI_EXIT_LOGIN = 4,
  CLI_EXIT_INSECURE = 5,
} CliExit;

typedef struct
{
  /* Owned */
  char               *profile_dir;
  SatchelProfile     *profile;
  SatchelStore       *store;
  SatchelAccountList *accounts;
  SatchelSecrets     *secrets;
} CliContext;

typedef int (*CliCommandFunc) (CliContext *ctx,
                               int         argc,
                               char      **argv);

/* satchel-cli.c */
void     cli_error              (const char    *format,
                                 ...) G_GNUC_PRINTF (1, 2);
void     cli_note               (const char    *format,
                                 ...) G_GNUC_PRINTF (1, 2);
int      cli_exit_for_error     (const GError  *error);
GAsyncReadyCallback cli_result_callback (void);
GAsyncResult *cli_wait          (GAsyncResult **result);
int      cli_report             (const GError  *error);
gboolean cli_open_store         (CliContext    *ctx,
                                 GError       **error);
gboolean cli_parse_options      (GOptionContext *options,
                                 int            *argc,
                                 char         ***argv,
                                 int            *out_exit);
void     cli_print_json         (JsonNode      *node);
char    *cli_read_password      (GError       **error);

/* cli-trust.c */
int      cli_trust              (CliContext    *ctx,
                                 int            argc,
                                 char         **argv);

/* cli-mail.c */
int      cli_sync               (CliContext *ctx, int argc, char **argv);
int      cli_folders            (CliContext *ctx, int argc, char **argv);
int      cli_list               (CliContext *ctx, int argc, char **argv);
int      cli_show               (CliContext *ctx, int argc, char **argv);
int      cli_search             (CliContext *ctx, int argc, char **argv);
int      cli_flag               (CliContext *ctx, int argc, char **argv);
int      cli_move               (CliContext *ctx, int argc, char **argv);
int      cli_delete             (CliContext *ctx, int argc, char **argv);
int      cli_mkdir              (CliContext *ctx, int argc, char **argv);
int      cli_rmdir              (CliContext *ctx, int argc, char **argv);
int      cli_rename             (CliContext *ctx, int argc, char **argv);
int      cli_watch              (CliContext *ctx, int argc, char **argv);
int      cli_dump               (CliContext *ctx, int argc, char **argv);
int      cli_send               (CliContext *ctx, int argc, char **argv);
int      cli_reply              (CliContext *ctx, int argc, char **argv);
int      cli_forward            (CliContext *ctx, int argc, char **argv);
int      cli_outbox             (CliContext *ctx, int argc, char **argv);

/* cli-account.c */
int      cli_account            (CliContext    *ctx,
                                 int            argc,
                                 char         **argv);

G_END_DECLS

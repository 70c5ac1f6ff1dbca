/* openbits-admin: a bitsadmin-compatible command line over openbits' public
 * COM API.  Shared declarations of the tool's modules. */
#ifndef OB_ADMIN_H
#define OB_ADMIN_H

#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include "openbits.h"

#define ADMIN_NAME "openbits-admin"
#define ADMIN_LANG MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)

/* Exit codes (README, "openbits-admin"). */
enum admin_exit
{
    ADMIN_EXIT_OK = 0,
    ADMIN_EXIT_FAILED = 1,      /* a job failed, or a BITS call returned an error */
    ADMIN_EXIT_USAGE = 2,       /* bad command line: nothing was done */
    ADMIN_EXIT_NO_JOB = 3,      /* no such job, or an ambiguous name */
    ADMIN_EXIT_NO_SERVER = 4,   /* openbits could not be created (not registered?) */
    ADMIN_EXIT_INTERRUPTED = 5  /* Ctrl+C: the transfer's job was cancelled */
};

/* What a verb expects after its name. */
enum admin_shape
{
    SHAPE_GLOBAL,    /* no job: /list, /monitor, /reset, /help */
    SHAPE_UTIL,      /* /util /help | /util /version */
    SHAPE_CREATE,    /* [type] name */
    SHAPE_TRANSFER,  /* name [type] [/priority p] [/aclflags f] [/dynamic] remote local ... */
    SHAPE_JOB,       /* job, then the verb's fixed arguments */
    SHAPE_ARGS       /* no job: the verb's fixed arguments only (the DO verbs) */
};

/* The kind of one fixed argument, checked while parsing. */
enum admin_arg
{
    ARG_TEXT,
    ARG_PRIORITY,
    ARG_ULONG,
    ARG_PROXY_USAGE,   /* PRECONFIG, NO_PROXY, OVERRIDE, AUTODETECT */
    ARG_AUTH_TARGET,   /* SERVER, PROXY */
    ARG_AUTH_SCHEME    /* BASIC, DIGEST, NTLM, NEGOTIATE, PASSPORT */
};

#define ADMIN_MAX_ARGS 4

#define OPT_VERBOSE  0x1
#define OPT_ALLUSERS 0x2
#define OPT_REFRESH  0x4

struct admin_command;
struct admin_context;
typedef int (*admin_verb_fn)(struct admin_context *ctx, IBackgroundCopyJob *job, const struct admin_command *cmd);

struct admin_verb
{
    const WCHAR *name;            /* with its slash, e.g. L"/getstate" */
    enum admin_shape shape;
    int arg_count;                /* SHAPE_JOB: fixed arguments after the job */
    enum admin_arg arg_kinds[ADMIN_MAX_ARGS];
    unsigned options;             /* OPT_* switches it accepts */
    admin_verb_fn run;            /* SHAPE_JOB verbs get the job, others NULL */
    int optional_count;           /* then up to this many more text arguments */
};

struct admin_command
{
    const struct admin_verb *verb;
    const WCHAR *job;             /* a job's display name or {GUID}; the name for /create, /transfer */
    const WCHAR *args[ADMIN_MAX_ARGS];   /* the arguments, as typed (NULL: not given) */
    ULONG numbers[ADMIN_MAX_ARGS];       /* the non-text arguments, parsed */
    const WCHAR *const *pairs;    /* /transfer: remote, local, remote, local ... (into argv) */
    int pair_count;
    BG_JOB_TYPE type;
    BG_JOB_PRIORITY priority;
    BOOL has_priority;
    BOOL verbose, allusers, help_version;
    ULONG refresh;                /* /monitor, seconds */
};

struct admin_context
{
    IBackgroundCopyManager *manager;
    BOOL console;                 /* stdout is a console: redraw progress in place */
    BOOL inproc;                  /* /inproc: a private in-process queue, not openbits-host's */
};
/* " of this process" in /inproc mode, "" with the host's shared queue. */
#define ADMIN_SCOPE(ctx) ((ctx)->inproc ? " of this process" : "")

/* args.c: the whole command line into commands, checked before anything runs. */
struct admin_commands
{
    struct admin_command *items;
    int count;
    BOOL inproc;                  /* a leading /inproc */
};
/* ADMIN_EXIT_OK, or ADMIN_EXIT_USAGE after printing why and the usage to stderr. */
int admin_parse(int argc, WCHAR **argv, struct admin_commands *out);
void admin_commands_free(struct admin_commands *commands);

/* usage.c */
void admin_print_usage(FILE *to);
void admin_print_version(BOOL verbose);

/* verbs.c: the verb table (the verbs are in queue.c, job_verbs.c, transfer.c). */
const struct admin_verb *admin_find_verb(const WCHAR *name);
/* A bitsadmin verb openbits-admin does not offer, or NULL; its reason. */
const char *admin_unsupported_verb(const WCHAR *name);

/* transfer.c */
int admin_transfer(struct admin_context *ctx, IBackgroundCopyJob *unused, const struct admin_command *cmd);
int admin_wait(struct admin_context *ctx, IBackgroundCopyJob *job, const struct admin_command *cmd);
/* Shows progress until the job is TRANSFERRED (ADMIN_EXIT_OK), in ERROR
 * (the error printed, ADMIN_EXIT_FAILED), or interrupted. */
int admin_follow_job(struct admin_context *ctx, IBackgroundCopyJob *job);

/* jobs.c: finding a job of this process by display name or {GUID}. */
int admin_find_job(struct admin_context *ctx, const WCHAR *name_or_id, IBackgroundCopyJob **job);
BOOL admin_is_guid(const WCHAR *text);
void admin_print_guid(const GUID *id);

/* do_verbs.c: with /inproc, the Delivery Optimization downloads still there
 * at exit are aborted (nothing could finalize them later). */
void admin_do_abort_leftovers(struct admin_context *ctx);

/* errors.c: descriptions come from openbits, never from our own strings. */
void admin_print_hresult(struct admin_context *ctx, const char *what, HRESULT hr);
/* The job's IBackgroundCopyError as code, context, file and descriptions. */
HRESULT admin_print_job_error(IBackgroundCopyJob *job, FILE *to);

/* interrupt.c: Ctrl+C sets a flag the waiting loops check. */
void admin_watch_interrupt(void);
BOOL admin_interrupted(void);

#endif

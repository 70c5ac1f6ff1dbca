/* openbits-admin: bitsadmin's command line.  Verbs and switches start with
 * '/' and are case-insensitive; several verbs may follow each other and run
 * in order.  The whole line is checked before anything runs, so a bad
 * command line creates nothing. */
#include <stdarg.h>
#include <stdlib.h>
#include "admin.h"
#include "format.h"

struct cursor
{
    int argc, next;
    WCHAR **argv;
};

static const WCHAR *peek(const struct cursor *c)
{
    return c->next < c->argc ? c->argv[c->next] : NULL;
}

static const WCHAR *take(struct cursor *c)
{
    return c->next < c->argc ? c->argv[c->next++] : NULL;
}

static BOOL is_switch(const WCHAR *arg)
{
    return arg && arg[0] == '/';
}

/* Switches bitsadmin accepts anywhere that change nothing here. */
static BOOL is_ignored_switch(const WCHAR *arg)
{
    return admin_switch_is(arg, L"/rawreturn") || admin_switch_is(arg, L"/wrap") || admin_switch_is(arg, L"/nowrap");
}

static BOOL starts_command(const WCHAR *arg)
{
    return is_switch(arg) && (admin_find_verb(arg) || admin_unsupported_verb(arg) || is_ignored_switch(arg));
}

static int usage_error(const char *format, ...)
{
    va_list args;

    fprintf(stderr, ADMIN_NAME ": ");
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\n\n");
    admin_print_usage(stderr);
    return ADMIN_EXIT_USAGE;
}

static BOOL parse_type(const WCHAR *arg, BG_JOB_TYPE *type)
{
    if (admin_switch_is(arg, L"/download")) *type = BG_JOB_TYPE_DOWNLOAD;
    else if (admin_switch_is(arg, L"/upload")) *type = BG_JOB_TYPE_UPLOAD;
    else if (admin_switch_is(arg, L"/upload-reply")) *type = BG_JOB_TYPE_UPLOAD_REPLY;
    else return FALSE;
    return TRUE;
}

/* A name for a new job: present, not a switch, not a GUID (bitsadmin's rule
 * for /create and /transfer). */
static int take_new_name(struct cursor *c, struct admin_command *cmd)
{
    const WCHAR *name = peek(c);

    if (!name || is_switch(name)) return usage_error("%ls needs a job name", cmd->verb->name);
    if (admin_is_guid(name)) return usage_error("%ls takes a job name, not a GUID: \"%ls\"", cmd->verb->name, name);
    cmd->job = take(c);
    return ADMIN_EXIT_OK;
}

static int parse_options(struct cursor *c, struct admin_command *cmd)
{
    const WCHAR *arg;
    unsigned options = cmd->verb->options;

    while ((arg = peek(c)) && is_switch(arg))
    {
        if ((options & OPT_VERBOSE) && admin_switch_is(arg, L"/verbose")) cmd->verbose = TRUE;
        else if ((options & OPT_ALLUSERS) && admin_switch_is(arg, L"/allusers")) cmd->allusers = TRUE;
        else if ((options & OPT_REFRESH) && admin_switch_is(arg, L"/refresh"))
        {
            take(c);
            if (!peek(c) || !admin_parse_ulong(peek(c), &cmd->refresh) || !cmd->refresh)
                return usage_error("/refresh needs a number of seconds (1 or more)");
        }
        else break;
        take(c);
    }
    return ADMIN_EXIT_OK;
}

static int parse_util(struct cursor *c, struct admin_command *cmd)
{
    const WCHAR *arg = take(c);

    if (admin_switch_is(arg, L"/help") || admin_switch_is(arg, L"/?")) return ADMIN_EXIT_OK;
    if (!admin_switch_is(arg, L"/version"))
        return usage_error("/util offers only /help and /version here (got \"%ls\")", arg ? arg : L"nothing");
    cmd->help_version = TRUE;
    if (admin_switch_is(peek(c), L"/verbose"))
    {
        take(c);
        cmd->verbose = TRUE;
    }
    return ADMIN_EXIT_OK;
}

static int parse_create(struct cursor *c, struct admin_command *cmd)
{
    cmd->type = BG_JOB_TYPE_DOWNLOAD;
    if (parse_type(peek(c), &cmd->type)) take(c);
    return take_new_name(c, cmd);
}

static int parse_acl_flags(const WCHAR *flags)
{
    const WCHAR *p;

    if (!flags || !*flags) return usage_error("/ACLflags needs flags (any of o, g, d, s)");
    for (p = flags; *p; p++)
        if (!wcschr(L"ogdsOGDS", *p)) return usage_error("bad /ACLflags \"%ls\": use any of o, g, d, s", flags);
    return usage_error("/ACLflags is not supported: it needs IBackgroundCopyJob3, which openbits does not offer yet");
}

/* One of /transfer's switches before its file pairs. */
static int parse_transfer_switch(struct cursor *c, struct admin_command *cmd)
{
    const WCHAR *arg = take(c), *value;

    if (parse_type(arg, &cmd->type)) return ADMIN_EXIT_OK;
    if (admin_switch_is(arg, L"/priority"))
    {
        value = take(c);
        if (!value) return usage_error("/priority needs FOREGROUND, HIGH, NORMAL or LOW");
        if (!admin_parse_priority(value, &cmd->priority))
            return usage_error("bad priority \"%ls\": use FOREGROUND, HIGH, NORMAL or LOW", value);
        cmd->has_priority = TRUE;
        return ADMIN_EXIT_OK;
    }
    if (admin_switch_is(arg, L"/aclflags")) return parse_acl_flags(take(c));
    if (admin_switch_is(arg, L"/dynamic"))
        return usage_error("/DYNAMIC is not supported: it needs IBackgroundCopyJob5, which openbits does not offer yet");
    return usage_error("unknown switch \"%ls\" for /transfer", arg);
}

static int check_pairs(const struct admin_command *cmd)
{
    if (!cmd->pair_count) return usage_error("/transfer %ls needs a remote name and a local name", cmd->job);
    if (cmd->pair_count % 2)
        return usage_error("/transfer %ls: the local name for \"%ls\" is missing", cmd->job,
                           cmd->pairs[cmd->pair_count - 1]);
    if (cmd->type != BG_JOB_TYPE_DOWNLOAD && cmd->pair_count > 2)
        return usage_error("/transfer %ls: an upload job transfers exactly one file", cmd->job);
    return ADMIN_EXIT_OK;
}

static int parse_transfer(struct cursor *c, struct admin_command *cmd)
{
    const WCHAR *arg;
    int status;

    cmd->type = BG_JOB_TYPE_DOWNLOAD;
    if ((status = take_new_name(c, cmd))) return status;
    while ((arg = peek(c)) && is_switch(arg) && !admin_find_verb(arg))
        if ((status = parse_transfer_switch(c, cmd))) return status;
    cmd->pairs = (const WCHAR *const *)&c->argv[c->next];
    while ((arg = peek(c)) && !is_switch(arg))
    {
        take(c);
        cmd->pair_count++;
    }
    return check_pairs(cmd);
}

/* One of BITS's enum words, case-insensitive, as its value (its index). */
static BOOL parse_word(const WCHAR *arg, const WCHAR *const *words, ULONG count, ULONG *value)
{
    ULONG i;
    for (i = 0; i < count; i++)
        if (!_wcsicmp(arg, words[i]))
        {
            *value = i;
            return TRUE;
        }
    return FALSE;
}

static int parse_enum_arg(struct admin_command *cmd, int index, const WCHAR *arg)
{
    static const WCHAR *const usages[] = { L"PRECONFIG", L"NO_PROXY", L"OVERRIDE", L"AUTODETECT" };
    static const WCHAR *const targets[] = { L"SERVER", L"PROXY" };
    static const WCHAR *const schemes[] = { L"BASIC", L"DIGEST", L"NTLM", L"NEGOTIATE", L"PASSPORT" };

    switch (cmd->verb->arg_kinds[index])
    {
    case ARG_PROXY_USAGE:
        if (parse_word(arg, usages, ARRAYSIZE(usages), &cmd->numbers[index])) return ADMIN_EXIT_OK;
        return usage_error("bad proxy usage \"%ls\": use PRECONFIG, NO_PROXY, OVERRIDE or AUTODETECT", arg);
    case ARG_AUTH_TARGET: /* BG_AUTH_TARGET_SERVER is 1 */
        if (parse_word(arg, targets, ARRAYSIZE(targets), &cmd->numbers[index]) && ++cmd->numbers[index])
            return ADMIN_EXIT_OK;
        return usage_error("bad target \"%ls\": use SERVER or PROXY", arg);
    default: /* ARG_AUTH_SCHEME; BG_AUTH_SCHEME_BASIC is 1 */
        if (parse_word(arg, schemes, ARRAYSIZE(schemes), &cmd->numbers[index]) && ++cmd->numbers[index])
            return ADMIN_EXIT_OK;
        return usage_error("bad scheme \"%ls\": use BASIC, DIGEST, NTLM, NEGOTIATE or PASSPORT", arg);
    }
}

static int parse_fixed_arg(struct admin_command *cmd, int index, const WCHAR *arg)
{
    BG_JOB_PRIORITY priority;

    cmd->args[index] = arg;
    switch (cmd->verb->arg_kinds[index])
    {
    case ARG_PRIORITY:
        if (!admin_parse_priority(arg, &priority))
            return usage_error("bad priority \"%ls\": use FOREGROUND, HIGH, NORMAL or LOW", arg);
        cmd->numbers[index] = priority;
        break;
    case ARG_ULONG:
        if (!admin_parse_ulong(arg, &cmd->numbers[index]))
            return usage_error("%ls needs a number, not \"%ls\"", cmd->verb->name, arg);
        break;
    case ARG_TEXT:
        break;
    default:
        return parse_enum_arg(cmd, index, arg);
    }
    return ADMIN_EXIT_OK;
}

/* The verb's fixed arguments (after the job, if it takes one). */
static int parse_fixed_args(struct cursor *c, struct admin_command *cmd)
{
    const WCHAR *arg;
    int i, status;

    for (i = 0; i < cmd->verb->arg_count; i++)
    {
        arg = peek(c);
        if (!arg || starts_command(arg))
            return usage_error("%ls needs %d argument(s)%s", cmd->verb->name, cmd->verb->arg_count,
                               cmd->verb->shape == SHAPE_JOB ? " after the job" : "");
        if ((status = parse_fixed_arg(cmd, i, take(c)))) return status;
    }
    return ADMIN_EXIT_OK;
}

static int parse_job_verb(struct cursor *c, struct admin_command *cmd)
{
    const WCHAR *arg = peek(c);
    int i, status;

    if (!arg || starts_command(arg)) return usage_error("%ls needs a job name or {GUID}", cmd->verb->name);
    cmd->job = take(c);
    if ((status = parse_fixed_args(c, cmd))) return status;
    i = cmd->verb->arg_count;
    for (; i < cmd->verb->arg_count + cmd->verb->optional_count && (arg = peek(c)) && !starts_command(arg); i++)
        cmd->args[i] = take(c);
    return parse_options(c, cmd);
}

static int parse_command(struct cursor *c, struct admin_command *cmd)
{
    switch (cmd->verb->shape)
    {
    case SHAPE_GLOBAL: return parse_options(c, cmd);
    case SHAPE_UTIL: return parse_util(c, cmd);
    case SHAPE_CREATE: return parse_create(c, cmd);
    case SHAPE_TRANSFER: return parse_transfer(c, cmd);
    case SHAPE_JOB: return parse_job_verb(c, cmd);
    case SHAPE_ARGS: return parse_fixed_args(c, cmd);
    }
    return ADMIN_EXIT_USAGE;
}

/* The verb at the cursor, or a usage error saying why there is none. */
static int next_verb(struct cursor *c, const struct admin_command *previous, const struct admin_verb **verb)
{
    const WCHAR *arg = take(c);
    const char *reason;

    if ((*verb = admin_find_verb(arg))) return ADMIN_EXIT_OK;
    if ((reason = admin_unsupported_verb(arg))) return usage_error("%ls is not supported: %s", arg, reason);
    if (previous && !is_switch(arg))
        return usage_error("unexpected \"%ls\" after %ls %ls", arg, previous->verb->name,
                           previous->job ? previous->job : L"");
    if (previous && is_switch(arg))
        return usage_error("unknown switch \"%ls\" for %ls", arg, previous->verb->name);
    return usage_error("unknown command \"%ls\"", arg);
}

int admin_parse(int argc, WCHAR **argv, struct admin_commands *out)
{
    struct cursor c = { argc, 1, argv };
    const struct admin_verb *verb;
    int status;

    out->count = 0;
    out->items = calloc(argc > 1 ? argc : 1, sizeof(*out->items));
    if (!out->items) return ADMIN_EXIT_FAILED;
    if ((out->inproc = peek(&c) && admin_switch_is(peek(&c), L"/inproc"))) take(&c);
    while (peek(&c))
    {
        struct admin_command *cmd = &out->items[out->count];
        if (is_ignored_switch(peek(&c)))
        {
            take(&c);
            continue;
        }
        if ((status = next_verb(&c, out->count ? cmd - 1 : NULL, &verb))) return status;
        cmd->verb = verb;
        out->count++;
        if ((status = parse_command(&c, cmd))) return status;
    }
    if (!out->count) return usage_error("no command given");
    return ADMIN_EXIT_OK;
}

void admin_commands_free(struct admin_commands *commands)
{
    free(commands->items);
    commands->items = NULL;
    commands->count = 0;
}

/* openbits-admin: pure text functions (see format.h). */
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include "format.h"

const char *admin_state_name(BG_JOB_STATE state)
{
    static const char *const names[] = { "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
                                         "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED" };
    return (unsigned)state < ARRAYSIZE(names) ? names[state] : "UNKNOWN";
}

const char *admin_type_name(BG_JOB_TYPE type)
{
    static const char *const names[] = { "DOWNLOAD", "UPLOAD", "UPLOAD-REPLY" };
    return (unsigned)type < ARRAYSIZE(names) ? names[type] : "UNKNOWN";
}

static const char *const priority_names[] = { "FOREGROUND", "HIGH", "NORMAL", "LOW" };

const char *admin_priority_name(BG_JOB_PRIORITY priority)
{
    return (unsigned)priority < ARRAYSIZE(priority_names) ? priority_names[priority] : "UNKNOWN";
}

const char *admin_do_state_name(DODownloadState state)
{
    static const char *const names[] = { "CREATED", "TRANSFERRING", "TRANSFERRED", "FINALIZED", "ABORTED", "PAUSED" };
    return (unsigned)state < ARRAYSIZE(names) ? names[state] : "UNKNOWN";
}

const char *admin_proxy_usage_name(BG_JOB_PROXY_USAGE usage)
{
    static const char *const names[] = { "PRECONFIG", "NO_PROXY", "OVERRIDE", "AUTODETECT" };
    return (unsigned)usage < ARRAYSIZE(names) ? names[usage] : "UNKNOWN";
}

static BOOL equals_ascii_nocase(const WCHAR *text, const char *ascii)
{
    for (; *text && *ascii; text++, ascii++)
    {
        WCHAR c = *text >= 'a' && *text <= 'z' ? *text - 'a' + 'A' : *text;
        char a = *ascii >= 'a' && *ascii <= 'z' ? *ascii - 'a' + 'A' : *ascii;
        if (c != (WCHAR)(unsigned char)a) return FALSE;
    }
    return !*text && !*ascii;
}

BOOL admin_parse_priority(const WCHAR *text, BG_JOB_PRIORITY *priority)
{
    unsigned i;
    for (i = 0; i < ARRAYSIZE(priority_names); i++)
    {
        if (equals_ascii_nocase(text, priority_names[i]))
        {
            *priority = (BG_JOB_PRIORITY)i;
            return TRUE;
        }
    }
    return FALSE;
}

BOOL admin_parse_ulong(const WCHAR *text, ULONG *value)
{
    unsigned base = 10;
    ULONGLONG n = 0;
    const WCHAR *p = text;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
        base = 16;
        p += 2;
    }
    if (!*p) return FALSE;
    for (; *p; p++)
    {
        unsigned digit;
        if (*p >= '0' && *p <= '9') digit = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f') digit = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F') digit = *p - 'A' + 10;
        else return FALSE;
        n = n * base + digit;
        if (n > 0xFFFFFFFFull) return FALSE;
    }
    *value = (ULONG)n;
    return TRUE;
}

BOOL admin_switch_is(const WCHAR *arg, const WCHAR *name)
{
    return arg && _wcsicmp(arg, name) == 0;
}

void admin_format_size(UINT64 bytes, char *buf, size_t size)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double value = (double)bytes;
    unsigned unit = 0;

    if (bytes == BG_SIZE_UNKNOWN)
    {
        snprintf(buf, size, "UNKNOWN");
        return;
    }
    if (bytes < 1024)
    {
        snprintf(buf, size, "%u B", (unsigned)bytes);
        return;
    }
    value /= 1024;
    while (value >= 1024 && unit + 1 < ARRAYSIZE(units))
    {
        value /= 1024;
        unit++;
    }
    snprintf(buf, size, "%.1f %s", value, units[unit]);
}

void admin_format_duration(double seconds, char *buf, size_t size)
{
    ULONGLONG s;

    if (seconds < 0 || seconds > 359999999.0)
    {
        snprintf(buf, size, "--:--");
        return;
    }
    s = (ULONGLONG)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%u:%02u:%02u", (unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
    else
        snprintf(buf, size, "%u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
}

int admin_percent(UINT64 done, UINT64 total)
{
    int percent;

    if (total == BG_SIZE_UNKNOWN) return -1;
    if (done >= total) return 100;
    percent = (int)((double)done * 100.0 / (double)total);
    return percent > 99 ? 99 : percent;
}

void admin_format_time(const FILETIME *time, char *buf, size_t size)
{
    SYSTEMTIME utc, local;

    if (!time->dwLowDateTime && !time->dwHighDateTime)
    {
        snprintf(buf, size, "none");
        return;
    }
    if (!FileTimeToSystemTime(time, &utc) || !SystemTimeToTzSpecificLocalTime(NULL, &utc, &local))
    {
        snprintf(buf, size, "invalid");
        return;
    }
    snprintf(buf, size, "%04u-%02u-%02u %02u:%02u:%02u", local.wYear, local.wMonth, local.wDay, local.wHour,
             local.wMinute, local.wSecond);
}

void admin_rate_reset(struct admin_rate *rate)
{
    rate->first = 0;
    rate->count = 0;
}

static int rate_index(const struct admin_rate *rate, int n)
{
    return (rate->first + n) % ADMIN_RATE_SAMPLES;
}

void admin_rate_add(struct admin_rate *rate, ULONGLONG now_ms, UINT64 bytes)
{
    if (rate->count && bytes < rate->bytes[rate_index(rate, rate->count - 1)]) admin_rate_reset(rate);
    if (rate->count == ADMIN_RATE_SAMPLES)
    {
        rate->first = rate_index(rate, 1);
        rate->count--;
    }
    rate->ms[rate_index(rate, rate->count)] = now_ms;
    rate->bytes[rate_index(rate, rate->count)] = bytes;
    rate->count++;
    /* Keep the oldest sample that is still inside the window (or the only one
     * before it), so the average always spans about the window. */
    while (rate->count > 2 && now_ms - rate->ms[rate_index(rate, 1)] >= ADMIN_RATE_WINDOW_MS)
    {
        rate->first = rate_index(rate, 1);
        rate->count--;
    }
}

double admin_rate_per_second(const struct admin_rate *rate)
{
    int oldest, newest;
    ULONGLONG ms;

    if (rate->count < 2) return -1;
    oldest = rate_index(rate, 0);
    newest = rate_index(rate, rate->count - 1);
    ms = rate->ms[newest] - rate->ms[oldest];
    if (!ms) return -1;
    return (double)(rate->bytes[newest] - rate->bytes[oldest]) * 1000.0 / (double)ms;
}

double admin_seconds_left(UINT64 done, UINT64 total, double rate)
{
    if (total == BG_SIZE_UNKNOWN) return -1;
    if (done >= total) return 0;
    if (rate <= 0) return -1;
    return (double)(total - done) / rate;
}

static void format_bar(int percent, int width, char *buf, size_t size)
{
    char bar[ADMIN_BAR_MAX + 1];
    int filled, i;

    if (width <= 0)
    {
        buf[0] = 0;
        return;
    }
    if (width > ADMIN_BAR_MAX) width = ADMIN_BAR_MAX;
    filled = percent < 0 ? 0 : percent * width / 100;
    for (i = 0; i < width; i++) bar[i] = i < filled ? '=' : ' ';
    if (percent >= 0 && filled < width) bar[filled] = '>';
    bar[width] = 0;
    snprintf(buf, size, "[%s] ", bar);
}

static void format_percent(int percent, char *buf, size_t size)
{
    if (percent < 0) snprintf(buf, size, " --%%");
    else snprintf(buf, size, "%3d%%", percent);
}

static void format_reply(const struct admin_progress_view *view, char *buf, size_t size)
{
    char done[32], total[32];

    if (!view->has_reply)
    {
        buf[0] = 0;
        return;
    }
    admin_format_size(view->reply_done, done, sizeof(done));
    admin_format_size(view->reply_total, total, sizeof(total));
    if (view->reply_total == BG_SIZE_UNKNOWN)
        snprintf(buf, size, "  reply: not started");
    else
        snprintf(buf, size, "  reply: %s of %s (%d%%)", done, total, admin_percent(view->reply_done, view->reply_total));
}

void admin_format_progress(const struct admin_progress_view *view, int bar_width, char *buf, size_t size)
{
    char bar[ADMIN_BAR_MAX + 4], percent[8], done[32], total[32], rate[40], left[32], reply[96];
    int p = admin_percent(view->done, view->total);

    format_bar(p, bar_width, bar, sizeof(bar));
    format_percent(p, percent, sizeof(percent));
    admin_format_size(view->done, done, sizeof(done));
    admin_format_size(view->total, total, sizeof(total));
    if (view->rate < 0) snprintf(rate, sizeof(rate), "--/s");
    else
    {
        admin_format_size((UINT64)view->rate, rate, sizeof(rate) - 2);
        strcat(rate, "/s");
    }
    admin_format_duration(admin_seconds_left(view->done, view->total, view->rate), left, sizeof(left));
    format_reply(view, reply, sizeof(reply));
    snprintf(buf, size, "%s%s  %s of %s  %s  %s left  %s%s", bar, percent, done, total, rate, left,
             admin_state_name(view->state), reply);
}

void admin_format_progress_to_fit(const struct admin_progress_view *view, int columns, char *buf, size_t size)
{
    size_t limit = columns > 1 ? (size_t)columns - 1 : 0;
    int bar;

    admin_format_progress(view, 0, buf, size);
    bar = (int)limit - (int)strlen(buf) - 3;   /* the brackets and a space */
    if (bar > ADMIN_BAR_MAX) bar = ADMIN_BAR_MAX;
    if (bar >= ADMIN_BAR_MIN) admin_format_progress(view, bar, buf, size);
    if (limit && strlen(buf) > limit) buf[limit] = 0;
}

/* openbits-admin: pure text functions (names of BITS values, sizes, times,
 * the progress line, the transfer rate's moving average).  No COM calls, so
 * tests/unit/test_admin_format.c compiles them directly. */
#ifndef OB_ADMIN_FORMAT_H
#define OB_ADMIN_FORMAT_H

#include <windows.h>
#include "openbits.h"

const char *admin_state_name(BG_JOB_STATE state);
const char *admin_type_name(BG_JOB_TYPE type);
const char *admin_priority_name(BG_JOB_PRIORITY priority);
const char *admin_proxy_usage_name(BG_JOB_PROXY_USAGE usage);
/* A Delivery Optimization download's state: CREATED, TRANSFERRING... */
const char *admin_do_state_name(DODownloadState state);
/* FOREGROUND, HIGH, NORMAL or LOW, in any case. */
BOOL admin_parse_priority(const WCHAR *text, BG_JOB_PRIORITY *priority);
/* A decimal or 0x-prefixed hexadecimal ULONG, nothing else. */
BOOL admin_parse_ulong(const WCHAR *text, ULONG *value);
/* Case-insensitive comparison of a switch such as L"/verbose". */
BOOL admin_switch_is(const WCHAR *arg, const WCHAR *name);

/* "512 B", "1.5 KiB", "64.0 MiB"; "UNKNOWN" for BG_SIZE_UNKNOWN. */
void admin_format_size(UINT64 bytes, char *buf, size_t size);
/* "0:07", "12:34", "1:02:03"; "--:--" when not known (negative). */
void admin_format_duration(double seconds, char *buf, size_t size);
/* 0..100, rounded down (100 only when done == total); -1 when total is
 * BG_SIZE_UNKNOWN.  An empty total (0) is complete. */
int admin_percent(UINT64 done, UINT64 total);
/* A FILETIME as local "YYYY-MM-DD HH:MM:SS", or "none" when zero. */
void admin_format_time(const FILETIME *time, char *buf, size_t size);

/* Moving average of a byte counter over the last ADMIN_RATE_WINDOW_MS. */
#define ADMIN_RATE_SAMPLES 64
#define ADMIN_RATE_WINDOW_MS 5000
struct admin_rate
{
    ULONGLONG ms[ADMIN_RATE_SAMPLES];
    UINT64 bytes[ADMIN_RATE_SAMPLES];
    int first, count;
};
void admin_rate_reset(struct admin_rate *rate);
/* A counter that went down (a file restarted) starts the average again. */
void admin_rate_add(struct admin_rate *rate, ULONGLONG now_ms, UINT64 bytes);
/* Bytes per second, or -1 before two samples at different times. */
double admin_rate_per_second(const struct admin_rate *rate);

/* Everything one progress line shows. */
struct admin_progress_view
{
    BG_JOB_STATE state;
    UINT64 done, total;           /* total may be BG_SIZE_UNKNOWN */
    double rate;                  /* bytes per second, -1 unknown */
    BOOL has_reply;               /* upload-reply: show the reply's progress */
    UINT64 reply_done, reply_total;
};
/* The line (no line break); bar_width > 0 starts it with a [====>    ] bar
 * of that many characters (at most ADMIN_BAR_MAX), for consoles. */
#define ADMIN_BAR_MAX 24
void admin_format_progress(const struct admin_progress_view *view, int bar_width, char *buf, size_t size);
/* The line for a console of that many columns: the widest bar (from
 * ADMIN_BAR_MIN to ADMIN_BAR_MAX) that fits, else none, and cut to
 * columns - 1 so that redrawing with \r never wraps. */
#define ADMIN_BAR_MIN 8
void admin_format_progress_to_fit(const struct admin_progress_view *view, int columns, char *buf, size_t size);
/* Seconds left at the current rate, or -1 when not known. */
double admin_seconds_left(UINT64 done, UINT64 total, double rate);

#endif

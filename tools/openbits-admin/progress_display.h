/* openbits-admin: the live progress display of one job.  On a console the
 * line is redrawn in place; otherwise (a pipe or a file) a plain line is
 * printed about once a second, and once at the end. */
#ifndef OB_ADMIN_PROGRESS_DISPLAY_H
#define OB_ADMIN_PROGRESS_DISPLAY_H

#include "admin.h"
#include "format.h"

#define ADMIN_PLAIN_LINE_MS 1000

struct admin_display
{
    BOOL console;
    int columns;                  /* console: its width */
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2;    /* upload-reply jobs only: the reply's progress */
    struct admin_rate rate;
    ULONGLONG last_plain_ms;
    size_t last_length;           /* console: the drawn line's length, to blank it */
};

void admin_display_start(struct admin_display *display, IBackgroundCopyJob *job, BOOL console);
/* Samples the job and shows it; final = the last line (always printed).
 * Returns the state it saw. */
BG_JOB_STATE admin_display_update(struct admin_display *display, BOOL final);
void admin_display_end(struct admin_display *display);

#endif

/* openbits-admin: the live progress display (progress_display.h). */
#include "progress_display.h"

static int console_columns(void)
{
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (!GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &info)) return 80;
    return info.srWindow.Right - info.srWindow.Left + 1;
}

void admin_display_start(struct admin_display *display, IBackgroundCopyJob *job, BOOL console)
{
    BG_JOB_TYPE type = BG_JOB_TYPE_DOWNLOAD;

    memset(display, 0, sizeof(*display));
    display->console = console;
    display->job = job;
    admin_rate_reset(&display->rate);
    display->columns = console_columns();
    IBackgroundCopyJob_GetType(job, &type);
    if (type == BG_JOB_TYPE_UPLOAD_REPLY &&
        FAILED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&display->job2)))
        display->job2 = NULL;
}

static void sample(struct admin_display *display, struct admin_progress_view *view)
{
    BG_JOB_PROGRESS progress = { 0 };
    BG_JOB_REPLY_PROGRESS reply = { BG_SIZE_UNKNOWN, 0 };
    ULONGLONG now = GetTickCount64();

    IBackgroundCopyJob_GetState(display->job, &view->state);
    IBackgroundCopyJob_GetProgress(display->job, &progress);
    view->done = progress.BytesTransferred;
    view->total = progress.BytesTotal;
    view->has_reply = display->job2 != NULL;
    if (display->job2) IBackgroundCopyJob2_GetReplyProgress(display->job2, &reply);
    view->reply_done = reply.BytesTransferred;
    view->reply_total = reply.BytesTotal;
    /* The rate follows whatever is moving: the upload, then the reply. */
    admin_rate_add(&display->rate, now, view->done + (reply.BytesTotal == BG_SIZE_UNKNOWN ? 0 : view->reply_done));
    view->rate = admin_rate_per_second(&display->rate);
}

static void draw_in_place(struct admin_display *display, const char *line, BOOL final)
{
    size_t length = strlen(line);
    printf("\r%s", line);
    if (length < display->last_length) printf("%*s", (int)(display->last_length - length), "");
    display->last_length = length;
    if (final)
    {
        printf("\n");
        display->last_length = 0;
    }
    fflush(stdout);
}

BG_JOB_STATE admin_display_update(struct admin_display *display, BOOL final)
{
    struct admin_progress_view view;
    char line[320];
    ULONGLONG now = GetTickCount64();

    sample(display, &view);
    if (display->console) admin_format_progress_to_fit(&view, display->columns, line, sizeof(line));
    else admin_format_progress(&view, 0, line, sizeof(line));
    if (display->console) draw_in_place(display, line, final);
    else if (final || !display->last_plain_ms || now - display->last_plain_ms >= ADMIN_PLAIN_LINE_MS)
    {
        printf("%s\n", line);
        fflush(stdout);
        display->last_plain_ms = now;
    }
    return view.state;
}

void admin_display_end(struct admin_display *display)
{
    if (display->job2) IBackgroundCopyJob2_Release(display->job2);
    display->job2 = NULL;
}

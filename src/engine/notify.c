#include "notify.h"

static ob_notify_fn notify_handler;

void ob_notify_set_handler(ob_notify_fn handler)
{
    notify_handler = handler;
}

void ob_notify_raise(ob_job *job, ob_notify_kind kind, ULONG file_index)
{
    ob_notify_fn handler = notify_handler;
    if (handler) handler(job, kind, file_index);
}

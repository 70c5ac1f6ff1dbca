/* A notification sink for the engine tests: counts its references and the
 * events delivered to it, remembers the order of JobTransferred, and may act
 * inside a delivery (as a client's callback may). */
#ifndef OB_TEST_SINK_H
#define OB_TEST_SINK_H

#include "sink.h"
#include "job.h"

#define TS_SINK_MAX_ORDER 16

typedef struct test_sink test_sink;
struct test_sink {
    ob_sink sink;
    LONG refs;
    LONG counts[4];            /* by ob_notify_kind */
    LONG order_count;
    ob_job *transferred_order[TS_SINK_MAX_ORDER];
    SRWLOCK lock;
    HRESULT answer;            /* what every call returns */
    void (*on_call)(test_sink *sink, ob_job *job, ob_notify_kind kind);
};

static void ts_sink_addref(ob_sink *sink)
{
    InterlockedIncrement(&((test_sink *)sink)->refs);
}

static void ts_sink_release(ob_sink *sink)
{
    InterlockedDecrement(&((test_sink *)sink)->refs);
}

static HRESULT ts_sink_call(ob_sink *base, ob_job *job, ob_notify_kind kind, ULONG file_index)
{
    test_sink *sink = (test_sink *)base;

    AcquireSRWLockExclusive(&sink->lock);
    if (kind == OB_NOTIFY_JOB_TRANSFERRED && sink->order_count < TS_SINK_MAX_ORDER)
        sink->transferred_order[sink->order_count++] = job;
    ReleaseSRWLockExclusive(&sink->lock);
    if (sink->on_call) sink->on_call(sink, job, kind);
    InterlockedIncrement(&sink->counts[kind]);
    return sink->answer;
}

static const ob_sink_ops ts_sink_ops = { ts_sink_addref, ts_sink_release, ts_sink_call };

static inline void ts_sink_init(test_sink *sink)
{
    memset(sink, 0, sizeof(*sink));
    sink->sink.ops = &ts_sink_ops;
    sink->refs = 1;
    InitializeSRWLock(&sink->lock);
}

static inline LONG ts_sink_count(test_sink *sink, ob_notify_kind kind)
{
    return InterlockedCompareExchange(&sink->counts[kind], 0, 0);
}

/* Waits (generously) until at least `wanted` events of a kind arrived. */
static inline BOOL ts_sink_wait(test_sink *sink, ob_notify_kind kind, LONG wanted)
{
    ULONGLONG until = GetTickCount64() + 30000;
    while (ts_sink_count(sink, kind) < wanted && GetTickCount64() < until) Sleep(5);
    return ts_sink_count(sink, kind) >= wanted;
}

#endif

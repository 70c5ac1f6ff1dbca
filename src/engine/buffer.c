#include "transport.h"

ob_buffer *ob_buffer_new(DWORD capacity)
{
    ob_buffer *buffer = HeapAlloc(GetProcessHeap(), 0, FIELD_OFFSET(ob_buffer, data[capacity]));
    if (!buffer) return NULL;
    buffer->refs = 1;
    buffer->capacity = capacity;
    return buffer;
}

void ob_buffer_addref(ob_buffer *buffer)
{
    InterlockedIncrement(&buffer->refs);
}

void ob_buffer_release(ob_buffer *buffer)
{
    if (!InterlockedDecrement(&buffer->refs)) HeapFree(GetProcessHeap(), 0, buffer);
}

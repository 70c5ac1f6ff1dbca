/* The ceiling under Wine: a raw HTTP/1.1 GET over Winsock, recv into a 1 MiB
 * buffer until Content-Length body bytes have arrived (bytes are discarded).
 *
 *   bench_winsock.exe <host> <port> <path>
 *
 * Prints "result winsock bytes=N seconds=S mib_per_s=R"; the clock runs from
 * connect to the last byte. */
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include "bench_util.h"

#define BLOCK (1024 * 1024)

static SOCKET connect_to(const char *host, const char *port)
{
    struct addrinfo hints = { 0 }, *list;
    SOCKET s;

    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &list)) return INVALID_SOCKET;
    s = socket(list->ai_family, list->ai_socktype, list->ai_protocol);
    if (s != INVALID_SOCKET && connect(s, list->ai_addr, (int)list->ai_addrlen)) {
        closesocket(s);
        s = INVALID_SOCKET;
    }
    freeaddrinfo(list);
    return s;
}

static BOOL send_all(SOCKET s, const char *data, int size)
{
    while (size > 0) {
        int sent = send(s, data, size, 0);
        if (sent <= 0) return FALSE;
        data += sent;
        size -= sent;
    }
    return TRUE;
}

/* Receives until the end of the headers.  Returns the header length (the body
 * starts there in buffer), *have the bytes in buffer; -1 on error. */
static int receive_headers(SOCKET s, char *buffer, int capacity, int *have)
{
    char *end;
    *have = 0;
    while (*have < capacity - 1) {
        int got = recv(s, buffer + *have, capacity - 1 - *have, 0);
        if (got <= 0) return -1;
        *have += got;
        buffer[*have] = 0;
        if ((end = strstr(buffer, "\r\n\r\n"))) return (int)(end - buffer) + 4;
    }
    return -1;
}

/* Status 200 and a Content-Length, else -1. */
static long long content_length(const char *headers)
{
    const char *p = headers;
    if (strncmp(p, "HTTP/1.", 7) || atoi(p + 9) != 200) return -1;
    while ((p = strstr(p, "\r\n"))) {
        p += 2;
        if (!_strnicmp(p, "Content-Length:", 15)) return _atoi64(p + 15);
    }
    return -1;
}

static long long receive_body(SOCKET s, char *buffer, long long have, long long length)
{
    while (have < length) {
        int got = recv(s, buffer, BLOCK, 0);
        if (got <= 0) return -1;
        have += got;
    }
    return have;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_winsock: %s (WSA error %d)\n", what, WSAGetLastError());
    return 1;
}

int main(int argc, char **argv)
{
    WSADATA wsa;
    char request[2048], *buffer;
    int header_size, have;
    long long length, body;
    double start, seconds;
    SOCKET s;

    if (argc != 4) {
        fprintf(stderr, "usage: bench_winsock.exe <host> <port> <path>\n");
        return 2;
    }
    if (WSAStartup(MAKEWORD(2, 2), &wsa)) return fail("WSAStartup failed");
    buffer = malloc(BLOCK + 1);
    snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n",
             argv[3], argv[1], argv[2]);
    start = bench_now();
    if ((s = connect_to(argv[1], argv[2])) == INVALID_SOCKET) return fail("cannot connect");
    if (!send_all(s, request, (int)strlen(request))) return fail("send failed");
    if ((header_size = receive_headers(s, buffer, BLOCK + 1, &have)) < 0) return fail("no response headers");
    if ((length = content_length(buffer)) < 0) return fail("not a 200 with Content-Length");
    body = receive_body(s, buffer, have - header_size, length);
    seconds = bench_now() - start;
    if (body != length) return fail("connection closed before the end of the body");
    closesocket(s);
    WSACleanup();
    free(buffer);
    bench_print_result("winsock", (unsigned long long)body, seconds);
    return 0;
}

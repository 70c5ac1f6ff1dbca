/* A job as the store keeps it, and back (job_record.h). */
#include "job_record.h"
#include "job_private.h"
#include "flavour.h"
#include "lock.h"
#include "ranges.h"
#include "str.h"
#include <wincrypt.h>
#include <wchar.h>
#include <stdint.h>
#include <stdio.h>

#define RECORD_MAGIC "openbits-job"
#define RECORD_VERSION 1
#define MAX_FILES_IN_RECORD 0x100000
#define MAX_RANGES_IN_RECORD 0x100000

/* ---- CRC-32 (IEEE 802.3, reflected), over the record before its last line ---- */

static DWORD crc32_of(const char *data, DWORD size)
{
    DWORD crc = 0xffffffff, i;
    int bit;
    for (i = 0; i < size; i++)
    {
        crc ^= (BYTE)data[i];
        for (bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
    }
    return ~crc;
}

/* ---- writing ---- */

typedef struct out_buf {
    char *data;
    DWORD size, capacity;
    BOOL failed;
} out_buf;

static void out_bytes(out_buf *b, const char *s, DWORD n)
{
    if (b->failed) return;
    if (b->size + n + 1 > b->capacity)
    {
        DWORD capacity = b->capacity ? b->capacity : 1024;
        char *grown;
        while (capacity < b->size + n + 1) capacity *= 2;
        grown = b->data ? HeapReAlloc(GetProcessHeap(), 0, b->data, capacity) : HeapAlloc(GetProcessHeap(), 0, capacity);
        if (!grown)
        {
            b->failed = TRUE;
            return;
        }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, s, n);
    b->size += n;
}

static void out_u64(out_buf *b, const char *key, UINT64 value)
{
    char line[128];
    int n = snprintf(line, sizeof(line), "%s=%llu\n", key, (unsigned long long)value);
    out_bytes(b, line, (DWORD)n);
}

static UINT64 filetime_u64(FILETIME t)
{
    return ((UINT64)t.dwHighDateTime << 32) | t.dwLowDateTime;
}

static FILETIME u64_filetime(UINT64 v)
{
    FILETIME t = { (DWORD)v, (DWORD)(v >> 32) };
    return t;
}

/* A string value, UTF-8, with '\\', '\n' and '\r' escaped; NULL writes nothing. */
static void out_str(out_buf *b, const char *key, const WCHAR *value)
{
    int bytes, i;
    char *utf8;

    if (!value || b->failed) return;
    bytes = WideCharToMultiByte(CP_UTF8, 0, value, -1, NULL, 0, NULL, NULL);
    if (bytes <= 0 || !(utf8 = HeapAlloc(GetProcessHeap(), 0, bytes)))
    {
        b->failed = TRUE;
        return;
    }
    WideCharToMultiByte(CP_UTF8, 0, value, -1, utf8, bytes, NULL, NULL);
    out_bytes(b, key, (DWORD)strlen(key));
    out_bytes(b, "=", 1);
    for (i = 0; i < bytes - 1; i++)
    {
        if (utf8[i] == '\\') out_bytes(b, "\\\\", 2);
        else if (utf8[i] == '\n') out_bytes(b, "\\n", 2);
        else if (utf8[i] == '\r') out_bytes(b, "\\r", 2);
        else out_bytes(b, utf8 + i, 1);
    }
    out_bytes(b, "\n", 1);
    HeapFree(GetProcessHeap(), 0, utf8);
}

BOOL ob_job_record_wanted(ob_job *job)
{
    return ob_job_flavour(job) == &ob_flavour_bits;
}

static void write_file(out_buf *b, ULONG index, const ob_file *f)
{
    out_u64(b, "File", index);
    out_str(b, "Remote", f->remote_name);
    out_str(b, "Local", f->local_name);
    out_str(b, "Temp", f->temp_name);
    out_u64(b, "Kind", f->kind);
    out_u64(b, "RemoteModified", filetime_u64(f->remote_modified));
    out_u64(b, "Total", f->progress.bytes_total);
    out_u64(b, "Transferred", f->progress.bytes_transferred);
    out_u64(b, "Completed", f->progress.completed);
    out_u64(b, "Available", f->available);
    out_u64(b, "RemoteSize", f->remote_size);
    if (f->ranges)
    {
        ULONG i;
        out_u64(b, "Ranges", f->range_count);
        for (i = 0; i < f->range_count; i++)
        {
            out_u64(b, "RangeOffset", f->ranges[i].InitialOffset);
            out_u64(b, "RangeLength", f->ranges[i].Length);
        }
    }
}

static void out_hex(out_buf *b, const char *key, const BYTE *data, DWORD size)
{
    static const char digits[] = "0123456789abcdef";
    DWORD i;
    out_bytes(b, key, (DWORD)strlen(key));
    out_bytes(b, "=", 1);
    for (i = 0; i < size; i++)
    {
        out_bytes(b, &digits[data[i] >> 4], 1);
        out_bytes(b, &digits[data[i] & 15], 1);
    }
    out_bytes(b, "\n", 1);
}

static void write_http(out_buf *b, const ob_job_http *http)
{
    out_str(b, "CustomHeaders", http->custom_headers);
    out_u64(b, "CustomHeadersWriteOnly", http->headers_write_only);
    out_u64(b, "SecurityFlags", http->security_flags);
    out_str(b, "HttpMethod", http->method);
    if (!http->cert.set) return;
    out_u64(b, "ClientCertLocation", http->cert.location);
    out_str(b, "ClientCertStore", http->cert.store);
    out_hex(b, "ClientCertHash", http->cert.hash, OB_CERT_HASH_SIZE);
    out_str(b, "ClientCertSubject", http->cert.subject);
}

/* The credentials, copied under the job lock and written after it: each is
 * encrypted with CryptProtectData (the host's account, UI forbidden) as
 * "user\0password", never in clear. */
typedef struct cred_copy {
    ULONG target, scheme;
    WCHAR *user, *password;
} cred_copy;

static ULONG copy_credentials(ob_job *job, cred_copy *out)
{
    ULONG t, s, n = 0;
    for (t = 0; t < OB_AUTH_TARGETS; t++)
        for (s = 0; s < OB_AUTH_SCHEMES; s++)
        {
            const ob_credential *c = &job->credentials[t][s];
            if (!c->set) continue;
            out[n].target = t + 1;
            out[n].scheme = s + 1;
            out[n].user = ob_str_dup(c->user ? c->user : L"");
            out[n].password = ob_str_dup(c->password ? c->password : L"");
            n++;
        }
    return n;
}

static void write_credentials(out_buf *b, cred_copy *creds, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++)
    {
        size_t user = creds[i].user ? wcslen(creds[i].user) : 0, pass = creds[i].password ? wcslen(creds[i].password) : 0;
        DWORD bytes = (DWORD)((user + 1 + pass) * sizeof(WCHAR));
        WCHAR *plain = HeapAlloc(GetProcessHeap(), 0, bytes + sizeof(WCHAR));
        DATA_BLOB in, sealed = { 0 };
        char key[32];

        if (!plain || !creds[i].user || !creds[i].password) b->failed = TRUE;
        else
        {
            memcpy(plain, creds[i].user, user * sizeof(WCHAR));
            plain[user] = 0;
            memcpy(plain + user + 1, creds[i].password, pass * sizeof(WCHAR));
            in.pbData = (BYTE *)plain;
            in.cbData = bytes;
            if (!CryptProtectData(&in, L"openbits job credential", NULL, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN,
                                  &sealed))
                b->failed = TRUE;
            else
            {
                snprintf(key, sizeof(key), "Credential.%lu.%lu", creds[i].target, creds[i].scheme);
                out_hex(b, key, sealed.pbData, sealed.cbData);
                LocalFree(sealed.pbData);
            }
            SecureZeroMemory(plain, bytes);
        }
        HeapFree(GetProcessHeap(), 0, plain);
        ob_str_wipe(creds[i].user);
        ob_str_wipe(creds[i].password);
    }
}

static void write_job(out_buf *b, ob_job *job)
{
    ULONGLONG now = GetTickCount64();
    WCHAR id[40];
    ULONG i;

    out_u64(b, RECORD_MAGIC, RECORD_VERSION);
    StringFromGUID2(&job->id, id, ARRAYSIZE(id));
    out_str(b, "Id", id);
    /* every persistent property of the property table, by its name */
    for (i = 0; i < OB_PROP_COUNT; i++)
    {
        const ob_prop_desc *desc = ob_job_prop_desc((ob_job_prop)i);
        if (!desc->persistent) continue;
        if (desc->type == OB_PROP_ULONG) out_u64(b, desc->name, *ob_job_ulong_slot(job, desc->id));
        else if (desc->type == OB_PROP_STRING) out_str(b, desc->name, *ob_job_string_slot(job, desc->id));
    }
    out_u64(b, "State", job->state);
    out_u64(b, "NoProgressTimeoutSet", job->no_progress_timeout_set);
    if (job->ending) out_u64(b, "Ending", job->ending);
    out_u64(b, "Created", filetime_u64(job->created));
    out_u64(b, "Modified", filetime_u64(job->modified));
    out_u64(b, "TransferCompleted", filetime_u64(job->transfer_completed));
    if (job->has_error)
    {
        out_u64(b, "ErrorCode", (ULONG)job->error.code);
        out_u64(b, "ErrorContext", job->error.context);
        out_u64(b, "ErrorFile", (ULONG)(job->error.file_index + 1)); /* 0: no file */
        out_u64(b, "ErrorProtocol", job->error.protocol);
    }
    /* tick counts mean nothing after a restart: kept as time left / spent */
    if (job->state == BG_JOB_STATE_TRANSIENT_ERROR) out_u64(b, "RetryInMs", job->retry_at > now ? job->retry_at - now : 0);
    if (job->transient_since) out_u64(b, "TransientForMs", now - job->transient_since + 1);
    out_u64(b, "ReplyNameGenerated", job->reply_name_generated);
    out_str(b, "ReplyTemp", job->reply_temp_name);
    out_u64(b, "ReplyTotal", job->reply.BytesTotal);
    out_u64(b, "ReplyTransferred", job->reply.BytesTransferred);
    out_str(b, "UploadSession", job->upload_session);
    out_str(b, "UploadUrl", job->upload_url);
    out_u64(b, "UploadFileKnown", job->upload_file_known);
    out_u64(b, "UploadSize", job->upload_size);
    out_u64(b, "UploadTime", filetime_u64(job->upload_time));
    out_u64(b, "UploadSent", job->upload_sent);
    out_str(b, "ReplyUrl", job->reply_url);
    write_http(b, &job->http);
    out_u64(b, "Files", job->progress.files_total);
    for (i = 0; i < job->progress.files_total; i++) write_file(b, i, &job->files[i]);
}

HRESULT ob_job_record_write(ob_job *job, char **data, DWORD *size)
{
    out_buf b = { 0 };
    cred_copy creds[OB_AUTH_TARGETS * OB_AUTH_SCHEMES];
    ULONG cred_count;
    char crc[32];
    int n;

    ob_lock_shared(&job->lock);
    write_job(&b, job);
    cred_count = copy_credentials(job, creds);
    ob_unlock_shared(&job->lock);
    /* after the files' sections: "Job" ends the last one */
    out_bytes(&b, "Job=1\n", 6);
    write_credentials(&b, creds, cred_count);
    if (!b.failed)
    {
        n = snprintf(crc, sizeof(crc), "Crc=%08lx\n", (unsigned long)crc32_of(b.data, b.size));
        out_bytes(&b, crc, (DWORD)n);
    }
    if (b.failed)
    {
        HeapFree(GetProcessHeap(), 0, b.data);
        return E_OUTOFMEMORY;
    }
    *data = b.data;
    *size = b.size;
    return S_OK;
}

/* ---- reading ---- */

#define INVALID HRESULT_FROM_WIN32(ERROR_INVALID_DATA)

/* The value of a line, unescaped and as UTF-16 (heap); NULL on bad input. */
static WCHAR *value_str(const char *v, DWORD len)
{
    char *plain = HeapAlloc(GetProcessHeap(), 0, len + 1);
    WCHAR *wide = NULL;
    DWORD i, n = 0;
    int chars;

    if (!plain) return NULL;
    for (i = 0; i < len; i++)
    {
        if (v[i] != '\\') plain[n++] = v[i];
        else if (++i < len && (v[i] == '\\' || v[i] == 'n' || v[i] == 'r'))
            plain[n++] = v[i] == 'n' ? '\n' : v[i] == 'r' ? '\r' : '\\';
        else goto done; /* a bad escape */
    }
    chars = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, plain, (int)n, NULL, 0);
    if ((chars > 0 || !n) && (wide = HeapAlloc(GetProcessHeap(), 0, (chars + 1) * sizeof(WCHAR))))
    {
        if (n) MultiByteToWideChar(CP_UTF8, 0, plain, (int)n, wide, chars);
        wide[n ? chars : 0] = 0;
    }
done:
    HeapFree(GetProcessHeap(), 0, plain);
    return wide;
}

static BOOL value_u64(const char *v, DWORD len, UINT64 *out)
{
    UINT64 x = 0;
    DWORD i;
    if (!len || len > 20) return FALSE;
    for (i = 0; i < len; i++)
    {
        if (v[i] < '0' || v[i] > '9') return FALSE;
        if (x > (UINT64_MAX - (v[i] - '0')) / 10) return FALSE;
        x = x * 10 + (v[i] - '0');
    }
    *out = x;
    return TRUE;
}

static BOOL key_is(const char *key, DWORD key_len, const char *name)
{
    return strlen(name) == key_len && !memcmp(key, name, key_len);
}

typedef struct reader {
    ob_job *job;
    ob_file *file;             /* the file section being read, or NULL */
    ULONG files_declared, files_seen;
    ULONG offsets_seen, lengths_seen; /* of the file section's ranges */
    UINT64 retry_in, transient_for;
    BOOL has_id, has_state, has_type;
} reader;

static HRESULT set_str(WCHAR **slot, const char *v, DWORD len)
{
    WCHAR *s = value_str(v, len);
    if (!s) return INVALID;
    ob_str_free(*slot);
    *slot = s;
    return S_OK;
}

static HRESULT read_file_field(reader *r, const char *key, DWORD key_len, const char *v, DWORD len, UINT64 n,
                               BOOL numeric)
{
    ob_file *f = r->file;
    if (key_is(key, key_len, "Remote")) return set_str(&f->remote_name, v, len);
    if (key_is(key, key_len, "Local")) return set_str(&f->local_name, v, len);
    if (key_is(key, key_len, "Temp")) return set_str(&f->temp_name, v, len);
    if (!numeric) return S_OK; /* unknown: a later version's field */
    if (key_is(key, key_len, "Kind")) f->kind = n ? OB_REMOTE_FILE : OB_REMOTE_HTTP;
    else if (key_is(key, key_len, "RemoteModified")) f->remote_modified = u64_filetime(n);
    else if (key_is(key, key_len, "Total")) f->progress.bytes_total = n;
    else if (key_is(key, key_len, "Transferred")) f->progress.bytes_transferred = n;
    else if (key_is(key, key_len, "Completed")) f->progress.completed = n != 0;
    else if (key_is(key, key_len, "Available")) f->available = n != 0;
    else if (key_is(key, key_len, "RemoteSize")) f->remote_size = n;
    else if (key_is(key, key_len, "Ranges"))
    {
        if (f->ranges || !n || n > MAX_RANGES_IN_RECORD) return INVALID;
        if (!(f->ranges = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, (SIZE_T)n * sizeof(*f->ranges))))
            return E_OUTOFMEMORY;
        f->range_count = (ULONG)n;
        r->offsets_seen = r->lengths_seen = 0;
    }
    else if (key_is(key, key_len, "RangeOffset"))
    {
        if (r->offsets_seen >= f->range_count) return INVALID;
        f->ranges[r->offsets_seen++].InitialOffset = n;
    }
    else if (key_is(key, key_len, "RangeLength"))
    {
        if (r->lengths_seen >= f->range_count) return INVALID;
        f->ranges[r->lengths_seen++].Length = n;
    }
    return S_OK;
}

/* Hex digits into bytes (heap); NULL if they are not hex. */
static BYTE *value_hex(const char *v, DWORD len, DWORD *size)
{
    BYTE *out;
    DWORD i;
    if (len % 2 || !(out = HeapAlloc(GetProcessHeap(), 0, len / 2 + 1))) return NULL;
    for (i = 0; i < len; i++)
    {
        int d = v[i] >= '0' && v[i] <= '9' ? v[i] - '0' : v[i] >= 'a' && v[i] <= 'f' ? v[i] - 'a' + 10 : -1;
        if (d < 0)
        {
            HeapFree(GetProcessHeap(), 0, out);
            return NULL;
        }
        if (i % 2) out[i / 2] |= (BYTE)d;
        else out[i / 2] = (BYTE)(d << 4);
    }
    *size = len / 2;
    return out;
}

/* "Credential.<target>.<scheme>=<hex of CryptProtectData's blob>". */
static HRESULT read_credential(ob_job *job, const char *key, DWORD key_len, const char *v, DWORD len)
{
    DATA_BLOB sealed, plain = { 0 };
    ob_credential *slot;
    DWORD size, chars;
    BYTE *blob;
    ULONG target, scheme;
    HRESULT hr = INVALID;
    WCHAR *text;

    if (key_len != 14 || key[11] < '1' || key[11] > '0' + OB_AUTH_TARGETS || key[12] != '.' || key[13] < '1' ||
        key[13] > '0' + OB_AUTH_SCHEMES)
        return INVALID;
    target = key[11] - '1';
    scheme = key[13] - '1';
    if (!(blob = value_hex(v, len, &size))) return INVALID;
    sealed.pbData = blob;
    sealed.cbData = size;
    if (CryptUnprotectData(&sealed, NULL, NULL, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &plain))
    {
        text = (WCHAR *)plain.pbData;
        chars = plain.cbData / sizeof(WCHAR);
        slot = &job->credentials[target][scheme];
        if (chars && wmemchr(text, 0, chars) && !slot->set)
        {
            size_t user = wcslen(text);
            WCHAR *password = HeapAlloc(GetProcessHeap(), 0, (chars - user) * sizeof(WCHAR));
            if (password)
            {
                memcpy(password, text + user + 1, (chars - user - 1) * sizeof(WCHAR));
                password[chars - user - 1] = 0;
                slot->user = ob_str_dup(text);
                slot->password = password;
                slot->set = slot->user != NULL;
                hr = slot->set ? S_OK : E_OUTOFMEMORY;
            }
        }
        SecureZeroMemory(plain.pbData, plain.cbData);
        LocalFree(plain.pbData);
    }
    HeapFree(GetProcessHeap(), 0, blob);
    return hr;
}

static HRESULT read_http(ob_job *job, const char *key, DWORD key_len, const char *v, DWORD len, UINT64 n,
                         BOOL numeric, BOOL *known)
{
    ob_job_http *http = &job->http;
    *known = TRUE;
    if (key_is(key, key_len, "CustomHeaders")) return set_str(&http->custom_headers, v, len);
    if (key_is(key, key_len, "HttpMethod")) return set_str(&http->method, v, len);
    if (key_is(key, key_len, "ClientCertStore")) return set_str(&http->cert.store, v, len);
    if (key_is(key, key_len, "ClientCertSubject")) return set_str(&http->cert.subject, v, len);
    if (key_is(key, key_len, "ClientCertHash"))
    {
        DWORD size;
        BYTE *hash = value_hex(v, len, &size);
        HRESULT hr = hash && size == OB_CERT_HASH_SIZE ? S_OK : INVALID;
        if (SUCCEEDED(hr)) memcpy(http->cert.hash, hash, OB_CERT_HASH_SIZE);
        HeapFree(GetProcessHeap(), 0, hash);
        return hr;
    }
    if (numeric && key_is(key, key_len, "CustomHeadersWriteOnly")) http->headers_write_only = n != 0;
    else if (numeric && key_is(key, key_len, "SecurityFlags")) http->security_flags = (ULONG)n;
    else if (numeric && key_is(key, key_len, "ClientCertLocation"))
    {
        http->cert.set = TRUE;
        http->cert.location = (BG_CERT_STORE_LOCATION)n;
    }
    else *known = FALSE;
    return S_OK;
}

/* The file section's ranges are all there, and a list AddFileWithRanges
 * would take (http only). */
static BOOL ranges_complete(const reader *r)
{
    const ob_file *f = r->file;
    if (!f->ranges) return TRUE;
    return r->offsets_seen == f->range_count && r->lengths_seen == f->range_count && f->kind == OB_REMOTE_HTTP
           && ob_ranges_check(f->ranges, f->range_count, 0) == S_OK;
}

static HRESULT read_field(reader *r, const char *key, DWORD key_len, const char *v, DWORD len)
{
    ob_job *job = r->job;
    UINT64 n = 0;
    BOOL numeric = value_u64(v, len, &n);
    ULONG i;

    if (key_is(key, key_len, "File"))
    {
        if (!numeric || n != r->files_seen || r->files_seen >= r->files_declared) return INVALID;
        if (r->file && !ranges_complete(r)) return INVALID;
        r->file = &job->files[r->files_seen++];
        r->file->progress.bytes_total = BG_SIZE_UNKNOWN;
        r->file->remote_size = BG_SIZE_UNKNOWN;
        return S_OK;
    }
    if (key_is(key, key_len, "Job"))
    {
        if (r->file && !ranges_complete(r)) return INVALID;
        r->file = NULL; /* the files' sections end */
        return S_OK;
    }
    if (r->file) return read_file_field(r, key, key_len, v, len, n, numeric);
    if (key_len > 11 && !memcmp(key, "Credential.", 11)) return read_credential(job, key, key_len, v, len);
    {
        BOOL known;
        HRESULT hr = read_http(job, key, key_len, v, len, n, numeric, &known);
        if (known) return hr;
    }

    if (key_is(key, key_len, "Id"))
    {
        WCHAR *id = value_str(v, len);
        HRESULT hr = id && SUCCEEDED(CLSIDFromString(id, &job->id)) ? S_OK : INVALID;
        ob_str_free(id);
        r->has_id = SUCCEEDED(hr);
        return hr;
    }
    for (i = 0; i < OB_PROP_COUNT; i++)
    {
        const ob_prop_desc *desc = ob_job_prop_desc((ob_job_prop)i);
        if (!desc->persistent || !key_is(key, key_len, desc->name)) continue;
        if (desc->type == OB_PROP_STRING)
        {
            WCHAR **slot = ob_job_string_slot(job, desc->id);
            HRESULT hr = set_str(slot, v, len);
            return SUCCEEDED(hr) && FAILED(ob_job_prop_check_string(desc->id, *slot)) ? INVALID : hr;
        }
        if (desc->type != OB_PROP_ULONG) return S_OK;
        if (!numeric || n > desc->limit) return INVALID;
        *ob_job_ulong_slot(job, desc->id) = (ULONG)n;
        if (desc->id == OB_PROP_TYPE) r->has_type = TRUE;
        return S_OK;
    }
    if (key_is(key, key_len, "ReplyTemp")) return set_str(&job->reply_temp_name, v, len);
    if (key_is(key, key_len, "UploadSession")) return set_str(&job->upload_session, v, len);
    if (key_is(key, key_len, "UploadUrl")) return set_str(&job->upload_url, v, len);
    if (key_is(key, key_len, "ReplyUrl")) return set_str(&job->reply_url, v, len);
    if (!numeric) return S_OK; /* unknown: a later version's field */

    if (key_is(key, key_len, RECORD_MAGIC)) return n == RECORD_VERSION ? S_OK : INVALID;
    if (key_is(key, key_len, "State"))
    {
        /* a final job is never kept */
        if (n > BG_JOB_STATE_TRANSFERRED) return INVALID;
        job->state = (BG_JOB_STATE)n;
        r->has_state = TRUE;
    }
    else if (key_is(key, key_len, "NoProgressTimeoutSet")) job->no_progress_timeout_set = n != 0;
    else if (key_is(key, key_len, "Ending"))
    {
        if (n != OB_ENDING_COMPLETE && n != OB_ENDING_CANCEL) return INVALID;
        job->ending = (ob_job_ending)n;
        job->ending_restored = TRUE;
    }
    else if (key_is(key, key_len, "Created")) job->created = u64_filetime(n);
    else if (key_is(key, key_len, "Modified")) job->modified = u64_filetime(n);
    else if (key_is(key, key_len, "TransferCompleted")) job->transfer_completed = u64_filetime(n);
    else if (key_is(key, key_len, "ErrorCode"))
    {
        job->has_error = TRUE;
        job->error.code = (HRESULT)(ULONG)n;
    }
    else if (key_is(key, key_len, "ErrorContext")) job->error.context = (BG_ERROR_CONTEXT)n;
    else if (key_is(key, key_len, "ErrorFile")) job->error.file_index = (LONG)n - 1;
    else if (key_is(key, key_len, "ErrorProtocol")) job->error.protocol = n ? OB_REMOTE_FILE : OB_REMOTE_HTTP;
    else if (key_is(key, key_len, "RetryInMs")) r->retry_in = n;
    else if (key_is(key, key_len, "TransientForMs")) r->transient_for = n;
    else if (key_is(key, key_len, "ReplyNameGenerated")) job->reply_name_generated = n != 0;
    else if (key_is(key, key_len, "ReplyTotal")) job->reply.BytesTotal = n;
    else if (key_is(key, key_len, "ReplyTransferred")) job->reply.BytesTransferred = n;
    else if (key_is(key, key_len, "UploadFileKnown")) job->upload_file_known = n != 0;
    else if (key_is(key, key_len, "UploadSize")) job->upload_size = n;
    else if (key_is(key, key_len, "UploadTime")) job->upload_time = u64_filetime(n);
    else if (key_is(key, key_len, "UploadSent")) job->upload_sent = n != 0;
    else if (key_is(key, key_len, "Files"))
    {
        if (r->files_declared || n > MAX_FILES_IN_RECORD) return INVALID;
        if (n && FAILED(ob_job_reserve_files(job, (ULONG)n))) return E_OUTOFMEMORY;
        r->files_declared = (ULONG)n;
    }
    return S_OK;
}

/* The files' progress, counted into the job's totals as they were. */
static HRESULT settle_files(reader *r)
{
    ob_job *job = r->job;
    ULONG i;

    if (r->files_seen != r->files_declared || (r->file && !ranges_complete(r))) return INVALID;
    for (i = 0; i < r->files_declared; i++)
    {
        ob_file *f = &job->files[i];
        ob_file_progress saved = f->progress;
        if (!f->remote_name || !f->local_name) return INVALID;
        if (saved.bytes_total != BG_SIZE_UNKNOWN && saved.bytes_transferred > saved.bytes_total) return INVALID;
        ob_progress_file_added(&job->progress, &f->progress);
        if (saved.bytes_total != BG_SIZE_UNKNOWN) ob_progress_set_size(&job->progress, &f->progress, saved.bytes_total);
        ob_progress_add_bytes(&job->progress, &f->progress, saved.bytes_transferred);
        if (saved.completed) ob_progress_file_done(&job->progress, &f->progress);
    }
    return S_OK;
}

static void settle_state(reader *r)
{
    ob_job *job = r->job;
    ULONGLONG now = GetTickCount64();

    /* a transfer under way when the process ended starts again from QUEUED */
    if (job->state == BG_JOB_STATE_CONNECTING || job->state == BG_JOB_STATE_TRANSFERRING)
        job->state = BG_JOB_STATE_QUEUED;
    if (job->state == BG_JOB_STATE_QUEUED) job->queued_seq = ob_job_next_queue_seq();
    if (job->state == BG_JOB_STATE_TRANSIENT_ERROR) job->retry_at = now + r->retry_in;
    if (r->transient_for) job->transient_since = now > r->transient_for ? now - r->transient_for + 1 : 1;
}

HRESULT ob_job_record_read(const char *data, DWORD size, ob_job **out)
{
    const char *end = data + size, *line, *crc_line;
    reader r = { 0 };
    HRESULT hr;

    *out = NULL;
    /* the last line is "Crc=xxxxxxxx\n", over everything before it */
    if (size < 14 || data[size - 1] != '\n') return INVALID;
    for (crc_line = end - 2; crc_line > data && crc_line[-1] != '\n'; crc_line--) {}
    if (end - crc_line != 13 || memcmp(crc_line, "Crc=", 4)) return INVALID;
    {
        char expected[16]; /* exactly as written: lowercase hex */
        snprintf(expected, sizeof(expected), "%08lx\n", (unsigned long)crc32_of(data, (DWORD)(crc_line - data)));
        if (memcmp(crc_line + 4, expected, 9)) return INVALID;
    }

    if (FAILED(hr = ob_job_new(L"", BG_JOB_TYPE_DOWNLOAD, L"", &r.job))) return hr;
    for (line = data; line < crc_line && SUCCEEDED(hr);)
    {
        const char *nl = memchr(line, '\n', crc_line - line), *eq;
        if (!nl) nl = crc_line;
        eq = memchr(line, '=', nl - line);
        if (!eq) hr = INVALID;
        else hr = read_field(&r, line, (DWORD)(eq - line), eq + 1, (DWORD)(nl - eq - 1));
        line = nl + 1;
    }
    if (SUCCEEDED(hr) && (!r.has_id || !r.has_state || !r.has_type || !r.job->owner_sid || !r.job->owner_sid[0] ||
                          memcmp(data, RECORD_MAGIC "=", 13)))
        hr = INVALID;
    if (SUCCEEDED(hr)) hr = settle_files(&r);
    if (FAILED(hr))
    {
        r.job->progress.files_total = r.files_seen; /* what ob_job_release frees */
        ob_job_release(r.job);
        return hr;
    }
    settle_state(&r);
    *out = r.job;
    return S_OK;
}

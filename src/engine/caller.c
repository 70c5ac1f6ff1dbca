#include "table.h"
#include <sddl.h>

/* TOKEN_DUPLICATE: token_is_admin needs an identification copy of it. */
static HANDLE open_caller_token(void)
{
    const DWORD access = TOKEN_QUERY | TOKEN_DUPLICATE;
    HANDLE token;
    if (OpenThreadToken(GetCurrentThread(), access, TRUE, &token)) return token;
    if (OpenProcessToken(GetCurrentProcess(), access, &token)) return token;
    return NULL;
}

static BOOL token_is_admin(HANDLE token)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    PSID admins;
    BOOL member = FALSE;
    HANDLE impersonation = NULL;

    if (!AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS,
                                  0, 0, 0, 0, 0, 0, &admins))
        return FALSE;
    if (DuplicateToken(token, SecurityIdentification, &impersonation))
    {
        if (!CheckTokenMembership(impersonation, admins, &member)) member = FALSE;
        CloseHandle(impersonation);
    }
    FreeSid(admins);
    return member;
}

HRESULT ob_caller_current(ob_caller *caller)
{
    BYTE buffer[256];
    TOKEN_USER *user = (TOKEN_USER *)buffer;
    DWORD size;
    WCHAR *sid_string;
    HANDLE token = open_caller_token();
    HRESULT hr = S_OK;

    if (!token) return HRESULT_FROM_WIN32(GetLastError());
    if (!GetTokenInformation(token, TokenUser, buffer, sizeof(buffer), &size) ||
        !ConvertSidToStringSidW(user->User.Sid, &sid_string))
        hr = HRESULT_FROM_WIN32(GetLastError());
    else
    {
        lstrcpynW(caller->sid, sid_string, ARRAYSIZE(caller->sid));
        LocalFree(sid_string);
        caller->is_admin = token_is_admin(token);
    }
    CloseHandle(token);
    return hr;
}

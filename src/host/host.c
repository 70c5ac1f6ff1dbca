/* openbits-host.exe: the shared, long-lived openbits for CLSCTX_LOCAL_SERVER
 * clients.  Thin: it loads openbits.dll from its own folder (the same engine
 * and COM objects an in-process client gets), registers a class object for
 * CLSID_OpenBitsManager (and, after the takeover, for Microsoft's BITS
 * manager CLSIDs) with CoRegisterClassObject(CLSCTX_LOCAL_SERVER,
 * REGCLS_MULTIPLEUSE), and stays while any job is in the table, any object
 * is held by a client or any LockServer is outstanding; after an idle period
 * with none of these it exits (HKLM\Software\OpenBits\HostIdleSeconds,
 * default 60; OPENBITS_HOST_IDLE_MS overrides it for tests).
 *
 *   openbits-host [-Embedding]     serve (COM starts it this way)
 *   openbits-host /stop            ask a running host to exit now
 *   openbits-host /service         run as a Windows service (the service
 *                                  manager starts it; its Stop control ends it)
 *   openbits-host /install-as-bits     take over Microsoft's BITS CLSIDs
 *   openbits-host /uninstall-as-bits   put back what the takeover replaced
 *
 * One host runs per session: a second one started while the first serves
 * exits at once. */
#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include "openbits.h"
#include "../com/bits_clsids.h"

#define DEFAULT_IDLE_SECONDS 60
#define POLL_MS              100
#define STOP_EVENT           L"OpenBitsHost.Stop"
#define RUNNING_MUTEX        L"OpenBitsHost.Running"
#define MAX_CLASSES          (2 + ARRAYSIZE(ob_bits_clsids))

static HRESULT (WINAPI *dll_get_class_object)(REFCLSID, REFIID, void **);
static HRESULT (WINAPI *dll_can_unload_now)(void);
static HRESULT (WINAPI *dll_install)(BOOL, const WCHAR *);
static LONG server_locks;

/* ---- the class object: every activation gets a manager from the DLL ---- */

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID iid, void **out)
{
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IClassFactory))
    {
        *out = iface;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    return 2; /* static */
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    return 1;
}

typedef struct host_factory {
    IClassFactory IClassFactory_iface;
    const CLSID *dll_clsid;    /* the DLL's class that makes the objects */
} host_factory;

/* The DLL's own class factory is fetched per call and released at once, so
 * that the DLL's lock count is only the objects clients hold. */
static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID iid, void **out)
{
    const CLSID *clsid = CONTAINING_RECORD(iface, host_factory, IClassFactory_iface)->dll_clsid;
    IClassFactory *inner;
    HRESULT hr;

    if (!out) return E_POINTER;
    *out = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    if (FAILED(hr = dll_get_class_object(clsid, &IID_IClassFactory, (void **)&inner))) return hr;
    hr = IClassFactory_CreateInstance(inner, NULL, iid, out);
    IClassFactory_Release(inner);
    return hr;
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    if (lock) InterlockedIncrement(&server_locks);
    else InterlockedDecrement(&server_locks);
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
    factory_QueryInterface, factory_AddRef, factory_Release, factory_CreateInstance, factory_LockServer,
};
/* BITS managers (ours and, after the takeover, Microsoft's CLSIDs), and
 * Delivery Optimization's CLSID (DO managers). */
static host_factory bits_factory = { { (IClassFactoryVtbl *)&factory_vtbl }, &CLSID_OpenBitsManager };
static host_factory do_factory = { { (IClassFactoryVtbl *)&factory_vtbl }, &CLSID_DeliveryOptimization };

/* ---- openbits.dll, from this program's folder ---- */

static void (WINAPI *host_shutdown)(void);

static BOOL load_dll(void)
{
    WCHAR path[MAX_PATH], *slash;
    void (WINAPI *host_init)(void);
    HMODULE dll;
    DWORD len = GetModuleFileNameW(NULL, path, ARRAYSIZE(path));

    if (!len || len >= ARRAYSIZE(path) || !(slash = wcsrchr(path, L'\\'))) return FALSE;
    if (slash - path + 1 + wcslen(L"openbits.dll") >= MAX_PATH) return FALSE;
    wcscpy(slash + 1, L"openbits.dll");
    if (!(dll = LoadLibraryW(path))) return FALSE;
    dll_get_class_object = (void *)GetProcAddress(dll, "DllGetClassObject");
    dll_can_unload_now = (void *)GetProcAddress(dll, "DllCanUnloadNow");
    dll_install = (void *)GetProcAddress(dll, "DllInstall");
    host_init = (void *)GetProcAddress(dll, "OpenBitsHostInit");
    host_shutdown = (void *)GetProcAddress(dll, "OpenBitsHostShutdown");
    if (!dll_get_class_object || !dll_can_unload_now || !dll_install || !host_init || !host_shutdown) return FALSE;
    host_init();
    return TRUE;
}

static DWORD idle_ms(void)
{
    WCHAR text[16];
    DWORD seconds = 0, size = sizeof(seconds);

    if (GetEnvironmentVariableW(L"OPENBITS_HOST_IDLE_MS", text, ARRAYSIZE(text)) && wcstoul(text, NULL, 10))
        return wcstoul(text, NULL, 10);
    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"Software\\OpenBits", L"HostIdleSeconds", RRF_RT_REG_DWORD, NULL,
                     &seconds, &size) || !seconds)
        seconds = DEFAULT_IDLE_SECONDS;
    return seconds * 1000;
}

static BOOL taken_over(void)
{
    HKEY key;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, OB_TAKEOVER_KEY, 0, KEY_READ, &key)) return FALSE;
    RegCloseKey(key);
    return TRUE;
}

/* Nothing keeps the host: no job in the table, no object held, no lock. */
static BOOL idle(void)
{
    return !InterlockedCompareExchange(&server_locks, 0, 0) && dll_can_unload_now() == S_OK;
}

static int serve(void)
{
    DWORD cookies[MAX_CLASSES], classes = 0, i, wait = idle_ms();
    HANDLE running, stop;
    ULONGLONG idle_since;
    CLSID clsid;
    HRESULT hr;

    running = CreateMutexW(NULL, TRUE, RUNNING_MUTEX);
    if (!running || GetLastError() == ERROR_ALREADY_EXISTS) return 0; /* another host serves */
    stop = CreateEventW(NULL, TRUE, FALSE, STOP_EVENT);
    if (!stop || FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED))) return 1;
    /* A BITS-like server: it identifies its callers (the owner of a job is
     * the caller's SID, read while impersonating it). */
    CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_IMP_LEVEL_IDENTIFY, NULL,
                         EOAC_NONE, NULL);
    if (!load_dll())
    {
        fprintf(stderr, "openbits-host: cannot load openbits.dll beside it\n");
        return 1;
    }
    hr = CoRegisterClassObject(&CLSID_OpenBitsManager, (IUnknown *)&bits_factory.IClassFactory_iface, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookies[classes]);
    if (SUCCEEDED(hr)) classes++;
    if (SUCCEEDED(hr) && SUCCEEDED(hr = CoRegisterClassObject(&CLSID_DeliveryOptimization,
                                                              (IUnknown *)&do_factory.IClassFactory_iface,
                                                              CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE,
                                                              &cookies[classes])))
        classes++;
    if (SUCCEEDED(hr) && taken_over())
        for (i = 0; i < ARRAYSIZE(ob_bits_clsids); i++)
            if (SUCCEEDED(CLSIDFromString(ob_bits_clsids[i], &clsid)) &&
                SUCCEEDED(CoRegisterClassObject(&clsid, (IUnknown *)&bits_factory.IClassFactory_iface, CLSCTX_LOCAL_SERVER,
                                                REGCLS_MULTIPLEUSE, &cookies[classes])))
                classes++;
    if (FAILED(hr))
    {
        fprintf(stderr, "openbits-host: CoRegisterClassObject failed: 0x%08lx\n", (unsigned long)hr);
        return 1;
    }

    idle_since = GetTickCount64();
    while (WaitForSingleObject(stop, POLL_MS) == WAIT_TIMEOUT)
    {
        if (!idle()) idle_since = GetTickCount64();
        else if (GetTickCount64() - idle_since >= wait) break;
    }

    for (i = 0; i < classes; i++) CoRevokeClassObject(cookies[i]);
    host_shutdown(); /* the store has every job as it is now */
    CoUninitialize();
    ReleaseMutex(running);
    CloseHandle(running);
    CloseHandle(stop);
    return 0;
}

/* ---- as a service: the same loop, with the service manager's Stop ---- */

#define SERVICE_NAME L"OpenBitsHost"

static SERVICE_STATUS_HANDLE service_handle;

static void report_service(DWORD state, DWORD code)
{
    SERVICE_STATUS status = { SERVICE_WIN32_OWN_PROCESS, state,
                              state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0,
                              code ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR, code, 0, 0 };
    SetServiceStatus(service_handle, &status);
}

static DWORD WINAPI service_control(DWORD control, DWORD type, void *data, void *context)
{
    HANDLE stop;
    if (control != SERVICE_CONTROL_STOP && control != SERVICE_CONTROL_SHUTDOWN)
        return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
    report_service(SERVICE_STOP_PENDING, 0);
    if ((stop = OpenEventW(EVENT_MODIFY_STATE, FALSE, STOP_EVENT)))
    {
        SetEvent(stop);
        CloseHandle(stop);
    }
    return NO_ERROR;
}

static void WINAPI service_main(DWORD argc, WCHAR **argv)
{
    int code;
    if (!(service_handle = RegisterServiceCtrlHandlerExW(SERVICE_NAME, service_control, NULL))) return;
    report_service(SERVICE_RUNNING, 0);
    code = serve();
    report_service(SERVICE_STOPPED, (DWORD)code);
}

static int run_service(void)
{
    static const SERVICE_TABLE_ENTRYW table[] = { { (WCHAR *)SERVICE_NAME, service_main }, { NULL, NULL } };
    if (StartServiceCtrlDispatcherW(table)) return 0;
    fprintf(stderr, "openbits-host: /service is for the service manager (error %lu)\n", GetLastError());
    return 1;
}

/* Asks a running host to exit and waits until it has (at most 30 s). */
static int stop_host(void)
{
    HANDLE stop = OpenEventW(EVENT_MODIFY_STATE, FALSE, STOP_EVENT);
    HANDLE running = OpenMutexW(SYNCHRONIZE, FALSE, RUNNING_MUTEX);
    DWORD wait = WAIT_OBJECT_0;

    if (stop) SetEvent(stop);
    if (running) wait = WaitForSingleObject(running, 30000);
    if (running) CloseHandle(running);
    if (stop) CloseHandle(stop);
    return wait == WAIT_OBJECT_0 || wait == WAIT_ABANDONED ? 0 : 1;
}

static int takeover(BOOL install)
{
    HRESULT hr;

    if (!load_dll())
    {
        fprintf(stderr, "openbits-host: cannot load openbits.dll beside it\n");
        return 1;
    }
    hr = dll_install(install, L"bits");
    if (hr == S_FALSE)
        printf(install ? "openbits already answers for Microsoft's BITS CLSIDs.\n"
                       : "The BITS takeover is not installed.\n");
    else if (SUCCEEDED(hr))
        printf(install ? "openbits now answers for Microsoft's BITS CLSIDs (undo: openbits-host /uninstall-as-bits).\n"
                       : "Microsoft's BITS registration is restored.\n");
    else
        fprintf(stderr, "openbits-host: %s failed: 0x%08lx\n", install ? "/install-as-bits" : "/uninstall-as-bits",
                (unsigned long)hr);
    return FAILED(hr) ? 1 : 0;
}

int wmain(int argc, WCHAR **argv)
{
    const WCHAR *verb = argc > 1 ? argv[1] : L"";

    if (!*verb || !lstrcmpiW(verb, L"-Embedding") || !lstrcmpiW(verb, L"/Embedding")) return serve();
    if (!lstrcmpiW(verb, L"/stop")) return stop_host();
    if (!lstrcmpiW(verb, L"/service")) return run_service();
    if (!lstrcmpiW(verb, L"/install-as-bits")) return takeover(TRUE);
    if (!lstrcmpiW(verb, L"/uninstall-as-bits")) return takeover(FALSE);
    fprintf(stderr, "usage: openbits-host [-Embedding | /stop | /service | /install-as-bits | /uninstall-as-bits]\n");
    return 2;
}

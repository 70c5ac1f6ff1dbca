/* openbits-admin: the usage text (/help, /?, /util /help, usage errors). */
#include "admin.h"

static const char usage_text[] =
    "Usage: openbits-admin <command> [<command> ...]\n"
    "\n"
    "A bitsadmin-compatible command line for openbits. Verbs and switches are\n"
    "case-insensitive; <job> is a job's display name or its {GUID}. Several\n"
    "commands on one line run in order, in one process.\n"
    "\n"
    "Transfers\n"
    "  /transfer <name> [/download | /upload | /upload-reply] [/priority <p>]\n"
    "            <remote> <local> [<remote> <local> ...]\n"
    "                        create a job, add the files, transfer them with a live\n"
    "                        progress display, then complete the job\n"
    "  /create [/download | /upload | /upload-reply] <name>\n"
    "  /addfile <job> <remote> <local>\n"
    "  /resume <job>   /suspend <job>   /cancel <job>   /complete <job>\n"
    "  /wait <job>             (openbits) show progress until the job is\n"
    "                        TRANSFERRED (exit 0) or in ERROR (exit 1)\n"
    "\n"
    "Queries\n"
    "  /info <job> [/verbose]   /listfiles <job>\n"
    "  /getstate  /gettype  /getbytestotal  /getbytestransferred  /getfilestotal\n"
    "  /getfilestransferred  /getcreationtime  /getmodificationtime\n"
    "  /getcompletiontime  /geterror  /geterrorcount  /getowner  /getdisplayname\n"
    "  /getdescription  /getpriority  /getnotifyflags  /getnotifyinterface\n"
    "  /getminretrydelay  /getnoprogresstimeout  /getproxyusage  /getproxylist\n"
    "  /getproxybypasslist  /getnotifycmdline  /getreplyfilename\n"
    "  /getreplyprogress                                   (each takes <job>)\n"
    "\n"
    "Settings\n"
    "  /setpriority <job> FOREGROUND|HIGH|NORMAL|LOW\n"
    "  /setnotifyflags <job> <flags>      /setminretrydelay <job> <seconds>\n"
    "  /setnoprogresstimeout <job> <seconds>\n"
    "  /setdisplayname <job> <name>       /setdescription <job> <text>\n"
    "  /setnotifycmdline <job> <program>|NULL <parameters>|NULL\n"
    "  /setreplyfilename <job> <path>     /takeownership <job>\n"
    "  /setproxysettings <job> PRECONFIG|NO_PROXY|AUTODETECT\n"
    "  /setproxysettings <job> OVERRIDE <proxies> [<bypass>|NULL]\n"
    "  /setcredentials <job> SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE|PASSPORT <user> <password>\n"
    "  /removecredentials <job> SERVER|PROXY <scheme>\n"
    "\n"
    "Delivery Optimization (IDOManager/IDODownload; <id> is the download's {GUID})\n"
    "  /do_download <url> <local>   download with a live status line, then finalize\n"
    "  /do_start <url> <local>      start a download and print its <id>\n"
    "  /do_status <id>   /do_wait <id>   /do_finalize <id>   /do_abort <id>\n"
    "  /do_list                     the caller's downloads\n"
    "\n"
    "The queue\n"
    "  /list [/allusers] [/verbose]       /reset [/allusers]   (cancels every job)\n"
    "  /monitor [/allusers] [/refresh <seconds>]\n"
    "  /util /help   /util /version   /help   /?\n"
    "\n"
    "Jobs live in openbits-host's shared queue: they outlive the command, and a\n"
    "later command (another process) finds them by name or {GUID}, e.g.\n"
    "  openbits-admin /create j      openbits-admin /addfile j <url> <file>\n"
    "  openbits-admin /resume j      openbits-admin /wait j /complete j\n"
    "A leading /inproc uses a private in-process queue instead: a command sees\n"
    "only jobs created earlier on its own command line, and jobs still there at\n"
    "exit are cancelled (their files could never be completed).\n"
    "\n"
    "Exit codes: 0 success; 1 a job failed or a call returned an error (its code\n"
    "and description are printed); 2 bad command line (nothing was done); 3 no\n"
    "such job, or an ambiguous name; 4 openbits is not\n"
    "registered; 5 interrupted (the transfer's job was cancelled).\n";

void admin_print_usage(FILE *to)
{
    fputs(usage_text, to);
    fflush(to);
}

void admin_print_version(BOOL verbose)
{
    printf("openbits-admin %s (BITS 1.5 interfaces: IBackgroundCopyManager, IBackgroundCopyJob2)\n",
           OPENBITS_ADMIN_VERSION);
    if (verbose) printf("COM class: OpenBits.BackgroundCopyManager, in-process (openbits.dll)\n");
}

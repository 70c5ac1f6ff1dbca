/* Run by test_notify_com as a job's notification command line:
 *   notify_cmd_helper.exe OUTPUT RUNS [WORDS...]
 * appends one line (the WORDS, space-separated, UTF-8) to OUTPUT and exits 0
 * once OUTPUT holds RUNS lines, 1 before that (to test the documented rerun of
 * a program that fails). */
#include <windows.h>
#include <shellapi.h>
#include <stdlib.h>
#include <string.h>

static char *utf8(const WCHAR *text)
{
    int size = WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL);
    char *out = malloc(size);
    WideCharToMultiByte(CP_UTF8, 0, text, -1, out, size, NULL, NULL);
    return out;
}

static DWORD count_lines(HANDLE file)
{
    char buffer[4096];
    DWORD read, lines = 0, i;
    SetFilePointer(file, 0, NULL, FILE_BEGIN);
    while (ReadFile(file, buffer, sizeof(buffer), &read, NULL) && read)
        for (i = 0; i < read; i++) lines += buffer[i] == '\n';
    return lines;
}

int main(void)
{
    char line[8192] = "";
    WCHAR **argv;
    HANDLE file;
    DWORD written, lines;
    int argc, i;

    argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    if (!argv || argc < 3) return 2;
    for (i = 3; i < argc; i++)
    {
        char *word = utf8(argv[i]);
        if (i > 3) strcat(line, " ");
        strncat(line, word, sizeof(line) - strlen(line) - 2);
        free(word);
    }
    strcat(line, "\n");
    file = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_ALWAYS, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return 3;
    SetFilePointer(file, 0, NULL, FILE_END);
    WriteFile(file, line, strlen(line), &written, NULL);
    lines = count_lines(file);
    CloseHandle(file);
    return lines < wcstoul(argv[2], NULL, 10) ? 1 : 0;
}

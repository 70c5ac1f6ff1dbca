/* Local paths: the one place that splits a path into its directory and leaf,
 * and that creates files whose name must be ours alone.  Windows takes both
 * '\' and '/' as separators; a name accepted by the engine is normalised once
 * (ob_path_normalize) and keeps only '\' from then on. */
#ifndef OB_PATH_H
#define OB_PATH_H

#include <windows.h>

BOOL ob_path_is_separator(WCHAR c);
/* A heap copy with every '/' turned into '\' (free with ob_str_free). */
WCHAR *ob_path_normalize(const WCHAR *path);
/* What follows the last separator (the whole path if there is none). */
const WCHAR *ob_path_leaf(const WCHAR *path);
/* Characters before the leaf: the directory with its trailing separator
 * ("C:\dir\" of "C:\dir\f.bin", "C:\" of "C:\f.bin"); 0 if there is none. */
size_t ob_path_dir_len(const WCHAR *path);
/* A heap copy of that directory, trailing separator kept; NULL if there is
 * none or on no memory. */
WCHAR *ob_path_dir(const WCHAR *path);

/* The room a directory must leave for the temporary files made in it (as
 * GetTempFileName documents it: a directory of at most MAX_PATH - 14). */
#define OB_PATH_TEMP_DIR_MAX (MAX_PATH - 14)

/* Creates "<dir of beside><prefix>XXXX<ext>" with a free XXXX, exclusively
 * (CREATE_NEW: an existing file is never opened, let alone replaced); *out is
 * its name (heap).  ERROR_FILENAME_EXCED_RANGE if it would not fit MAX_PATH. */
HRESULT ob_path_create_unique(const WCHAR *beside, const WCHAR *prefix, const WCHAR *ext, WCHAR **out);
/* Whether a file can be created in the directory of `path`: creates and
 * deletes a temporary file there.  E_ACCESSDENIED for a directory that
 * refuses writes (access denied, write-protected); the Win32 error
 * otherwise. */
HRESULT ob_path_check_writable(const WCHAR *path);

/* The engine's file-system calls on names, each first checking that the
 * calling thread holds no engine lock (lock.h): Win32's GetFileAttributes,
 * GetFileAttributesEx, CreateFile (no security attributes, no template),
 * DeleteFile and MoveFileEx(MOVEFILE_REPLACE_EXISTING), with their
 * GetLastError. */
DWORD ob_path_attributes(const WCHAR *path);
BOOL ob_path_attributes_ex(const WCHAR *path, WIN32_FILE_ATTRIBUTE_DATA *out);
HANDLE ob_path_open(const WCHAR *path, DWORD access, DWORD share, DWORD disposition, DWORD flags);
BOOL ob_path_delete(const WCHAR *path);
BOOL ob_path_move(const WCHAR *from, const WCHAR *to);
/* The same, MOVEFILE_WRITE_THROUGH too: returns once the rename is on disk. */
BOOL ob_path_replace(const WCHAR *from, const WCHAR *to);
/* Creates every missing directory of path's directory part (what comes
 * before its last separator), from the first below the drive's root:
 * "C:\a\b\f.bin" and "C:\a\b\" both make C:\a and C:\a\b.  S_OK when they
 * all exist afterwards; otherwise the first failure. */
HRESULT ob_path_create_dirs(const WCHAR *path);
/* TRUE if path no longer exists (file or path not found). */
BOOL ob_path_is_gone(const WCHAR *path);
/* The one exception to the rule: Complete and Cancel rename and delete the
 * job's own temporary files under its lock, so that the state change and
 * the files agree (metadata operations, never data). */
BOOL ob_path_move_under_lock(const WCHAR *from, const WCHAR *to);
BOOL ob_path_delete_under_lock(const WCHAR *path);

#endif

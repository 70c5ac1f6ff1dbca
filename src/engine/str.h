/* Heap strings owned by the engine. */
#ifndef OB_STR_H
#define OB_STR_H

#include <windows.h>

WCHAR *ob_str_dup(const WCHAR *s);
/* Like ob_str_dup, but NULL in gives NULL out without it being an error. */
HRESULT ob_str_dup_opt(const WCHAR *s, WCHAR **out);
void ob_str_free(WCHAR *s);
/* Overwrites the characters before freeing: for passwords and user names. */
void ob_str_wipe(WCHAR *s);
/* Replaces *slot with a copy of s (NULL allowed); the old value is freed. */
HRESULT ob_str_replace(WCHAR **slot, const WCHAR *s);

#endif

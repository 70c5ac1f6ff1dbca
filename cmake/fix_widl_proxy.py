#!/usr/bin/env python3
"""Fixes one widl 7.0 bug in an -Oif proxy file, in place.

For an [out] pointer-to-pointer parameter (e.g. [out] LPWSTR *) that the stub
allocates on its stack, widl 7 writes the flags "must size, must free, out,
srv size=8" without "simple ref" and a type offset that points at the
pointee (the string pointer) instead of the FC_RP in front of it.  The
interpreter then marshals a NULL string (measured under Wine 8:
tests/com/test_proxy_strings.c).  The FC_RP is the 4 bytes before the
pointee; the parameter's type offset is moved back onto it, after checking
that those bytes really are FC_RP [allocated_on_stack] [pointer_deref] with
offset 2."""
import re
import sys

path = sys.argv[1]
text = open(path).read()

# "/* 2 (LPWSTR *) */" followed by "0x11, 0x14, ... NdrFcShort(0x2)"
ref_to_next = set(int(m.group(1)) for m in re.finditer(
    r'/\* (\d+) \([^)]*\) \*/\s*0x11, 0x14,[^\n]*\n\s*NdrFcShort\(0x2\)', text))

def fix(m):
    offset = int(m.group(2), 16)
    if offset - 4 not in ref_to_next:
        return m.group(0)
    return '%sNdrFcShort(0x%x),\t/* type offset = %d (fixed: the FC_RP) */' % (m.group(1), offset - 4, offset - 4)

fixed, count = re.subn(
    r'(NdrFcShort\(0x2013\),[^\n]*\n\s*NdrFcShort\(0x[0-9a-f]+\),[^\n]*\n\s*)NdrFcShort\(0x([0-9a-f]+)\),[^\n]*',
    fix, text)
open(path, 'w').write(fixed)

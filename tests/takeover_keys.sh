#!/usr/bin/env bash
# Exports every registry key the BITS takeover touches (bits-semantics.md
# section 5) with Wine's own `reg export`, to compare before and after:
#   takeover_keys.sh <wine-run.sh> <out-file>
# A key that does not exist is written as "absent".  Output is one file.
set -u
run=$1 out=$2
tmp=$(mktemp -d)
: > "$out"
keys=(
  'HKLM\Software\Classes\CLSID\{4991D34B-80A1-4291-83B6-3328366B9097}'
  'HKLM\Software\Classes\CLSID\{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}'
  'HKLM\Software\Classes\CLSID\{6D18AD12-BDE3-4393-B311-099C346E6DF9}'
  'HKLM\Software\Classes\CLSID\{03CA98D6-FF5D-49B8-ABC6-03DD84127020}'
  'HKLM\Software\Classes\CLSID\{659CDEA7-489E-11D9-A9CD-000D56965251}'
  'HKLM\Software\Classes\CLSID\{BB6DF56B-CACE-11DC-9992-0019B93A3A84}'
  'HKLM\Software\Classes\CLSID\{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}'
  'HKLM\Software\Classes\CLSID\{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}'
  'HKLM\Software\Classes\CLSID\{4575438F-A6C8-4976-B0FE-2F26B80D959E}'
  'HKLM\Software\Classes\CLSID\{5FD42AD5-C04E-4D36-ADC7-E08FF15737AD}'
  'HKLM\Software\Classes\AppID\{69AD4AEE-51BE-439B-A92C-86AE490E8B30}'
  'HKLM\Software\Classes\Interface\{19C613A0-FCB8-4F28-81AE-897C3D078F81}'
)
i=0
for key in "${keys[@]}"; do
  i=$((i + 1))
  win="Z:$(printf %s "$tmp/k$i.reg" | tr / '\\')"
  echo "== $key" >> "$out"
  if "$run" reg export "$key" "$win" /y > /dev/null 2>&1 && [ -s "$tmp/k$i.reg" ]; then
    cat "$tmp/k$i.reg" >> "$out"
  else
    echo absent >> "$out"
  fi
done
rm -rf "$tmp"

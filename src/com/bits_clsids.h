/* Microsoft's BITS manager CLSIDs that the opt-in takeover answers for
 * (bits-semantics.md section 5): 1.0 and 1.5 to 3.0 from MinGW's headers,
 * 4.0, 5.0 and 10.1 to 10.3 from Microsoft's documentation and SDK (MinGW
 * lacks them).  Shared by the takeover (takeover.c) and openbits-host.exe. */
#ifndef OB_BITS_CLSIDS_H
#define OB_BITS_CLSIDS_H

#define OB_BITS_CLSID_1_0 L"{4991D34B-80A1-4291-83B6-3328366B9097}"

static const WCHAR *const ob_bits_clsids[] = {
    OB_BITS_CLSID_1_0,                         /* CLSID_BackgroundCopyManager */
    L"{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}", /* BackgroundCopyManager1_5 */
    L"{6D18AD12-BDE3-4393-B311-099C346E6DF9}", /* BackgroundCopyManager2_0 */
    L"{03CA98D6-FF5D-49B8-ABC6-03DD84127020}", /* BackgroundCopyManager2_5 */
    L"{659CDEA7-489E-11D9-A9CD-000D56965251}", /* BackgroundCopyManager3_0 */
    L"{BB6DF56B-CACE-11DC-9992-0019B93A3A84}", /* BackgroundCopyManager4_0 */
    L"{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}", /* BackgroundCopyManager5_0 */
    L"{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}", /* BackgroundCopyManager10_1 */
    L"{4575438F-A6C8-4976-B0FE-2F26B80D959E}", /* BackgroundCopyManager10_2 */
    L"{5FD42AD5-C04E-4D36-ADC7-E08FF15737AD}", /* BackgroundCopyManager10_3 */
};

/* openbits-host's AppID (LocalServer32 activation). */
#define OB_HOST_APPID L"{F4C076F6-9430-477F-9811-075AB08F691D}"
#define OB_HOST_EXE   L"openbits-host.exe"
/* Where the takeover keeps what it replaced; its presence means "installed". */
#define OB_TAKEOVER_KEY L"Software\\OpenBits\\Takeover"

#endif

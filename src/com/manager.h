/* The manager object (manager.c): IBackgroundCopyManager of a flavour, and
 * for DO also IDOManager (do_manager.c), one COM identity. */
#ifndef OB_MANAGER_H
#define OB_MANAGER_H

#include "com_private.h"

typedef struct manager {
    IBackgroundCopyManager IBackgroundCopyManager_iface;
    IDOManager IDOManager_iface;       /* answered by QueryInterface for DO only */
    LONG refs;
    const ob_flavour *flavour;
} manager;

extern const IDOManagerVtbl ob_do_manager_vtbl;

#endif

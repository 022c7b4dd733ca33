/* ufs.c - the module's local storage, backed by a folder of the host (--ufs DIR).
 * GSM 2.2.8 <type> 4 names "/UFS/", "/RAM/" and "/SD/"; the BG96 FILE commands name
 * UFS files bare or "UFS:name", RAM files "RAM:name" (device-quirks.md "Local names"). */
#include <stdio.h>
#include <string.h>

#include "sim.h"

bool sim_ufs_path(const char *dir, sim_area area, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    if (n == 0 || n > 80 || strchr(name, '/') || strchr(name, '\\') || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0)
        return false;
    static const char *const sub[] = {"", "RAM/", "SD/"};
    int k = snprintf(out, cap, "%s/%s%s", dir, sub[area], name);
    return k > 0 && (size_t)k < cap;
}

void sim_ufs_split_bg96(const char *local, sim_area *area, const char **name)
{
    *area = SIM_AREA_UFS;
    *name = local;
    if (strncmp(local, "UFS:", 4) == 0) {
        *name = local + 4;
    } else if (strncmp(local, "RAM:", 4) == 0) {
        *area = SIM_AREA_RAM;
        *name = local + 4;
    } else if (strncmp(local, "SD:", 3) == 0) {
        *area = SIM_AREA_SD;
        *name = local + 3;
    }
}

unsigned sim_ufs_checksum_update(unsigned cs, uint64_t *pos, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++, (*pos)++)
        cs ^= (*pos & 1) ? b[i] : (unsigned)b[i] << 8;
    return cs & 0xffff;
}

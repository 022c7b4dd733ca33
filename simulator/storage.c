/* storage.c - the simulated module's local storage (UFS, RAM, SD folders under --ufs) and
 * its commands: AT+QFUPL, AT+QFDWL, AT+QFLST, AT+QFDEL, AT+QFOPEN, AT+QFREAD, AT+QFCLOSE.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module.h"

/* ---- storage ------------------------------------------------------------------------------ */

/* Calls fn on each regular file of the area whose name matches pattern. */
static void each_stored(sim_module *m, sim_area area, const char *pattern,
                        void (*fn)(sim_module *m, sim_area area, const char *path, const char *name,
                                   const struct stat *st))
{
    char dir[PATH_CAP];
    snprintf(dir, sizeof dir, "%s%s", m->o.ufs_dir,
             area == SIM_AREA_RAM  ? "/RAM"
             : area == SIM_AREA_SD ? "/SD"
                                   : "");
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        char p[PATH_CAP * 2];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode) || fnmatch(pattern, de->d_name, 0) != 0)
            continue;
        fn(m, area, p, de->d_name, &st);
    }
    closedir(d);
}

static void add_size(sim_module *m, sim_area area, const char *path, const char *name,
                     const struct stat *st)
{
    (void)area, (void)path, (void)name;
    m->storage_used += st->st_size;
}

int64_t sim_storage_free(sim_module *m, sim_area area)
{
    m->storage_used = 0;
    each_stored(m, area, "*", add_size);
    int64_t left = m->o.storage[area] - m->storage_used;
    return left > 0 ? left : 0;
}

static int64_t size_value(const char *s, char **end)
{
    errno = 0;
    double v = strtod(s, end);
    int64_t mul = 1;
    if (**end == 'k' || **end == 'K')
        mul = 1024;
    else if (**end == 'M')
        mul = 1024 * 1024;
    else if (**end == 'G')
        mul = 1024 * 1024 * 1024;
    if (mul > 1)
        (*end)++;
    if (errno || *end == s || v < 0 || v * (double)mul > 1e15)
        return -1;
    return (int64_t)(v * (double)mul);
}

int sim_storage_parse(const char *spec, int64_t sizes[3], char *errbuf)
{
    static const char *const names[3] = {"UFS", "RAM", "SD"};
    const char *p = spec;
    while (*p) {
        int a = -1;
        for (int k = 0; k < 3; k++)
            if (g_ascii_strncasecmp(p, names[k], strlen(names[k])) == 0 &&
                p[strlen(names[k])] == '=')
                a = k;
        char *end = NULL;
        int64_t v = a < 0 ? -1 : size_value(p + strlen(names[a]) + 1, &end);
        if (v < 0 || (*end && (*end != ',' || !end[1]))) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE,
                     "--storage %s: expected AREA=SIZE[,...] with AREA UFS, RAM or SD and SIZE "
                     "bytes (k, M, G: x1024)",
                     spec);
            return -1;
        }
        sizes[a] = v;
        p = *end ? end + 1 : end;
    }
    return 0;
}

FILE *sim_ufs_open(sim_module *m, sim_area area, const char *name, const char *mode)
{
    char path[PATH_CAP];
    if (!sim_ufs_path(m->o.ufs_dir, area, name, path, sizeof path))
        return NULL;
    if (area != SIM_AREA_UFS) {
        char d[PATH_CAP];
        snprintf(d, sizeof d, "%s/%s", m->o.ufs_dir, area == SIM_AREA_RAM ? "RAM" : "SD");
        mkdir(d, 0777);
    }
    return fopen(path, mode);
}

int64_t sim_file_size(FILE *f)
{
    struct stat st;
    return fstat(fileno(f), &st) == 0 ? (int64_t)st.st_size : -1;
}

/* ---- AT+QFUPL / AT+QFDWL / storage commands ------------------------------------------------- */

void sim_qfupl_end(sim_module *m, qftp_data_end_reason why)
{
    bool failed = m->qfupl_left < 0;
    fclose(m->qfupl);
    m->qfupl = NULL;
    if (why == QFTP_DATA_END_INACTIVITY && m->qfupl_total == 0) {
        sim_final_cme(m, 421); /* "time out" */
        return;
    }
    if (failed) {
        sim_final_cme(m, m->qfupl_full ? 420 : 409);
        return;
    }
    sim_info_named(m, "+QFUPL", "%lld,%x", (long long)m->qfupl_total, m->qfupl_cs);
    sim_final_word(m, "OK");
}

int sim_cmd_qfupl(sim_module *m, const qftp_subcmd *c)
{
    char name[NAME_CAP];
    int64_t size = 10240, tmo = 5;
    sim_area area;
    const char *fname = sim_stored_name(c, 0, name, sizeof name, &area);
    sim_pint(c, 1, &size);
    sim_pint(c, 2, &tmo);
    char path[PATH_CAP];
    if (!sim_ufs_path(m->o.ufs_dir, area, fname, path, sizeof path))
        return 406;
    if (access(path, F_OK) == 0)
        return 407; /* "file already exist" */
    int64_t room = sim_storage_free(m, area);
    if (size > room)
        return 420; /* "no space" (the FILE commands' codes) */
    m->qfupl = sim_ufs_open(m, area, fname, "wb");
    if (!m->qfupl)
        return 409;
    m->qfupl_cs = 0;
    m->qfupl_pos = 0;
    m->qfupl_total = 0;
    m->qfupl_left = size;
    m->qfupl_room = room;
    m->qfupl_full = false;
    sim_out_raw(m, "\r\nCONNECT\r\n", 11);
    m->info_open = false;
    qftp_data_mode dm;
    qftp_data_mode_init(&dm);
    dm.expect_len = size;
    dm.end_on_length = true;
    dm.inactivity = tmo * QFTP_NS_PER_SEC;
    sim_set_dm(m, DM_UPLOAD);
    qftp_parser_enter_data(m->tx, &dm);
    return RES_DONE;
}

int sim_cmd_qfdwl(sim_module *m, const qftp_subcmd *c)
{
    char name[NAME_CAP];
    sim_area area;
    const char *fname = sim_stored_name(c, 0, name, sizeof name, &area);
    FILE *f = sim_ufs_open(m, area, fname, "rb");
    if (!f)
        return 405;
    int64_t n = sim_file_size(f);
    char hdr[64];
    int k = snprintf(hdr, sizeof hdr, "\r\nCONNECT %lld\r\n", (long long)n);
    sim_out_raw(m, hdr, (size_t)k);
    unsigned cs = 0;
    uint64_t pos = 0;
    uint8_t buf[8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        cs = sim_ufs_checksum_update(cs, &pos, buf, got);
        sim_out_raw(m, buf, got);
    }
    fclose(f);
    m->info_open = false;
    sim_info_named(m, "+QFDWL", "%lld,%x", (long long)n, cs);
    return RES_OK;
}

static void list_one(sim_module *m, sim_area area, const char *path, const char *name,
                     const struct stat *st)
{
    (void)path;
    sim_info_named(m, "+QFLST", "\"%s%s\",%lld", area == SIM_AREA_RAM ? "RAM:" : "", name,
                   (long long)st->st_size);
}

static void delete_one(sim_module *m, sim_area area, const char *path, const char *name,
                       const struct stat *st)
{
    (void)m, (void)area, (void)name, (void)st;
    unlink(path);
}

int sim_cmd_qflst(sim_module *m, const qftp_subcmd *c)
{
    char pat[NAME_CAP] = "*";
    sim_area area = SIM_AREA_UFS;
    const char *p = pat;
    if (c->type == QFTP_TYPE_WRITE)
        p = sim_stored_name(c, 0, pat, sizeof pat, &area);
    each_stored(m, area, p, list_one);
    return RES_OK;
}

int sim_cmd_qfdel(sim_module *m, const qftp_subcmd *c)
{
    char name[NAME_CAP];
    sim_area area;
    const char *fname = sim_stored_name(c, 0, name, sizeof name, &area);
    if (strcmp(fname, "*") == 0) {
        each_stored(m, area, "*", delete_one);
        return RES_OK;
    }
    char path[PATH_CAP];
    if (!sim_ufs_path(m->o.ufs_dir, area, fname, path, sizeof path))
        return 406;
    if (unlink(path) != 0)
        return errno == ENOENT ? 405 : 418;
    return RES_OK;
}

int sim_cmd_qfopen(sim_module *m, const qftp_subcmd *c)
{
    char name[NAME_CAP];
    int64_t mode = 0;
    sim_area area;
    const char *fname = sim_stored_name(c, 0, name, sizeof name, &area);
    sim_pint(c, 1, &mode);
    static const char *const modes[] = {"a+b", "w+b", "rb"};
    FILE *f = sim_ufs_open(m, area, fname, modes[mode]);
    if (!f)
        return mode == 2 ? 405 : 410;
    if (mode == 0)
        fseek(f, 0, SEEK_SET);
    for (int i = 1; i < 8; i++) {
        if (!m->handles[i]) {
            m->handles[i] = f;
            sim_info_named(m, "+QFOPEN", "%d", i);
            return RES_OK;
        }
    }
    fclose(f);
    return 413;
}

static FILE *handle(sim_module *m, const qftp_subcmd *c)
{
    int64_t h;
    if (!sim_pint(c, 0, &h) || h <= 0 || h >= 8)
        return NULL;
    return m->handles[h];
}

int sim_cmd_qfread(sim_module *m, const qftp_subcmd *c)
{
    FILE *f = handle(m, c);
    if (!f)
        return 416;
    int64_t len = -1;
    sim_pint(c, 1, &len);
    long here = ftell(f);
    int64_t left = sim_file_size(f) - (here < 0 ? 0 : here);
    if (len < 0 || len > left)
        len = left < 0 ? 0 : left;
    char hdr[64];
    int k = snprintf(hdr, sizeof hdr, "\r\nCONNECT %lld\r\n", (long long)len);
    sim_out_raw(m, hdr, (size_t)k);
    uint8_t buf[8192];
    int64_t done = 0;
    while (done < len) {
        size_t want = (size_t)(len - done) < sizeof buf ? (size_t)(len - done) : sizeof buf;
        size_t got = fread(buf, 1, want, f);
        if (got == 0)
            break;
        sim_out_raw(m, buf, got);
        done += (int64_t)got;
    }
    m->info_open = false;
    return RES_OK;
}

int sim_cmd_qfclose(sim_module *m, const qftp_subcmd *c)
{
    int64_t h;
    if (!sim_pint(c, 0, &h) || h <= 0 || h >= 8 || !m->handles[h])
        return 416;
    fclose(m->handles[h]);
    m->handles[h] = NULL;
    return RES_OK;
}

/*
 * replay_main.c — runs a fuzz target over every file of a corpus directory, so that
 * ordinary (non-libFuzzer) builds replay the corpus as a regression test.
 *
 * Usage: replay_<target> DIR. Files are run in sorted order so failures reproduce the same
 * way everywhere. Exits 1 when DIR is missing, unreadable or holds no regular file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a whole file; *out is malloc'ed (non-NULL even for an empty file). */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 1;
    }
    struct dirent **names = NULL;
    int count = scandir(argv[1], &names, NULL, alphasort);
    if (count < 0) {
        fprintf(stderr, "%s: cannot read directory %s\n", argv[0], argv[1]);
        return 1;
    }
    int ran = 0, failed = 0;
    for (int i = 0; i < count; i++) {
        char path[4096];
        int w = snprintf(path, sizeof path, "%s/%s", argv[1], names[i]->d_name);
        struct stat st;
        if (w > 0 && (size_t)w < sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            uint8_t *data;
            size_t len;
            if (read_file(path, &data, &len) == 0) {
                LLVMFuzzerTestOneInput(data, len);
                free(data);
                ran++;
            } else {
                fprintf(stderr, "%s: cannot read %s\n", argv[0], path);
                failed++;
            }
        }
        free(names[i]);
    }
    free(names);
    printf("replayed %d inputs from %s\n", ran, argv[1]);
    if (ran == 0) {
        fprintf(stderr, "%s: no inputs in %s\n", argv[0], argv[1]);
        return 1;
    }
    return failed ? 1 : 0;
}

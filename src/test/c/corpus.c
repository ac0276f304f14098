#define _GNU_SOURCE
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct corpus_file *)a)->name, ((const struct corpus_file *)b)->name);
}

static int read_file(const char *dir, struct corpus_file *f)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, f->name) >= (int)sizeof(path))
		return ENAMETOOLONG;
	FILE *in = fopen(path, "rb");
	if (in == NULL)
		return errno;
	int err = 0;
	long size = fseek(in, 0, SEEK_END) == 0 ? ftell(in) : -1;
	if (size < 0 || fseek(in, 0, SEEK_SET) != 0)
		err = errno;
	else
		f->len = (size_t)size;
	/* Room for at least one byte: an empty file is a valid input too. */
	if (err == 0 && (f->data = malloc(f->len + 1)) == NULL)
		err = ENOMEM;
	if (err == 0 && fread(f->data, 1, f->len, in) != f->len)
		err = EIO;
	if (fclose(in) != 0 && err == 0)
		err = errno;
	if (err != 0)
		fprintf(stderr, "corpus: %s: %s\n", path, strerror(err));
	return err;
}

int corpus_load(const char *dir, struct corpus *c)
{
	memset(c, 0, sizeof(*c));
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "corpus: %s: %s\n", dir, strerror(errno));
		return errno;
	}
	int err = 0;
	size_t capacity = 0;
	struct dirent *e;
	while (err == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (c->count == capacity) {
			capacity = capacity ? 2 * capacity : 64;
			struct corpus_file *grown = realloc(c->files, capacity * sizeof(*grown));
			if (grown == NULL) {
				err = ENOMEM;
				break;
			}
			c->files = grown;
		}
		struct corpus_file *f = &c->files[c->count];
		memset(f, 0, sizeof(*f));
		c->count++;
		if (snprintf(f->name, sizeof(f->name), "%s", e->d_name) >= (int)sizeof(f->name))
			err = ENAMETOOLONG;
		else
			err = read_file(dir, f);
	}
	if (closedir(d) != 0 && err == 0)
		err = errno;
	if (err != 0) {
		corpus_free(c);
		return err;
	}
	qsort(c->files, c->count, sizeof(*c->files), by_name);
	return 0;
}

void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->files[i].data);
	free(c->files);
	memset(c, 0, sizeof(*c));
}

const struct corpus_file *corpus_find(const struct corpus *c, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < c->count; i++) {
		const char *f = c->files[i].name;
		if (strncmp(f, name, len) == 0 && f[len] == '-' && strlen(f + len + 1) == 16)
			return &c->files[i];
	}
	return NULL;
}

#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "xalloc.h"

int fs_mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

void fs_remove_tree(const char *path)
{
	/* O_NOFOLLOW: a link is removed, never what it points to (as
	 * rm -r and nftw's FTW_PHYS do). */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		(void)unlink(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", path, de->d_name);
		fs_remove_tree(p);
		free(p);
	}
	closedir(d);
	(void)rmdir(path);
}

char *fs_slurp(const char *path, size_t *len_out, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct buf b;
	char chunk[65536];
	ssize_t n;

	if (fd < 0) {
		err_set(e, errno, _("cannot read %s: %s"), path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, errno, _("cannot read %s: %s"), path, strerror(errno));
			close(fd);
			buf_reset(&b);
			return NULL;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	return buf_steal(&b, len_out);
}

int fs_sync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (dfd < 0)
		return errno;
	if (fsync(dfd) != 0)
		rc = errno;
	close(dfd);
	return rc;
}

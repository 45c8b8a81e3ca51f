#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int err_set(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	e->errnum = errnum;
	return -1;
}

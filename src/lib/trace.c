#include "trace.h"

const char *trace_dir_name(enum trace_dir d)
{
	switch (d) {
	case TRACE_DIR_IN:
		return "in";
	case TRACE_DIR_OUT:
		return "out";
	case TRACE_DIR_NONE:
		break;
	}
	return "none";
}

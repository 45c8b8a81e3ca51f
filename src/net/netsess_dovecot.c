/*
 * netsess_dovecot: mail.log lines of Dovecot's master process for the
 * listener's Dovecot services (reference/logs/dovecot-master.log): its
 * start, reload, kill and process-limit warnings. Dovecot writes its own
 * syslog format ("dovecot: master: ..."), not Postfix's NAME[PID].
 */
#include "net/netsess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mda/pop3_server.h"
#include "mta/host.h"

void netsess_dovecot_log(struct host *h, mtime_t now, const char *text)
{
	char *line = pop3_server_syslog_line(now, host_log_name(h), text);
	char *path = host_path(h, "var/log/mail.log");
	FILE *f = fopen(path, "a");
	struct trace_event ev;

	if (f != NULL) {
		fputs(line, f);
		fclose(f);
	}
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = h->name;
	ev.process = "dovecot";
	ev.protocol = "log";
	ev.text = text;
	trace_emit(&h->trace, &ev);
	free(path);
	free(line);
}

/*
 * submit: what sendmail(1) and mail(1) share: reading the message from
 * standard input (a lone "." ends it unless -i), extracting recipients
 * from To:, Cc: and Bcc: (sendmail -t; Bcc: is then removed), and the
 * hand-over to postdrop on the lab host (sim_sendmail).
 */
#ifndef MAILLAB_SUBMIT_H
#define MAILLAB_SUBMIT_H

#include <stdio.h>

/* The message from f with LF line ends; caller frees. */
char *submit_read(FILE *f, int ignore_dots);
/* Adds the To/Cc/Bcc addresses of msg to *rcpts (NULL-terminated,
 * *n entries); removes Bcc: lines from msg in place. */
void submit_extract(char *msg, char ***rcpts, size_t *n);

#endif

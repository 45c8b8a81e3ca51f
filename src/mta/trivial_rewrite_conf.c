/*
 * trivial-rewrite's parameters from a host's main.cf (the Postfix 3.7
 * defaults apply to what main.cf does not set). See trivial_rewrite.h.
 */
#include "mta/trivial_rewrite.h"

#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"
#include "lib/xalloc.h"
#include "mta/host.h"

static char *get(struct host *h, const char *name, const char *def)
{
	const char *v = conf_get(h->conf, name);

	return xstrdup(v != NULL ? v : def);
}

static char **list(struct host *h, const char *name)
{
	const char *v = conf_get(h->conf, name);

	return conf_split_list(v != NULL ? v : "");
}

void trivial_rewrite_conf_load(struct trivial_rewrite_conf *c, struct host *h)
{
	const char *hn = host_myhostname(h);
	const char *dot = strchr(hn, '.');

	trivial_rewrite_conf_reset(c);
	c->host = h;
	c->myhostname = xstrdup(hn);
	/* mydomain's default is myhostname without its first label. */
	if (conf_is_set(h->conf, "mydomain"))
		c->mydomain = get(h, "mydomain", "");
	else
		c->mydomain = xstrdup(dot != NULL ? dot + 1 : "localdomain");
	c->myorigin = xstrdup(host_myorigin(h));
	c->remote_rewrite_domain = get(h, "remote_header_rewrite_domain", "");
	c->append_at_myorigin = conf_get_bool(h->conf, "append_at_myorigin");
	c->append_dot_mydomain = conf_get_bool(h->conf, "append_dot_mydomain");
	c->mydestination = list(h, "mydestination");
	c->relay_domains = list(h, "relay_domains");
	c->relayhost = get(h, "relayhost", "");
	c->local_transport = get(h, "local_transport", "local");
	c->relay_transport = get(h, "relay_transport", "relay");
	c->default_transport = get(h, "default_transport", "smtp");
	c->transport_maps = get(h, "transport_maps", "");
}

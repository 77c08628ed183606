/*
 * items.h - the items of a batch and the latest reply of each.
 *
 * A batch reply (status "batch") carries one reply map per item of the
 * request, in request order. Each item keeps a copy of its own map, so
 * that later status calls (which ask only for the items still pending)
 * replace the replies of those items and leave the others as they were.
 */
#ifndef FLEETCMD_ITEMS_H
#define FLEETCMD_ITEMS_H

#include <stdbool.h>
#include <stddef.h>

#include <fleetmod/host.h>

#include "list.h"
#include "session.h"

struct fc_item {
    const char *key;             /* the VIN or id of the list file */
    bool has_reply;              /* false until a batch call answered for it */
    struct fleetmod_buf raw;     /* its latest reply map (see fc_items_take) */
    struct fleetmod_reply reply; /* raw, decoded */
};

struct fc_items {
    const char *key_name; /* "vin" (send) or "id" (status) */
    size_t n;
    struct fc_item *item; /* n items, in list order */
};

/* One item per list entry, no replies yet; the keys point into l, which
 * must outlive *b. FLEETMOD_ENOMEM (said on stderr) or FLEETMOD_OK. */
fleetmod_rc fc_items_init(struct fc_items *b, const struct fc_list *l,
                          const char *key_name);
void fc_items_free(struct fc_items *b);

/*
 * Give the items sel[0..n) their replies from x, the answer of one batch
 * call made for them in that order. Each item's map is kept as the module
 * wrote it, with the item's key ("vin" or "id") added when the module left
 * it out (Mobway's status replies carry no vin), so each --json line says
 * which vehicle it is about. Returns FLEETMOD_OK, or FLEETMOD_EINTERNAL
 * (said on stderr) when x is not a batch of n results.
 */
fleetmod_rc fc_items_take(struct fc_items *b, struct fc_item **sel, size_t n,
                          const struct fc_exchange *x);

/* The command id to ask a status for: the key of a status batch, the id
 * of a send reply. NULL when there is none. */
const char *fc_item_id(const struct fc_items *b, const struct fc_item *it);

/* True when a status call can tell more: no reply yet, or "pending". A
 * command waiting for confirmation is not running and is not waited for. */
bool fc_item_pending(const struct fc_items *b, const struct fc_item *it);

#endif

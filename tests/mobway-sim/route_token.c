/* POST /token: a form (application/x-www-form-urlencoded) with client_id
 * and client_secret, or, as the docs' OAuth2 page writes them, username and
 * password. Answers {"token", "expiration"} (seconds, --token-ttl); 401
 * {"detail"} for unknown credentials, 422 when neither pair is there. */
#include "reply.h"
#include "sim.h"
#include "token.h"

#include <stdlib.h>
#include <string.h>

#define ROUTE ROUTE_TOKEN
#define FIELD_MAX 256

enum { F_CLIENT_ID, F_CLIENT_SECRET, F_USERNAME, F_PASSWORD, F_COUNT };

static const char *const field_names[F_COUNT] = {"client_id", "client_secret",
                                                 "username", "password"};

struct form {
    char value[F_COUNT][FIELD_MAX];
    bool seen[F_COUNT];
};

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *filename,
                                const char *content_type,
                                const char *transfer_encoding, const char *data,
                                uint64_t off, size_t size)
{
    (void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
    struct form *form = cls;
    for (int i = 0; i < F_COUNT; i++) {
        if (strcmp(key, field_names[i]) != 0)
            continue;
        if (off + size >= FIELD_MAX)
            return MHD_NO;
        memcpy(form->value[i] + off, data, size);
        form->value[i][off + size] = '\0';
        form->seen[i] = true;
    }
    return MHD_YES;
}

static bool read_form(struct MHD_Connection *c, struct request *rq,
                      struct form *form)
{
    struct MHD_PostProcessor *pp =
        MHD_create_post_processor(c, 1024, on_field, form);
    if (!pp)
        return false;
    bool ok =
        MHD_post_process(pp, rq->body ? rq->body : "", rq->len) == MHD_YES;
    return MHD_destroy_post_processor(pp) == MHD_YES && ok;
}

/* The company of the first complete pair, -1 if unknown, -2 if none. */
static int authenticate(const struct sim *s, const struct form *f)
{
    for (int i = F_CLIENT_ID; i <= F_USERNAME; i += 2) {
        if (!f->seen[i] || !f->seen[i + 1])
            continue;
        int company = fixtures_company_by_credentials(&s->fx, f->value[i],
                                                      f->value[i + 1]);
        if (company >= 0)
            return company;
    }
    bool any_pair = (f->seen[F_CLIENT_ID] && f->seen[F_CLIENT_SECRET]) ||
                    (f->seen[F_USERNAME] && f->seen[F_PASSWORD]);
    return any_pair ? -1 : -2;
}

enum MHD_Result route_token(struct sim *s, struct MHD_Connection *c,
                            struct request *rq)
{
    struct form form = {0};
    int company = read_form(c, rq, &form) ? authenticate(s, &form) : -2;
    if (company == -2)
        return reply_detail(c, ROUTE, 422,
                            "Send a form with client_id and client_secret "
                            "(or username and password).");
    if (company < 0)
        return reply_detail(c, ROUTE, 401, "Invalid client credentials.");
    char *token =
        token_issue(s->fx.companies[company].name, s->cfg.token_ttl_s);
    if (!token)
        return reply_detail(c, ROUTE, 500, "Internal Server Error");
    json_t *body = json_pack("{s:s, s:I}", "token", token, "expiration",
                             (json_int_t)s->cfg.token_ttl_s);
    free(token);
    return reply_json(c, ROUTE, 200, body);
}

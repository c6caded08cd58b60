
/*
 * Reads a request body whole into one contiguous, NUL-terminated buffer and
 * hands it to the surface's handler.  Teams activities are small; anything
 * over the caller's bound is refused with 413 before it is parsed.
 *
 * The handler runs with the reference ngx_http_read_client_request_body()
 * took: it must finish the request exactly once, now or from a backend's
 * callback (ngx_teams_finish()).
 */


#include "ngx_teams_module.h"


static void ngx_teams_body_done(ngx_http_request_t *r);


ngx_int_t
ngx_teams_read_body(ngx_http_request_t *r, size_t max,
    ngx_teams_body_pt handler)
{
    ngx_int_t         rc;
    ngx_teams_ctx_t  *ctx;

    if (r->headers_in.content_length_n > (off_t) max) {
        return ngx_teams_send_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                    "body_too_large",
                                    "the request body is too large");
    }

    ctx = ngx_teams_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->body_handler = handler;
    ctx->body_max = max;

    r->request_body_in_single_buf = 1;

    rc = ngx_http_read_client_request_body(r, ngx_teams_body_done);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_teams_body_done(ngx_http_request_t *r)
{
    u_char           *p;
    off_t             size;
    ssize_t           n;
    ngx_buf_t        *b;
    ngx_str_t         body;
    ngx_chain_t      *cl;
    ngx_teams_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_teams_module);

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        ngx_str_set(&body, "");
        ngx_teams_body_continue(r, ctx->body_handler, &body);
        return;
    }

    size = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        size += b->in_file ? b->file_last - b->file_pos : b->last - b->pos;
    }

    if (size > (off_t) ctx->body_max) {
        ngx_http_finalize_request(r,
            ngx_teams_send_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                 "body_too_large",
                                 "the request body is too large"));
        return;
    }

    body.data = ngx_pnalloc(r->pool, size + 1);
    if (body.data == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    p = body.data;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
                return;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    *p = '\0';
    body.len = p - body.data;

    ngx_teams_body_continue(r, ctx->body_handler, &body);
}


/*
 * JSON responses.  Every answer of the module is JSON with a stable shape,
 * errors included: {"error": {"code": "...", "message": "..."}}, so a Teams
 * client, an admin script or a load balancer can act on it.
 */


#include "ngx_teams_module.h"


/*
 * How deep we are inside nginx's own handlers (the content handler, a
 * request body's post handler).  nginx runs the posted requests after
 * those itself; only our backends' event handlers must (ngx_teams_finish).
 * Running them from inside could close the request under nginx's feet.
 */
static ngx_uint_t  ngx_teams_nginx_depth;


ngx_int_t
ngx_teams_content(ngx_http_request_t *r)
{
    ngx_int_t              rc;
    ngx_teams_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_teams_module);

    ngx_teams_nginx_depth++;
    rc = tlcf->content(r);
    ngx_teams_nginx_depth--;

    return rc;
}


void
ngx_teams_body_continue(ngx_http_request_t *r, ngx_teams_body_pt handler,
    ngx_str_t *body)
{
    ngx_teams_nginx_depth++;
    handler(r, body);
    ngx_teams_nginx_depth--;
}


ngx_int_t
ngx_teams_send_json(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *json)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    /*
     * Answered before the body was read: nginx must still consume it, or
     * its bytes would be taken for the next request on the connection.
     */
    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    /* answers are computed per request: If-Match and the like do not apply */
    r->disable_not_modified = 1;

    r->headers_out.status = status;
    r->headers_out.content_length_n = json->len;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    if (r->method == NGX_HTTP_HEAD || json->len == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = json->data;
    b->last = json->data + json->len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_teams_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    size_t     clen, mlen;
    u_char    *p;
    ngx_str_t  json;

    clen = ngx_strlen(code);
    mlen = ngx_strlen(message);

    json.data = ngx_pnalloc(r->pool,
                            sizeof("{\"error\":{\"code\":\"\",\"message\":\""
                                   "\"}}") - 1
                            + clen + ngx_escape_json(NULL, (u_char *) code,
                                                     clen)
                            + mlen + ngx_escape_json(NULL, (u_char *) message,
                                                     mlen));
    if (json.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(json.data, "{\"error\":{\"code\":\"",
                   sizeof("{\"error\":{\"code\":\"") - 1);
    p = (u_char *) ngx_escape_json(p, (u_char *) code, clen);
    p = ngx_cpymem(p, "\",\"message\":\"", sizeof("\",\"message\":\"") - 1);
    p = (u_char *) ngx_escape_json(p, (u_char *) message, mlen);
    p = ngx_cpymem(p, "\"}}", sizeof("\"}}") - 1);

    json.len = p - json.data;

    return ngx_teams_send_json(r, status, &json);
}


ngx_int_t
ngx_teams_not_implemented(ngx_http_request_t *r)
{
    return ngx_teams_send_error(r, NGX_HTTP_NOT_IMPLEMENTED,
                                "not_implemented",
                                "this Teams surface is not available in "
                                "this version of ngx_teams_module");
}


/* Finishes a request, from a backend's event handler or nginx's own. */
void
ngx_teams_finish(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_connection_t  *c;

    c = r->connection;

    ngx_http_finalize_request(r, rc);

    if (ngx_teams_nginx_depth == 0) {
        ngx_http_run_posted_requests(c);
    }
}

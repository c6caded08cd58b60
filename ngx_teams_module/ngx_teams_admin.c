
/*
 * teams_admin: not in this version yet; answers a JSON 501.
 */


#include "ngx_teams_module.h"


ngx_int_t
ngx_teams_admin_handler(ngx_http_request_t *r)
{
    return ngx_teams_not_implemented(r);
}

vcl 4.1;

# Varnish in front of `wiredesk serve` (docs/deployment.md): whole public responses are kept for
# a day, and Wiredesk PURGEs every path a change touches the moment it commits
# (WIREDESK_PURGE_URLS=purge+http://127.0.0.1:6081), so a kill is a 410 here at once.

backend wiredesk {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the machines Wiredesk's processes run on.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Purging is not allowed from this address"));
        }
        return (purge);
    }
    # The admin, push, metrics, POSTs and anything with a query string go to Wiredesk.
    if (req.url ~ "^/(admin|push|metrics)" || req.url ~ "\?" ||
        (req.method != "GET" && req.method != "HEAD")) {
        return (pass);
    }
    unset req.http.Cookie;
    return (hash);
}

sub vcl_hash {
    # One site per cache: a purge sent to 127.0.0.1 must find what readers asked for by name.
    hash_data(req.url);
    return (lookup);
}

sub vcl_backend_response {
    # Purges, not expiry, keep pages right: keep them a day, and never serve one past its time
    # (no grace), so nothing purged comes back from the cache. A "not found" is kept a second:
    # it may be a page that exists a moment later (an embargo lifting) under a path no change
    # names.
    if (beresp.status == 200 || beresp.status == 301 || beresp.status == 410) {
        set beresp.ttl = 1d;
    } else if (beresp.status == 404) {
        set beresp.ttl = 1s;
    }
    set beresp.grace = 0s;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

#pragma once
// CCurl: libcurl, imported only by the HTTPClient target.
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot call: each typed
// static inline shim below passes exactly one argument type, as libcurl documents for that option.
#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static inline CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
/// For CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
static inline CURLcode ccurl_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback v) {
    return curl_easy_setopt(h, o, v);
}

/// For CURLOPT_READFUNCTION (streamed uploads).
static inline CURLcode ccurl_setopt_read_callback(CURL *h, CURLoption o, curl_read_callback v) {
    return curl_easy_setopt(h, o, v);
}
/// CURL_READFUNC_ABORT: a read callback's answer that aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
static const size_t ccurl_readfunc_abort = CURL_READFUNC_ABORT;

static inline CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode ccurl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/// CURL_GLOBAL_DEFAULT is a macro expression Swift does not import.
static const long ccurl_global_default = CURL_GLOBAL_DEFAULT;
/// CURL_WRITEFUNC_ERROR exists only from 7.87; returning any count other than the one passed in also aborts.
static const size_t ccurl_writefunc_abort = 0;

/// CURLOPT_OPENSOCKETFUNCTION: libcurl calls it with each address it resolved, just before connecting; the egress
/// policy decides there, so the address checked is the address connected to (no second resolution to race).
static inline CURLcode ccurl_setopt_opensocket_callback(CURL *h, curl_opensocket_callback v) {
    return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, v);
}
/// The address bytes of a curl_sockaddr: 4 for IPv4, 16 for IPv6, 0 for any other family (refused).
static inline int ccurl_sockaddr_bytes(const struct curl_sockaddr *a, unsigned char out[16]) {
    if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) {
        memcpy(out, &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr, 4);
        return 4;
    }
    if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6)) {
        memcpy(out, &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr, 16);
        return 16;
    }
    return 0;
}
/// What libcurl's default does, plus close-on-exec so a local process started later never inherits the socket.
static inline curl_socket_t ccurl_open_socket(const struct curl_sockaddr *a) {
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}
static const curl_socket_t ccurl_socket_bad = CURL_SOCKET_BAD;

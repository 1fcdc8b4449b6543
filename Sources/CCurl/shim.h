#pragma once
// CCurl: libcurl, imported only by the HTTPClient target.
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot call: each typed
// static inline shim below passes exactly one argument type, as libcurl documents for that option.
#include <curl/curl.h>

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

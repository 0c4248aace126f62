/* http_status — larql's HTTP status expert (Polymath C port). See README.md. */
#include "larql_expert.h"

static const struct { unsigned code; const char *reason; } CODES[] = {
    {100, "Continue"}, {101, "Switching Protocols"}, {102, "Processing"}, {103, "Early Hints"},
    {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {203, "Non-Authoritative Information"}, {204, "No Content"},
    {205, "Reset Content"}, {206, "Partial Content"}, {207, "Multi-Status"}, {208, "Already Reported"}, {226, "IM Used"},
    {300, "Multiple Choices"}, {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"}, {304, "Not Modified"},
    {305, "Use Proxy"}, {307, "Temporary Redirect"}, {308, "Permanent Redirect"},
    {400, "Bad Request"}, {401, "Unauthorized"}, {402, "Payment Required"}, {403, "Forbidden"}, {404, "Not Found"},
    {405, "Method Not Allowed"}, {406, "Not Acceptable"}, {407, "Proxy Authentication Required"},
    {408, "Request Timeout"}, {409, "Conflict"}, {410, "Gone"}, {411, "Length Required"}, {412, "Precondition Failed"},
    {413, "Content Too Large"}, {414, "URI Too Long"}, {415, "Unsupported Media Type"}, {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"}, {418, "I'm a Teapot"}, {421, "Misdirected Request"}, {422, "Unprocessable Content"},
    {423, "Locked"}, {424, "Failed Dependency"}, {425, "Too Early"}, {426, "Upgrade Required"},
    {428, "Precondition Required"}, {429, "Too Many Requests"}, {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"}, {503, "Service Unavailable"},
    {504, "Gateway Timeout"}, {505, "HTTP Version Not Supported"}, {506, "Variant Also Negotiates"},
    {507, "Insufficient Storage"}, {508, "Loop Detected"}, {510, "Not Extended"}, {511, "Network Authentication Required"},
};

static jv *op_lookup(lx_ctx *cx, const jv *a) {
    uint64_t c;
    if (!lx_arg_uintx(a, "code", &c)) return NULL;
    uint16_t code = (uint16_t)c; /* larql casts to u16 */
    for (size_t i = 0; i < sizeof CODES / sizeof CODES[0]; i++) {
        if (CODES[i].code != code) continue;
        char cat[4] = { (char)('0' + code / 100), 'x', 'x', 0 };
        jv *o = jv_obj(cx);
        jv_set(cx, o, "code", jv_uint(cx, code));
        jv_set(cx, o, "reason", jv_str(cx, CODES[i].reason));
        jv_set(cx, o, "category", jv_str(cx, cat));
        return o;
    }
    return NULL; /* unknown code declines (larql's doc says null; its code and test decline) */
}

static const lx_op OPS[] = {
    {"lookup", op_lookup, {"code"}},
};

LARQL_EXPERT("http_status", 1, "HTTP status code lookup: IANA canonical reason phrases and category", "0.2.0", OPS)

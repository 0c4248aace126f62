/* Unit tests of the C expert kit (JSON reader/writer, coercion, number formatting, ABI), run natively.
 * Build and run: make -C sdk/expert-kit/tests */
#define _GNU_SOURCE
#include "larql_expert.h"
#include <stdio.h>

static int failures, checks;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static const char *fmt(lx_ctx *cx, const jv *v) {
    lx_buf b; lx_buf_init(&b, cx);
    lx_write(&b, v);
    lx_buf_putc(&b, 0);
    return b.p;
}
static const char *f64s(lx_ctx *cx, double d) { return fmt(cx, jv_float(cx, d)); }
/* parse then re-serialise; "ERR" when the reader rejects the text */
static const char *rt(lx_ctx *cx, const char *text) {
    jv *v = lx_parse(cx, text, strlen(text));
    return v ? fmt(cx, v) : "ERR";
}

static void test_float_format(void) {
    lx_ctx cx = { NULL };
    static const struct { double d; const char *s; } T[] = {
        {46.0, "46.0"}, {0.1, "0.1"}, {-0.0, "-0.0"}, {0.0, "0.0"}, {1e16, "1e16"}, {1e15, "1000000000000000.0"},
        {9007199254740992.0, "9007199254740992.0"}, {1.5e-7, "1.5e-7"}, {0.00001, "0.00001"}, {1e-6, "1e-6"},
        {0.000012, "0.000012"}, {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e308"},
        {123456789012345680.0, "1.2345678901234568e17"}, {0.30000000000000004, "0.30000000000000004"},
        {100.0, "100.0"}, {1e21, "1e21"}, {-2.5, "-2.5"}, {1234.5678, "1234.5678"}, {3.141592653589793, "3.141592653589793"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"}, {1.0 / 3.0, "0.3333333333333333"}, {2.0 / 3.0, "0.6666666666666666"},
        {6.123233995736766e-17, "6.123233995736766e-17"}, {1e100, "1e100"}, {123e-20, "1.23e-18"}, {1628.894626777442, "1628.894626777442"},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) CHECK(strcmp(f64s(&cx, T[i].d), T[i].s) == 0, "format %.17g: got %s want %s", T[i].d, f64s(&cx, T[i].d), T[i].s);
    CHECK(strcmp(f64s(&cx, NAN), "null") == 0, "NaN is null");
    CHECK(strcmp(f64s(&cx, INFINITY), "null") == 0, "inf is null");
    CHECK(strcmp(f64s(&cx, -INFINITY), "null") == 0, "-inf is null");
    lx_release(&cx);
}

/* Random doubles: output must round-trip and have no more digits than the shortest %.{p}e representation. */
static void test_float_shortest_random(void) {
    uint64_t x = 0x9E3779B97F4A7C15ull;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        double d;
        uint64_t bits = (i % 3 == 0) ? x : (x & 0x800FFFFFFFFFFFFFull) | ((uint64_t)(1023 + (int)(x % 80) - 40) << 52);
        memcpy(&d, &bits, 8);
        if (!isfinite(d) || d == 0) continue;
        lx_ctx cx = { NULL };
        const char *s = f64s(&cx, d);
        double back = strtod(s, NULL);
        char dg[24]; int e;
        int ours = lx_shortest(fabs(d), dg, &e);
        int ref = 17;
        char buf[64];
        for (int p = 1; p <= 17; p++) { snprintf(buf, sizeof buf, "%.*e", p - 1, d); if (strtod(buf, NULL) == d) { ref = p; break; } }
        if (back != d || ours > ref || !(strchr(s, '.') || strchr(s, 'e'))) {
            if (bad++ < 10) printf("FAIL shortest: %.17g -> %s (digits %d, reference %d)\n", d, s, ours, ref);
        }
        lx_release(&cx);
    }
    checks++;
    if (bad) failures++;
}

static void test_reader(void) {
    lx_ctx cx = { NULL };
    static const struct { const char *in, *out; } T[] = {
        {"{\"a\":1}", "{\"a\":1}"}, {" { \"b\" : [1, 2.5, -3] , \"a\" : null } ", "{\"a\":null,\"b\":[1,2.5,-3]}"},
        {"{\"k\":1,\"k\":2}", "{\"k\":2}"}, {"-0", "-0.0"}, {"-0.0", "-0.0"}, {"18446744073709551615", "18446744073709551615"},
        {"18446744073709551616", "1.8446744073709552e19"}, {"-9223372036854775808", "-9223372036854775808"},
        {"-9223372036854775809", "-9.223372036854776e18"}, {"1E2", "100.0"}, {"1e-2", "0.01"}, {"0", "0"},
        {"\"a\\u00e9\\ud83d\\ude00\\n\\/\"", "\"a\xc3\xa9\xf0\x9f\x98\x80\\n/\""}, {"\"\\u0001\\u001f\"", "\"\\u0001\\u001f\""},
        {"true", "true"}, {"[]", "[]"}, {"{}", "{}"},
        {"", "ERR"}, {"01", "ERR"}, {"1.", "ERR"}, {".5", "ERR"}, {"+1", "ERR"}, {"1e", "ERR"}, {"[1,]", "ERR"},
        {"{\"a\":1,}", "ERR"}, {"{a:1}", "ERR"}, {"\"\x01\"", "ERR"}, {"\"\\ud800\"", "ERR"}, {"\"\\udc00\"", "ERR"},
        {"\"\\x\"", "ERR"}, {"1e400", "ERR"}, {"nul", "ERR"}, {"[1] x", "ERR"}, {"'a'", "ERR"}, {"\"\xff\"", "ERR"},
        {"NaN", "ERR"}, {"{\"a\" 1}", "ERR"}, {"[", "ERR"}, {"1e309", "ERR"}, {"0e999", "0.0"}, {"-0e99999999999", "-0.0"},
        {"1e-400", "0.0"}, {"123456789012345678901234567890", "1.2345678901234568e29"}, {"0.30000000000000004", "0.30000000000000004"},
        {"1.5e3", "1500.0"}, {"12.5E-1", "1.25"}, {"1.", "ERR"}, {"1.e5", "ERR"}, {"-", "ERR"}, {"2.e", "ERR"},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) CHECK(strcmp(rt(&cx, T[i].in), T[i].out) == 0, "reader %s: got %s want %s", T[i].in, rt(&cx, T[i].in), T[i].out);
    /* depth: serde_json accepts 127 nested arrays and rejects 128 */
    char deep[300];
    for (int n = 127; n <= 128; n++) {
        memset(deep, '[', (size_t)n); memset(deep + n, ']', (size_t)n); deep[2 * n] = 0;
        CHECK((lx_parse(&cx, deep, (size_t)(2 * n)) != NULL) == (n == 127), "depth %d", n);
    }
    lx_release(&cx);
}

/* serde_json's default float reader is not always correctly rounded for long inputs; check the emulation
 * against values computed by its algorithm: (double)significand, then one multiply/divide by 10^k. */
static void test_serde_float_reader(void) {
    lx_ctx cx = { NULL };
    static const char *const T[] = { "2.2250738585072011e-308", "9007199254740993", "0.1e-5", "123.456e-300", "4.9e-324",
                                     "1.7976931348623157e308", "0.000000000000000000000000000000001234567", "98765432109876543.21" };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        jv *v = lx_parse(&cx, T[i], strlen(T[i]));
        /* reference: the same formula written out directly */
        const char *s = T[i];
        uint64_t sig = 0; int32_t exp = 0, ovf = 0; int frac = 0;
        for (; *s && *s != 'e' && *s != 'E'; s++) {
            if (*s == '.') { frac = 1; continue; }
            unsigned d = (unsigned)(*s - '0');
            if (ovf || (sig >= UINT64_MAX / 10 && (sig > UINT64_MAX / 10 || d > UINT64_MAX % 10))) { ovf = 1; if (!frac) exp++; continue; }
            sig = sig * 10 + d;
            if (frac) exp--;
        }
        if (*s) exp += atoi(s + 1);
        double want = (double)sig;
        if (exp < -308) { want /= 1e308; exp += 308; }
        want = exp >= 0 ? want * pow(10.0, exp) : want / pow(10.0, -exp);
        int inf = isinf(want);
        double got;
        CHECK(inf ? v == NULL : (v && jv_as_f64(v, &got) && got == want), "serde float %s: got %s want %.17g", T[i], v ? fmt(&cx, v) : "ERR", want);
    }
    lx_release(&cx);
}

static void test_writer(void) {
    lx_ctx cx = { NULL };
    jv *o = jv_obj(&cx);
    jv_set(&cx, o, "zeta", jv_int(&cx, -5));
    jv_set(&cx, o, "alpha", jv_str(&cx, "q\"\\\b\f\n\r\t\x01\x7f/é"));
    jv_set(&cx, o, "Beta", jv_uint(&cx, 18446744073709551615ull));
    jv_set(&cx, o, "ab", jv_bool(&cx, 1));
    jv_set(&cx, o, "a", jv_float(&cx, 2.0));
    jv_set(&cx, o, "zeta", jv_null(&cx)); /* replace keeps one key */
    const char *want = "{\"Beta\":18446744073709551615,\"a\":2.0,\"ab\":true,\"alpha\":\"q\\\"\\\\\\b\\f\\n\\r\\t\\u0001\x7f/é\",\"zeta\":null}";
    CHECK(strcmp(fmt(&cx, o), want) == 0, "writer: got %s", fmt(&cx, o));
    jv *arr = jv_arr(&cx);
    jv_push(&cx, arr, jv_int(&cx, INT64_MIN));
    jv_push(&cx, arr, jv_float(&cx, 1e300 * 1e300));
    jv_push(&cx, arr, jv_arr(&cx));
    CHECK(strcmp(fmt(&cx, arr), "[-9223372036854775808,null,[]]") == 0, "writer array: got %s", fmt(&cx, arr));
    lx_release(&cx);
}

static void test_coercion(void) {
    lx_ctx cx = { NULL };
    const char *text = "{\"i\":5,\"neg\":-12,\"f\":3.9,\"nf\":-3.9,\"s\":\"42\",\"sf\":\"2.5\",\"sneg\":\"-5\",\"splus\":\"+7\","
                       "\"sbad\":\" 1\",\"b\":true,\"n\":null,\"big\":1e30,\"huge\":18446744073709551615,\"inf\":\"-inf\","
                       "\"sdot\":\"1.\",\"sdot2\":\".5\",\"se\":\"1e3\",\"sx\":\"0x10\",\"l\":[1,2.5,-3],\"lbad\":[1,\"2\"],\"e\":[]}";
    jv *a = lx_parse(&cx, text, strlen(text));
    CHECK(a != NULL, "coercion args parse");
    double d; int64_t i; uint64_t u; int b; const char *p; size_t n; double *l;
    /* num: numbers only */
    CHECK(lx_arg_num(a, "i", &d) && d == 5, "num int");
    CHECK(lx_arg_num(a, "f", &d) && d == 3.9, "num float");
    CHECK(!lx_arg_num(a, "s", &d), "num rejects string");
    CHECK(!lx_arg_num(a, "b", &d) && !lx_arg_num(a, "n", &d) && !lx_arg_num(a, "missing", &d), "num rejects bool/null/missing");
    /* num~: numbers or numeric strings (Rust f64 grammar) */
    CHECK(lx_arg_numx(a, "s", &d) && d == 42, "num~ string");
    CHECK(lx_arg_numx(a, "sf", &d) && d == 2.5, "num~ float string");
    CHECK(lx_arg_numx(a, "inf", &d) && isinf(d) && d < 0, "num~ -inf string");
    CHECK(lx_arg_numx(a, "sdot", &d) && d == 1.0, "num~ '1.'");
    CHECK(lx_arg_numx(a, "sdot2", &d) && d == 0.5, "num~ '.5'");
    CHECK(lx_arg_numx(a, "se", &d) && d == 1000, "num~ '1e3'");
    CHECK(!lx_arg_numx(a, "sbad", &d), "num~ rejects leading space");
    CHECK(!lx_arg_numx(a, "sx", &d), "num~ rejects hex");
    CHECK(!lx_arg_numx(a, "b", &d), "num~ rejects bool");
    /* int~ */
    CHECK(lx_arg_intx(a, "neg", &i) && i == -12, "int~ negative");
    CHECK(lx_arg_intx(a, "f", &i) && i == 3, "int~ truncates");
    CHECK(lx_arg_intx(a, "nf", &i) && i == -3, "int~ truncates toward 0");
    CHECK(lx_arg_intx(a, "big", &i) && i == INT64_MAX, "int~ saturates");
    CHECK(lx_arg_intx(a, "huge", &i) && i == INT64_MAX, "int~ u64 above i64 saturates via f64");
    CHECK(lx_arg_intx(a, "sneg", &i) && i == -5, "int~ string");
    CHECK(lx_arg_intx(a, "splus", &i) && i == 7, "int~ '+7'");
    CHECK(!lx_arg_intx(a, "sf", &i), "int~ rejects '2.5'");
    CHECK(!lx_arg_intx(a, "b", &i), "int~ rejects bool");
    /* uint~ */
    CHECK(lx_arg_uintx(a, "i", &u) && u == 5, "uint~ int");
    CHECK(lx_arg_uintx(a, "neg", &u) && u == 0, "uint~ negative saturates to 0");
    CHECK(lx_arg_uintx(a, "f", &u) && u == 3, "uint~ truncates");
    CHECK(lx_arg_uintx(a, "big", &u) && u == UINT64_MAX, "uint~ saturates high");
    CHECK(lx_arg_uintx(a, "huge", &u) && u == UINT64_MAX, "uint~ u64 max");
    CHECK(lx_arg_uintx(a, "s", &u) && u == 42, "uint~ string");
    CHECK(!lx_arg_uintx(a, "sneg", &u), "uint~ rejects '-5'");
    CHECK(!lx_arg_uintx(a, "sf", &u), "uint~ rejects '2.5'");
    /* str, bool, [num] */
    CHECK(lx_arg_str(a, "s", &p, &n) && n == 2 && memcmp(p, "42", 2) == 0, "str");
    CHECK(!lx_arg_str(a, "i", &p, &n), "str rejects number");
    CHECK(lx_arg_bool(a, "b", &b) && b == 1, "bool");
    CHECK(!lx_arg_bool(a, "i", &b) && !lx_arg_bool(a, "s", &b), "bool rejects 0/1 and strings");
    CHECK(lx_arg_numlist(&cx, a, "l", &l, &n) && n == 3 && l[1] == 2.5 && l[2] == -3, "[num]");
    CHECK(!lx_arg_numlist(&cx, a, "lbad", &l, &n), "[num] rejects a string element");
    CHECK(lx_arg_numlist(&cx, a, "e", &l, &n) && n == 0, "[num] empty");
    CHECK(!lx_arg_numlist(&cx, a, "i", &l, &n), "[num] rejects non-array");
    /* lookups on null / non-objects find nothing */
    jv *nul = jv_null(&cx);
    CHECK(!lx_arg_num(nul, "a", &d) && jv_get(jv_arr(&cx), "a") == NULL, "lookups on null/array");
    /* Rust integer parsing edge cases */
    CHECK(lx_parse_i64("-9223372036854775808", 20, &i) && i == INT64_MIN, "i64 min");
    CHECK(!lx_parse_i64("9223372036854775808", 19, &i), "i64 overflow");
    CHECK(!lx_parse_i64("-", 1, &i) && !lx_parse_i64("", 0, &i), "i64 empty");
    CHECK(lx_parse_u64_radix("zz", 2, 36, &u) && u == 1295, "radix 36");
    CHECK(!lx_parse_u64_radix("18446744073709551616", 20, 10, &u), "u64 overflow");
    lx_release(&cx);
}

/* a two-op expert to test the ABI glue */
static jv *op_echo(lx_ctx *cx, const jv *a) { return a->t == JV_NULL ? jv_str(cx, "args were null") : (jv *)a; }
static jv *op_nothing(lx_ctx *cx, const jv *a) { (void)cx; (void)a; return NULL; }
static const lx_op OPS[] = { {"echo", op_echo, {"x", "y"}}, {"nothing", op_nothing, {NULL}} };
LARQL_EXPERT("kit_test", 3, "Kit \"test\" expert", "1.2.3", OPS)

static void test_abi(void) {
    char *m = larql_metadata();
    CHECK(strcmp(m, "{\"id\":\"kit_test\",\"tier\":3,\"description\":\"Kit \\\"test\\\" expert\",\"version\":\"1.2.3\","
                    "\"ops\":[{\"name\":\"echo\",\"args\":[\"x\",\"y\"]},{\"name\":\"nothing\",\"args\":[]}]}") == 0, "metadata: %s", m);
    larql_dealloc(m, strlen(m) + 1);
    const char *args = "{\"b\":1.0,\"a\":[1]}";
    char *r = larql_call("echo", 4, args, strlen(args));
    CHECK(r && strcmp(r, "{\"value\":{\"a\":[1],\"b\":1.0},\"confidence\":1.0,\"latency_ns\":0,\"expert_id\":\"kit_test\",\"op\":\"echo\"}") == 0, "call: %s", r ? r : "(declined)");
    if (r) larql_dealloc(r, strlen(r) + 1);
    r = larql_call("echo", 4, "{broken", 7);
    CHECK(r && strstr(r, "\"value\":\"args were null\""), "invalid JSON becomes null: %s", r ? r : "(declined)");
    if (r) larql_dealloc(r, strlen(r) + 1);
    CHECK(larql_call("nothing", 7, "{}", 2) == NULL, "op declines");
    CHECK(larql_call("ech", 3, "{}", 2) == NULL && larql_call("echoo", 5, "{}", 2) == NULL, "unknown op declines (length-exact)");
    char *buf = (char *)larql_alloc(0);
    CHECK(buf != NULL, "alloc(0) gives a pointer");
    larql_dealloc(buf, 0);
}

int main(void) {
    test_float_format();
    test_float_shortest_random();
    test_reader();
    test_serde_float_reader();
    test_writer();
    test_coercion();
    test_abi();
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}

/* Compiles the real arithmetic expert natively (pointer-sized ABI) and calls it through larql_alloc /
 * larql_call / larql_dealloc exactly as a host does. */
#include "../../../experts/arithmetic/arithmetic.c"
#include <stdio.h>

static int failures;
static void expect(const char *op, const char *args, const char *want) {
    size_t ol = strlen(op), al = strlen(args);
    char *po = (char *)larql_alloc(ol), *pa = (char *)larql_alloc(al);
    memcpy(po, op, ol); memcpy(pa, args, al);
    char *r = larql_call(po, ol, pa, al);
    larql_dealloc(po, ol); larql_dealloc(pa, al);
    const char *got = r ? r : "declined";
    if (strcmp(got, want) != 0) { failures++; printf("FAIL %s %s: got %s want %s\n", op, args, got, want); }
    if (r) larql_dealloc(r, strlen(r) + 1);
}
int main(void) {
    expect("add", "{\"a\":12,\"b\":34}", "{\"value\":46.0,\"confidence\":1.0,\"latency_ns\":0,\"expert_id\":\"arithmetic\",\"op\":\"add\"}");
    expect("gcd", "{\"a\":-12,\"b\":18}", "{\"value\":18,\"confidence\":1.0,\"latency_ns\":0,\"expert_id\":\"arithmetic\",\"op\":\"gcd\"}");
    expect("from_base", "{\"s\":\"1\",\"base\":99}", "declined");
    expect("div", "{\"a\":1,\"b\":0}", "{\"value\":null,\"confidence\":1.0,\"latency_ns\":0,\"expert_id\":\"arithmetic\",\"op\":\"div\"}");
    char *m = larql_metadata();
    if (strncmp(m, "{\"id\":\"arithmetic\",\"tier\":1,", 28) != 0) { failures++; printf("FAIL metadata %s\n", m); }
    larql_dealloc(m, strlen(m) + 1);
    printf("native arithmetic: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}

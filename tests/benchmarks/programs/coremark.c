/* A CoreMark-like kernel (our own code, not EEMBC's): each iteration of run(n) does the three kinds of work
 * CoreMark mixes — linked-list find/sort/reverse, a small int16 x int16 -> int32 matrix multiply-add, and a
 * state machine scanning a byte string for numbers — and folds every result into a CRC16. Deterministic:
 * the inputs are derived from a seed, the checksum is the final CRC mixed with the iteration count. */
#include "bench.h"

#define LIST_NODES 64
#define MAT 16
#define TEXT 192

struct node { struct node *next; int16_t key; int16_t value; };

static struct node pool[LIST_NODES];
static int16_t ma[MAT * MAT], mb[MAT * MAT];
static int32_t mc[MAT * MAT];
static uint8_t text[TEXT];

static uint16_t crc16(uint16_t crc, uint16_t v)
{
    for (int i = 0; i < 16; i++) {
        uint16_t bit = (uint16_t)((crc ^ v) & 1u);
        crc >>= 1;
        v >>= 1;
        if (bit) crc ^= 0xA001u;
    }
    return crc;
}

static struct node *list_reverse(struct node *head)
{
    struct node *prev = 0;
    while (head) { struct node *next = head->next; head->next = prev; prev = head; head = next; }
    return prev;
}

/* Insertion sort by key (stable), or by value when by_value is set. */
static struct node *list_sort(struct node *head, int by_value)
{
    struct node *sorted = 0;
    while (head) {
        struct node *next = head->next, **at = &sorted;
        int16_t k = by_value ? head->value : head->key;
        while (*at && (by_value ? (*at)->value : (*at)->key) <= k) at = &(*at)->next;
        head->next = *at;
        *at = head;
        head = next;
    }
    return sorted;
}

static uint16_t list_work(struct node **list, uint32_t seed, uint16_t crc)
{
    /* find: count and position of a few keys */
    for (int q = 0; q < 8; q++) {
        int16_t want = (int16_t)((seed + (uint32_t)q * 37u) % LIST_NODES);
        int pos = 0, found = -1;
        for (struct node *p = *list; p; p = p->next, pos++)
            if (p->key == want) { found = pos; p->value = (int16_t)(p->value ^ want); break; }
        crc = crc16(crc, (uint16_t)found);
    }
    *list = list_reverse(*list);
    *list = list_sort(*list, 1);
    crc = crc16(crc, (uint16_t)(*list)->value);
    *list = list_sort(*list, 0);
    crc = crc16(crc, (uint16_t)(*list)->next->key);
    return crc;
}

static uint16_t matrix_work(int16_t k, uint16_t crc)
{
    for (int i = 0; i < MAT * MAT; i++) ma[i] = (int16_t)(ma[i] + k);
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t s = 0;
            for (int x = 0; x < MAT; x++) s += (int32_t)ma[i * MAT + x] * (int32_t)mb[x * MAT + j];
            mc[i * MAT + j] += s;
        }
    uint32_t acc = 0;
    for (int i = 0; i < MAT * MAT; i++) acc = acc * 31u + (uint32_t)mc[i];
    for (int i = 0; i < MAT * MAT; i++) ma[i] = (int16_t)(ma[i] - k);
    return crc16(crc16(crc, (uint16_t)acc), (uint16_t)(acc >> 16));
}

enum state { START, INT, FRAC, EXP, EXP_DIGIT, INVALID };

static uint16_t state_work(uint32_t seed, uint16_t crc)
{
    uint32_t counts[INVALID + 1] = { 0 };
    enum state s = START;
    /* perturb one byte per iteration so the scan is not loop-invariant */
    text[seed % TEXT] = (uint8_t)"0123456789.e-,x"[seed % 15];
    for (int i = 0; i < TEXT; i++) {
        uint8_t c = text[i];
        if (c == ',') { counts[s]++; s = START; continue; }
        int digit = c >= '0' && c <= '9';
        switch (s) {
        case START: s = digit || c == '-' ? INT : INVALID; break;
        case INT: s = digit ? INT : c == '.' ? FRAC : c == 'e' ? EXP : INVALID; break;
        case FRAC: s = digit ? FRAC : c == 'e' ? EXP : INVALID; break;
        case EXP: s = digit || c == '-' ? EXP_DIGIT : INVALID; break;
        case EXP_DIGIT: s = digit ? EXP_DIGIT : INVALID; break;
        case INVALID: break;
        }
    }
    counts[s]++;
    for (int i = 0; i <= INVALID; i++) crc = crc16(crc, (uint16_t)counts[i]);
    return crc;
}

BENCH_EXPORT(run) uint32_t run(int32_t n)
{
    uint32_t seed = 0x2545F491u;
    for (int i = 0; i < LIST_NODES; i++) {
        seed = seed * 1103515245u + 12345u;
        pool[i].key = (int16_t)((i * 29) % LIST_NODES);
        pool[i].value = (int16_t)(seed >> 16);
        pool[i].next = i + 1 < LIST_NODES ? &pool[i + 1] : 0;
    }
    struct node *list = &pool[0];
    for (int i = 0; i < MAT * MAT; i++) {
        seed = seed * 1103515245u + 12345u;
        ma[i] = (int16_t)((seed >> 16) & 0xFF) - 128;
        mb[i] = (int16_t)((seed >> 8) & 0x1FF) - 256;
        mc[i] = 0;
    }
    static const char alphabet[] = "0123456789.e-,x";
    for (int i = 0; i < TEXT; i++) {
        seed = seed * 1103515245u + 12345u;
        text[i] = (uint8_t)alphabet[(seed >> 16) % 15];
    }
    uint16_t crc = 0;
    for (int32_t it = 0; it < n; it++) {
        seed = seed * 1103515245u + 12345u;
        crc = list_work(&list, seed >> 8, crc);
        crc = matrix_work((int16_t)(seed >> 24), crc);
        crc = state_work(seed >> 4, crc);
    }
    return bench_mix((uint32_t)crc, (uint32_t)n);
}

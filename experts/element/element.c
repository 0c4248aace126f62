/* element — larql's periodic-table expert (Polymath C port). See README.md.
 * Data: symbol, IUPAC name and atomic mass ×1000 per element, as in larql. */
#include "larql_expert.h"

typedef struct { unsigned z; const char *symbol, *name; uint32_t mass_m1000; } element_t;
static const element_t ELEMENTS[] = {
    {1, "H", "hydrogen", 1008},
    {2, "He", "helium", 4003},
    {3, "Li", "lithium", 6941},
    {4, "Be", "beryllium", 9012},
    {5, "B", "boron", 10811},
    {6, "C", "carbon", 12011},
    {7, "N", "nitrogen", 14007},
    {8, "O", "oxygen", 15999},
    {9, "F", "fluorine", 18998},
    {10, "Ne", "neon", 20180},
    {11, "Na", "sodium", 22990},
    {12, "Mg", "magnesium", 24305},
    {13, "Al", "aluminium", 26982},
    {14, "Si", "silicon", 28086},
    {15, "P", "phosphorus", 30974},
    {16, "S", "sulfur", 32065},
    {17, "Cl", "chlorine", 35453},
    {18, "Ar", "argon", 39948},
    {19, "K", "potassium", 39098},
    {20, "Ca", "calcium", 40078},
    {21, "Sc", "scandium", 44956},
    {22, "Ti", "titanium", 47867},
    {23, "V", "vanadium", 50942},
    {24, "Cr", "chromium", 51996},
    {25, "Mn", "manganese", 54938},
    {26, "Fe", "iron", 55845},
    {27, "Co", "cobalt", 58933},
    {28, "Ni", "nickel", 58693},
    {29, "Cu", "copper", 63546},
    {30, "Zn", "zinc", 65380},
    {31, "Ga", "gallium", 69723},
    {32, "Ge", "germanium", 72640},
    {33, "As", "arsenic", 74922},
    {34, "Se", "selenium", 78960},
    {35, "Br", "bromine", 79904},
    {36, "Kr", "krypton", 83798},
    {37, "Rb", "rubidium", 85468},
    {38, "Sr", "strontium", 87620},
    {39, "Y", "yttrium", 88906},
    {40, "Zr", "zirconium", 91224},
    {41, "Nb", "niobium", 92906},
    {42, "Mo", "molybdenum", 95960},
    {43, "Tc", "technetium", 98000},
    {44, "Ru", "ruthenium", 101070},
    {45, "Rh", "rhodium", 102906},
    {46, "Pd", "palladium", 106420},
    {47, "Ag", "silver", 107868},
    {48, "Cd", "cadmium", 112411},
    {49, "In", "indium", 114818},
    {50, "Sn", "tin", 118710},
    {51, "Sb", "antimony", 121760},
    {52, "Te", "tellurium", 127600},
    {53, "I", "iodine", 126904},
    {54, "Xe", "xenon", 131293},
    {55, "Cs", "caesium", 132905},
    {56, "Ba", "barium", 137327},
    {57, "La", "lanthanum", 138905},
    {58, "Ce", "cerium", 140116},
    {59, "Pr", "praseodymium", 140908},
    {60, "Nd", "neodymium", 144242},
    {61, "Pm", "promethium", 145000},
    {62, "Sm", "samarium", 150360},
    {63, "Eu", "europium", 151964},
    {64, "Gd", "gadolinium", 157250},
    {65, "Tb", "terbium", 158925},
    {66, "Dy", "dysprosium", 162500},
    {67, "Ho", "holmium", 164930},
    {68, "Er", "erbium", 167259},
    {69, "Tm", "thulium", 168934},
    {70, "Yb", "ytterbium", 173054},
    {71, "Lu", "lutetium", 174967},
    {72, "Hf", "hafnium", 178490},
    {73, "Ta", "tantalum", 180948},
    {74, "W", "tungsten", 183840},
    {75, "Re", "rhenium", 186207},
    {76, "Os", "osmium", 190230},
    {77, "Ir", "iridium", 192217},
    {78, "Pt", "platinum", 195084},
    {79, "Au", "gold", 196967},
    {80, "Hg", "mercury", 200590},
    {81, "Tl", "thallium", 204383},
    {82, "Pb", "lead", 207200},
    {83, "Bi", "bismuth", 208980},
    {84, "Po", "polonium", 209000},
    {85, "At", "astatine", 210000},
    {86, "Rn", "radon", 222000},
    {87, "Fr", "francium", 223000},
    {88, "Ra", "radium", 226000},
    {89, "Ac", "actinium", 227000},
    {90, "Th", "thorium", 232038},
    {91, "Pa", "protactinium", 231036},
    {92, "U", "uranium", 238029},
    {93, "Np", "neptunium", 237000},
    {94, "Pu", "plutonium", 244000},
    {95, "Am", "americium", 243000},
    {96, "Cm", "curium", 247000},
    {97, "Bk", "berkelium", 247000},
    {98, "Cf", "californium", 251000},
    {99, "Es", "einsteinium", 252000},
    {100, "Fm", "fermium", 257000},
    {101, "Md", "mendelevium", 258000},
    {102, "No", "nobelium", 259000},
    {103, "Lr", "lawrencium", 262000},
    {104, "Rf", "rutherfordium", 265000},
    {105, "Db", "dubnium", 268000},
    {106, "Sg", "seaborgium", 271000},
    {107, "Bh", "bohrium", 270000},
    {108, "Hs", "hassium", 277000},
    {109, "Mt", "meitnerium", 276000},
    {110, "Ds", "darmstadtium", 281000},
    {111, "Rg", "roentgenium", 280000},
    {112, "Cn", "copernicium", 285000},
    {113, "Nh", "nihonium", 284000},
    {114, "Fl", "flerovium", 289000},
    {115, "Mc", "moscovium", 288000},
    {116, "Lv", "livermorium", 293000},
    {117, "Ts", "tennessine", 294000},
    {118, "Og", "oganesson", 294000}
};
#define N_ELEMENTS (sizeof ELEMENTS / sizeof ELEMENTS[0])

/* {mass: float (mass_m1000 / 1000), name, symbol, z: int} */
static jv *to_value(lx_ctx *cx, const element_t *e) {
    jv *o = jv_obj(cx);
    jv_set(cx, o, "z", jv_uint(cx, e->z));
    jv_set(cx, o, "symbol", jv_str(cx, e->symbol));
    jv_set(cx, o, "name", jv_str(cx, e->name));
    jv_set(cx, o, "mass", jv_float(cx, (double)e->mass_m1000 / 1000.0));
    return o;
}
static jv *op_by_number(lx_ctx *cx, const jv *a) {
    uint64_t z;
    if (!lx_arg_uintx(a, "z", &z)) return NULL;
    uint8_t z8 = (uint8_t)z; /* larql casts to u8: z=335 acts as 79 */
    for (size_t i = 0; i < N_ELEMENTS; i++) if (ELEMENTS[i].z == z8) return to_value(cx, &ELEMENTS[i]);
    return NULL; /* no match declines */
}
static int ieq_ascii(const char *a, size_t an, const char *b) {
    if (an != strlen(b)) return 0;
    for (size_t i = 0; i < an; i++) {
        unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
    }
    return 1;
}
static jv *op_by_symbol(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "symbol", &s, &n)) return NULL;
    lx_trim(&s, &n);
    for (size_t i = 0; i < N_ELEMENTS; i++) if (ieq_ascii(s, n, ELEMENTS[i].symbol)) return to_value(cx, &ELEMENTS[i]);
    return NULL;
}
static jv *op_by_name(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "name", &s, &n)) return NULL;
    lx_trim(&s, &n);
    /* to_ascii_lowercase, then exact comparison with the lowercase table names */
    for (size_t i = 0; i < N_ELEMENTS; i++) if (ieq_ascii(s, n, ELEMENTS[i].name)) return to_value(cx, &ELEMENTS[i]);
    return NULL;
}
static jv *op_list(lx_ctx *cx, const jv *a) {
    (void)a; /* needs no argument: works even when the args JSON is invalid */
    jv *arr = jv_arr(cx);
    for (size_t i = 0; i < N_ELEMENTS; i++) jv_push(cx, arr, to_value(cx, &ELEMENTS[i]));
    return arr;
}

static const lx_op OPS[] = {
    {"by_number", op_by_number, {"z"}},
    {"by_symbol", op_by_symbol, {"symbol"}},
    {"by_name", op_by_name, {"name"}},
    {"list", op_list, {NULL}},
};

LARQL_EXPERT("element", 1, "Periodic table: lookup by IUPAC name, symbol, or atomic number", "0.2.0", OPS)

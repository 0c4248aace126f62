/* A tiny native library for the NativeUser fixture plugin: proves that a plugin's native library
   is found by the usual prefix/suffix rules in the plugin folder and freed when the plugin unloads. */
int fixture_add(int a, int b) { return a + b; }

/* Header-only module: the symbol comes from libFuzzer (-sanitize=fuzzer). */
#include "CFuzzDriver.h"

#ifndef REDLINE_CFUZZDRIVER_H
#define REDLINE_CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

/* libFuzzer's driver entry (compiler-rt, FuzzerDriver.cpp). SwiftPM gives every executable its
   own `main`, so the targets call the driver from there instead of using libFuzzer's main. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif

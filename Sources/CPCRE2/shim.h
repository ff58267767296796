#ifndef REDLINE_CPCRE2_SHIM_H
#define REDLINE_CPCRE2_SHIM_H
/* PCRE2 needs the code unit width before the header; Swift calls the _8 functions. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Cast macros that Swift cannot import. */
static inline PCRE2_SIZE redline_pcre2_unset(void) { return PCRE2_UNSET; }
static inline PCRE2_SIZE redline_pcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }
#endif

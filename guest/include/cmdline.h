#ifndef _GUEST_CMDLINE_H
#define _GUEST_CMDLINE_H

/*
 * Kernel command-line words (lib/cmdline.c), the helpers every option parser
 * uses, in the spirit of Linux's lib/cmdline.c (get_option) and
 * kernel/params.c: a word is (word, len), not NUL-terminated.
 */

#include "types.h"

/* true if the word is exactly name. */
bool cmdline_word_is(const char *word, size_t len, const char *name);

/*
 * true if the word is "name=..."; then *n is its number (decimal, 0x hex or 0
 * octal), or ~0ULL after a one-line "Malformed option" report if the rest is
 * not a whole number.
 */
bool cmdline_option_number(const char *word, size_t len, const char *name, unsigned long long *n);

#endif /* _GUEST_CMDLINE_H */

/* Kernel command-line word helpers: see include/cmdline.h. */

#include "cmdline.h"
#include "kernel.h"
#include "string.h"

bool cmdline_word_is(const char *word, size_t len, const char *name)
{
	return strlen(name) == len && !strncmp(word, name, len);
}

bool cmdline_option_number(const char *word, size_t len, const char *name, unsigned long long *n)
{
	size_t name_len = strlen(name);
	const char *end;

	if (len <= name_len + 1 || strncmp(word, name, name_len) || word[name_len] != '=')
		return false;
	*n = simple_strtoull(word + name_len + 1, &end, 0);
	if (end != word + len || end == word + name_len + 1) {
		printk("Malformed option \"%.*s\", ignored\n", (int)len, word);
		*n = ~0ULL;
	}
	return true;
}

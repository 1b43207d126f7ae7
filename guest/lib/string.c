/*
 * The string functions the kernel (and gcc itself, for struct copies and
 * initialisation) needs. Built with -fno-tree-loop-distribute-patterns so
 * that gcc does not turn these loops back into calls to themselves.
 */

#include "string.h"

/*
 * memset and memcpy as Linux's are on CPUs with fast string instructions
 * (X86_FEATURE_REP_GOOD, memset_c/memcpy_c): REP STOS/MOVS of words, then
 * of the remaining bytes. The receive path clears every sk_buff and copies
 * headers; as loops of moves these were a sixth of its instructions.
 * DF is clear, as the C ABI guarantees at every call.
 */
#ifdef __x86_64__
#define REP_STOS_WORD "rep stosq"
#define REP_MOVS_WORD "rep movsq"
#else
#define REP_STOS_WORD "rep stosl"
#define REP_MOVS_WORD "rep movsl"
#endif

void *memset(void *s, int c, size_t n)
{
	void *p = s;
	unsigned long words = n / sizeof(long), bytes = n % sizeof(long);
	unsigned long word = (unsigned char)c * (~0UL / 0xff);

	asm volatile(REP_STOS_WORD : "+D"(p), "+c"(words) : "a"(word) : "memory");
	asm volatile("rep stosb" : "+D"(p), "+c"(bytes) : "a"(word) : "memory");
	return s;
}

void *memcpy(void *dest, const void *src, size_t n)
{
	void *d = dest;
	unsigned long words = n / sizeof(long), bytes = n % sizeof(long);

	asm volatile(REP_MOVS_WORD : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(bytes) : : "memory");
	return dest;
}

void *memmove(void *dest, const void *src, size_t n)
{
	unsigned char *d = dest;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dest, src, n);
	while (n--)
		d[n] = s[n];
	return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s != (char)c; s++) {
		if (!*s)
			return NULL;
	}
	return (char *)s;
}

size_t strlcpy(char *dest, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len >= size ? size - 1 : len;

		memcpy(dest, src, n);
		dest[n] = '\0';
	}
	return len;
}

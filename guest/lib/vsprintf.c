/*
 * vsnprintf: conversions %d %i %u %x %X %o %c %s %p %%, flags '-' '0' '+'
 * ' ' '#', field width and precision (also as '*'), length modifiers
 * hh h l ll z t. Output matches C's snprintf, except %p, which always
 * prints 0x and 16 hex digits unless a width is given.
 */

#include "ctype.h"
#include "kernel.h"
#include "string.h"

#define FLAG_ZEROPAD 0x01 /* pad with zeros */
#define FLAG_SIGN 0x02	  /* signed conversion */
#define FLAG_PLUS 0x04	  /* show '+' */
#define FLAG_SPACE 0x08	  /* ' ' for positive numbers */
#define FLAG_LEFT 0x10	  /* left justified */
#define FLAG_SMALL 0x20	  /* lower-case hex digits */
#define FLAG_SPECIAL 0x40 /* '#': 0x prefix */

struct printf_spec {
	unsigned int flags;
	int width;
	int precision; /* -1: none given */
	unsigned int base;
};

static char *put_char(char *buf, const char *end, char c)
{
	if (buf < end)
		*buf = c;
	return buf + 1;
}

static char *number(char *buf, const char *end, unsigned long long num,
		    const struct printf_spec *spec)
{
	static const char upper_digits[] = "0123456789ABCDEF";
	static const char lower_digits[] = "0123456789abcdef";
	const char *digits = (spec->flags & FLAG_SMALL) ? lower_digits : upper_digits;
	unsigned int flags = spec->flags;
	int width = spec->width;
	int precision = spec->precision;
	char tmp[24];
	char sign = 0;
	int i = 0;

	if (precision >= 0)
		flags &= ~FLAG_ZEROPAD;
	if (flags & FLAG_LEFT)
		flags &= ~FLAG_ZEROPAD;

	if (flags & FLAG_SIGN) {
		if ((long long)num < 0) {
			sign = '-';
			num = -(long long)num;
		} else if (flags & FLAG_PLUS) {
			sign = '+';
		} else if (flags & FLAG_SPACE) {
			sign = ' ';
		}
		if (sign)
			width--;
	}
	/* As in C, '#' adds no prefix to a zero. */
	if (num == 0)
		flags &= ~FLAG_SPECIAL;
	if ((flags & FLAG_SPECIAL) && spec->base == 16)
		width -= 2;
	else if ((flags & FLAG_SPECIAL) && spec->base == 8)
		width--;

	if (num == 0 && precision != 0) {
		tmp[i++] = '0';
	} else if (spec->base == 16) {
		for (; num; num >>= 4)
			tmp[i++] = digits[num & 15];
	} else if (spec->base == 8) {
		for (; num; num >>= 3)
			tmp[i++] = digits[num & 7];
	} else {
		for (; num; num /= 10)
			tmp[i++] = digits[num % 10];
	}

	if (precision < i)
		precision = i;
	width -= precision;

	if (!(flags & (FLAG_LEFT | FLAG_ZEROPAD))) {
		while (width-- > 0)
			buf = put_char(buf, end, ' ');
	}
	if (sign)
		buf = put_char(buf, end, sign);
	if (flags & FLAG_SPECIAL) {
		if (spec->base == 16) {
			buf = put_char(buf, end, '0');
			buf = put_char(buf, end, (flags & FLAG_SMALL) ? 'x' : 'X');
		} else if (spec->base == 8) {
			buf = put_char(buf, end, '0');
		}
	}
	if (!(flags & FLAG_LEFT)) {
		char pad = (flags & FLAG_ZEROPAD) ? '0' : ' ';

		while (width-- > 0)
			buf = put_char(buf, end, pad);
	}
	while (i < precision--)
		buf = put_char(buf, end, '0');
	while (i-- > 0)
		buf = put_char(buf, end, tmp[i]);
	while (width-- > 0)
		buf = put_char(buf, end, ' ');
	return buf;
}

static char *string(char *buf, const char *end, const char *s, const struct printf_spec *spec)
{
	int len, width = spec->width;

	if (!s)
		s = "(null)";
	len = strnlen(s, spec->precision < 0 ? (size_t)-1 : (size_t)spec->precision);

	if (!(spec->flags & FLAG_LEFT)) {
		while (len < width--)
			buf = put_char(buf, end, ' ');
	}
	for (int i = 0; i < len; i++)
		buf = put_char(buf, end, s[i]);
	while (len < width--)
		buf = put_char(buf, end, ' ');
	return buf;
}

static int skip_atoi(const char **s)
{
	int i = 0;

	while (isdigit(**s))
		i = i * 10 + *((*s)++) - '0';
	return i;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	char *str = buf;
	const char *end = buf + size;
	struct printf_spec spec;
	unsigned long long num;
	int qualifier;

	/* Keep "end" meaningful if size would wrap around the address space. */
	if (end < buf) {
		end = (const char *)-1;
		size = end - buf;
	}

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			str = put_char(str, end, *fmt);
			continue;
		}

		/* Flags. */
		spec.flags = 0;
		for (;;) {
			fmt++;
			if (*fmt == '-')
				spec.flags |= FLAG_LEFT;
			else if (*fmt == '+')
				spec.flags |= FLAG_PLUS;
			else if (*fmt == ' ')
				spec.flags |= FLAG_SPACE;
			else if (*fmt == '#')
				spec.flags |= FLAG_SPECIAL;
			else if (*fmt == '0')
				spec.flags |= FLAG_ZEROPAD;
			else
				break;
		}

		/* Field width. */
		spec.width = -1;
		if (isdigit(*fmt)) {
			spec.width = skip_atoi(&fmt);
		} else if (*fmt == '*') {
			fmt++;
			spec.width = va_arg(args, int);
			if (spec.width < 0) {
				spec.width = -spec.width;
				spec.flags |= FLAG_LEFT;
			}
		}

		/* Precision. */
		spec.precision = -1;
		if (*fmt == '.') {
			fmt++;
			if (isdigit(*fmt)) {
				spec.precision = skip_atoi(&fmt);
			} else if (*fmt == '*') {
				fmt++;
				spec.precision = va_arg(args, int);
			} else {
				spec.precision = 0;
			}
			if (spec.precision < 0)
				spec.precision = -1;
		}

		/* Length modifier: 'H' stands for hh, 'L' for ll. */
		qualifier = 0;
		if (*fmt == 'h' || *fmt == 'l' || *fmt == 'z' || *fmt == 't') {
			qualifier = *fmt++;
			if (qualifier == 'h' && *fmt == 'h') {
				qualifier = 'H';
				fmt++;
			} else if (qualifier == 'l' && *fmt == 'l') {
				qualifier = 'L';
				fmt++;
			}
		}

		spec.base = 10;
		switch (*fmt) {
		case 'c':
			spec.precision = -1;
			if (!(spec.flags & FLAG_LEFT)) {
				while (--spec.width > 0)
					str = put_char(str, end, ' ');
			}
			str = put_char(str, end, (unsigned char)va_arg(args, int));
			while (--spec.width > 0)
				str = put_char(str, end, ' ');
			continue;
		case 's':
			str = string(str, end, va_arg(args, const char *), &spec);
			continue;
		case 'p':
			str = put_char(str, end, '0');
			str = put_char(str, end, 'x');
			if (spec.width == -1) {
				spec.width = 2 * sizeof(void *);
				spec.flags |= FLAG_ZEROPAD;
			} else {
				spec.width -= 2;
			}
			spec.flags |= FLAG_SMALL;
			spec.base = 16;
			str = number(str, end, (unsigned long)va_arg(args, void *), &spec);
			continue;
		case '%':
			str = put_char(str, end, '%');
			continue;
		case 'o':
			spec.base = 8;
			break;
		case 'x':
			spec.flags |= FLAG_SMALL;
			/* fall through */
		case 'X':
			spec.base = 16;
			break;
		case 'd':
		case 'i':
			spec.flags |= FLAG_SIGN;
			break;
		case 'u':
			break;
		default:
			/* Unknown conversion: print it as it was written. */
			str = put_char(str, end, '%');
			if (*fmt)
				str = put_char(str, end, *fmt);
			else
				fmt--;
			continue;
		}

		if (spec.flags & FLAG_SIGN) {
			switch (qualifier) {
			case 'L':
				num = va_arg(args, long long);
				break;
			case 'l':
			case 'z':
			case 't':
				num = va_arg(args, long);
				break;
			case 'h':
				num = (short)va_arg(args, int);
				break;
			case 'H':
				num = (signed char)va_arg(args, int);
				break;
			default:
				num = va_arg(args, int);
				break;
			}
		} else {
			switch (qualifier) {
			case 'L':
				num = va_arg(args, unsigned long long);
				break;
			case 'l':
			case 'z':
			case 't':
				num = va_arg(args, unsigned long);
				break;
			case 'h':
				num = (unsigned short)va_arg(args, unsigned int);
				break;
			case 'H':
				num = (unsigned char)va_arg(args, unsigned int);
				break;
			default:
				num = va_arg(args, unsigned int);
				break;
			}
		}
		str = number(str, end, num, &spec);
	}

	if (size > 0) {
		if (str < end)
			*str = '\0';
		else
			buf[size - 1] = '\0';
	}
	return str - buf;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

unsigned long long simple_strtoull(const char *cp, const char **endp, unsigned int base)
{
	unsigned long long result = 0;

	if (!base) {
		base = 10;
		if (cp[0] == '0') {
			base = 8;
			cp++;
			if (tolower(cp[0]) == 'x' && isxdigit(cp[1])) {
				base = 16;
				cp++;
			}
		}
	} else if (base == 16 && cp[0] == '0' && tolower(cp[1]) == 'x') {
		cp += 2;
	}

	for (;; cp++) {
		unsigned int value;

		if (isdigit(*cp))
			value = *cp - '0';
		else if (isxdigit(*cp))
			value = tolower(*cp) - 'a' + 10;
		else
			break;
		if (value >= base)
			break;
		result = result * base + value;
	}
	if (endp)
		*endp = cp;
	return result;
}

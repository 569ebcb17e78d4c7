/*
 * test-lib.h: a tiny TAP producer for hopwatch's C unit tests (the C
 * counterpart of t/test-lib.sh).  Header-only: include it once, in the one
 * .c file of a test program, call the assertions, and end main() with
 * `return done_testing();`.  prove(1) reads the output.
 *
 *   ok(cond, fmt, ...)            a condition, named with a printf format
 *   is_str(got, want, name)       two strings; NULL allowed on either side
 *   is_int(got, want, name)       two integers (compared as long long)
 *   is_double(got, want, eps, n)  two doubles within eps
 *   diag(fmt, ...)                a "# " comment line
 *   done_testing()                prints the plan "1..N"; the exit status
 *
 * Everything goes to stdout, so diagnostics stay next to the assertion
 * they explain (stderr would interleave differently through a pipe).
 */
#ifndef HW_TEST_LIB_H
#define HW_TEST_LIB_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Assertions run so far; the number of the next one is tl_run + 1. */
static int tl_run;
/* Assertions that failed. */
static int tl_failed;

/* Print one "# " line; also used for the details of a failure. */
static inline void __attribute__((format(printf, 1, 2), unused)) diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Report one assertion: "ok N - name" or "not ok N - name".  Returns
 * `pass` so callers can add details only on failure. */
static inline int __attribute__((format(printf, 4, 0), unused))
tl_vreport(int pass, const char *file, int line, const char *fmt, va_list ap)
{
	tl_run++;
	printf("%sok %d - ", pass ? "" : "not ", tl_run);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	if (!pass) {
		tl_failed++;
		printf("#   Failed test at %s line %d.\n", file, line);
	}
	fflush(stdout);
	return pass;
}

/* The function behind ok(). */
static inline int __attribute__((format(printf, 4, 5), unused))
tl_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tl_vreport(pass, file, line, fmt, ap);
	va_end(ap);
	return r;
}

/* Pass when `cond` is true; the rest is a printf name.  Returns the result. */
#define ok(cond, ...) tl_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Print `s` as a C string literal, escapes visible ("a\n\x01"), or NULL. */
static inline void __attribute__((unused)) tl_print_escaped(const char *s)
{
	if (!s) {
		fputs("NULL", stdout);
		return;
	}
	fputc('"', stdout);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '"': fputs("\\\"", stdout); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				printf("\\x%02x", *p);  /* UTF-8 shows as bytes: lengths are in bytes */
			else
				fputc(*p, stdout);
		}
	}
	fputc('"', stdout);
}

/* The function behind is_str(): equal when both NULL or strcmp() == 0. */
static inline int __attribute__((unused))
tl_is_str(const char *got, const char *want, const char *file, int line, const char *name)
{
	int pass = (!got && !want) || (got && want && !strcmp(got, want));

	if (!tl_ok(pass, file, line, "%s", name)) {
		fputs("#          got: ", stdout);
		tl_print_escaped(got);
		fputs("\n#     expected: ", stdout);
		tl_print_escaped(want);
		fputc('\n', stdout);
	}
	return pass;
}

/* Pass when strings `got` and `want` are equal; prints both on failure. */
#define is_str(got, want, name) tl_is_str((got), (want), __FILE__, __LINE__, (name))

/* The function behind is_int(). */
static inline int __attribute__((unused))
tl_is_int(long long got, long long want, const char *file, int line, const char *name)
{
	int pass = got == want;

	if (!tl_ok(pass, file, line, "%s", name))
		printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return pass;
}

/* Pass when integers `got` and `want` are equal; prints both on failure. */
#define is_int(got, want, name) \
	tl_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, (name))

/* The function behind is_double(); NaN equals only NaN. */
static inline int __attribute__((unused))
tl_is_double(double got, double want, double eps, const char *file, int line, const char *name)
{
	int pass = (isnan(got) && isnan(want)) || (got == want) || fabs(got - want) <= eps;

	if (!tl_ok(pass, file, line, "%s", name))
		printf("#          got: %.17g\n#     expected: %.17g (within %g)\n", got, want, eps);
	return pass;
}

/* Pass when doubles `got` and `want` differ by at most `eps`. */
#define is_double(got, want, eps, name) \
	tl_is_double((got), (want), (eps), __FILE__, __LINE__, (name))

/* Print the plan and return the exit status for main(): 0 when every
 * assertion passed (and there was at least one), else 1. */
static inline int __attribute__((unused)) done_testing(void)
{
	printf("1..%d\n", tl_run);
	if (tl_failed)
		diag("Looks like you failed %d test%s of %d.", tl_failed, tl_failed == 1 ? "" : "s", tl_run);
	fflush(stdout);
	return tl_failed || !tl_run ? 1 : 0;
}

#endif

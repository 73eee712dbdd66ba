/* First-bytes checks for HTTP/1.x messages. */
#pragma once

static __always_inline bool starts_with4(const __u8 *p, char a, char b, char c, char d)
{
	return p[0] == a && p[1] == b && p[2] == c && p[3] == d;
}

/* looks_like_http1_request checks the first bytes of a message for an
 * HTTP/1.x request method. */
static __always_inline bool looks_like_http1_request(const __u8 *p)
{
	return starts_with4(p, 'G', 'E', 'T', ' ') || starts_with4(p, 'P', 'O', 'S', 'T') ||
	       starts_with4(p, 'P', 'U', 'T', ' ') || starts_with4(p, 'H', 'E', 'A', 'D') ||
	       starts_with4(p, 'D', 'E', 'L', 'E') || starts_with4(p, 'P', 'A', 'T', 'C') ||
	       starts_with4(p, 'O', 'P', 'T', 'I') || starts_with4(p, 'C', 'O', 'N', 'N') ||
	       starts_with4(p, 'T', 'R', 'A', 'C');
}

/* may_start_method tells whether c is the first letter of a method that
 * looks_like_http1_request knows. */
static __always_inline bool may_start_method(__u8 c)
{
	return c == 'G' || c == 'P' || c == 'H' || c == 'D' || c == 'O' || c == 'C' || c == 'T';
}

/* looks_like_http1 checks the first bytes of a message for an HTTP/1.x
 * request method or status line. */
static __always_inline bool looks_like_http1(const __u8 *p)
{
	return looks_like_http1_request(p) || starts_with4(p, 'H', 'T', 'T', 'P');
}

/*
 * dns.c: DNS message parse and query build (lib/pkt, see dns.h), for the
 * dns plugin's query and passive modes.
 *
 * Pure functions: no I/O, no state, no allocation.  Every read is checked
 * against the message length before it is made; counts and lengths in the
 * message are only ever upper bounds the input must also satisfy.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "pkt_dns.h"
#include "pkt_private.h"

#define IP4_MIN_HDR 20   /* IPv4 header without options, bytes */
#define IP6_HDR 40       /* IPv6 fixed header, bytes */
#define TCP_MIN_HDR 20   /* TCP header without options, bytes */

/* Whether octet `c` stands for itself in a text name. */
static int name_plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*' || c == '/';
}

int pkt_dns_name(const void *msg, size_t len, size_t *off, char *out, size_t cap)
{
	const uint8_t *m = msg;
	size_t pos, end = 0, wire = 0, n = 0;
	int jumped = 0;

	if (!msg || !off || !out || cap < PKT_DNS_NAME_MAX)
		return PKT_BAD_ARG;
	pos = *off;
	for (;;) {
		uint8_t l;
		if (pos >= len)
			return PKT_SHORT;
		l = m[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t to;
			if (pos + 1 >= len)
				return PKT_SHORT;
			to = (size_t)(l & 0x3f) << 8 | m[pos + 1];
			/* strictly backwards: every jump lowers pos, so loops end */
			if (to >= pos)
				return PKT_DNS_BAD_NAME;
			if (!jumped)
				end = pos + 2;
			jumped = 1;
			pos = to;
			continue;
		}
		if (l & 0xc0)
			return PKT_DNS_BAD_NAME;  /* 0x40 and 0x80 label types (RFC 6891 5) */
		wire += 1u + l;
		if (wire > PKT_DNS_NAME_WIRE_MAX)
			return PKT_DNS_BAD_NAME;
		if (!l)
			break;
		if (pos + 1 + l > len)
			return PKT_SHORT;
		if (n)
			out[n++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t c = (uint8_t)tolower(m[pos + 1 + i]);
			if (name_plain(c))
				out[n++] = (char)c;
			else if (c == '.' || c == '\\')
				out[n++] = '\\', out[n++] = (char)c;
			else
				n += (size_t)snprintf(out + n, cap - n, "\\%03u", c);
		}
		pos += 1u + l;
	}
	if (!n)
		out[n++] = '.';
	out[n] = '\0';
	*off = jumped ? end : pos + 1;
	return (int)n;
}

int pkt_dns_rr_read(const void *msg, size_t len, size_t *off, pkt_dns_rr *rr)
{
	const uint8_t *m = msg;
	size_t p;
	int r;

	if (!msg || !off || !rr)
		return PKT_BAD_ARG;
	p = *off;
	if ((r = pkt_dns_name(msg, len, &p, rr->name, sizeof rr->name)) < 0)
		return r;
	if (p + 10 > len)
		return PKT_SHORT;
	rr->type = pkt_get16(m + p);
	rr->rclass = pkt_get16(m + p + 2);
	rr->ttl = pkt_get32(m + p + 4);
	rr->rdlen = pkt_get16(m + p + 8);
	rr->rdata_off = p + 10;
	if (rr->rdata_off + rr->rdlen > len)
		return PKT_SHORT;
	*off = rr->rdata_off + rr->rdlen;
	return 0;
}

int pkt_dns_parse(const void *msg, size_t len, pkt_dns_msg *m)
{
	const uint8_t *b = msg;
	size_t off = PKT_DNS_HDR_LEN;
	char skip[PKT_DNS_NAME_MAX];
	unsigned total;
	int r;

	if (!msg || !m)
		return PKT_BAD_ARG;
	if (len < PKT_DNS_HDR_LEN)
		return PKT_SHORT;
	memset(m, 0, sizeof *m);
	m->id = pkt_get16(b);
	m->qr = b[2] >> 7;
	m->opcode = (b[2] >> 3) & 0xf;
	m->aa = (b[2] >> 2) & 1;
	m->tc = (b[2] >> 1) & 1;
	m->rd = b[2] & 1;
	m->ra = b[3] >> 7;
	m->rcode = b[3] & 0xf;
	m->qdcount = pkt_get16(b + 4);
	m->ancount = pkt_get16(b + 6);
	m->nscount = pkt_get16(b + 8);
	m->arcount = pkt_get16(b + 10);
	if (m->opcode != 0 || m->qdcount == 0)
		return PKT_DNS_BAD_MSG;
	for (unsigned q = 0; q < m->qdcount; q++) {
		char *name = q ? skip : m->qname;
		if ((r = pkt_dns_name(msg, len, &off, name, PKT_DNS_NAME_MAX)) < 0)
			return r;
		if (off + 4 > len)
			return PKT_SHORT;
		if (!q) {
			m->qtype = pkt_get16(b + off);
			m->qclass = pkt_get16(b + off + 2);
		}
		off += 4;
	}
	m->an_off = off;
	total = (unsigned)m->ancount + m->nscount + m->arcount;
	for (unsigned i = 0; i < total; i++) {
		pkt_dns_rr rr;
		if (m->tc && off == len)
			break;  /* truncated (RFC 1035 4.2.1): the records may be missing */
		if ((r = pkt_dns_rr_read(msg, len, &off, &rr)) < 0)
			return r;
		if (i >= (unsigned)m->ancount + m->nscount && rr.type == PKT_DNS_OPT && !m->edns) {
			/* RFC 6891 6.1.3: TTL holds EXTENDED-RCODE (upper 8 bits), VERSION, flags */
			m->edns = 1;
			m->edns_size = rr.rclass;
			m->rcode |= (int)(rr.ttl >> 24) << 4;
		}
	}
	return 0;
}

/* Append `s` to out[*n] within cap; 0, or -1 when it does not fit. */
static int put(char *out, size_t cap, size_t *n, const char *s)
{
	size_t l = strlen(s);

	if (*n + l >= cap)
		return -1;
	memcpy(out + *n, s, l + 1);
	*n += l;
	return 0;
}

/* Append the name at rdata offset *p (bounded by `end`). */
static int put_name(const void *msg, size_t end, size_t *p, char *out, size_t cap, size_t *n)
{
	char name[PKT_DNS_NAME_MAX];
	int r = pkt_dns_name(msg, end, p, name, sizeof name);

	if (r < 0)
		return r;
	return put(out, cap, n, name) < 0 ? PKT_BAD_ARG : 0;
}

int pkt_dns_rdata_text(const void *msg, size_t len, const pkt_dns_rr *rr, char *out, size_t cap)
{
	const uint8_t *m = msg;
	size_t p, end, n = 0;
	char num[64];
	int r = 0;

	if (!msg || !rr || !out || cap < PKT_DNS_RDATA_MAX)
		return PKT_BAD_ARG;
	p = rr->rdata_off;
	end = p + rr->rdlen;
	if (end > len)
		return PKT_SHORT;
	out[0] = '\0';
	switch (rr->type) {
	case PKT_DNS_A:
	case PKT_DNS_AAAA:
		if (rr->rdlen != (rr->type == PKT_DNS_A ? 4 : 16))
			return PKT_SHORT;
		inet_ntop(rr->type == PKT_DNS_A ? AF_INET : AF_INET6, m + p, out, (socklen_t)cap);
		return (int)strlen(out);
	case PKT_DNS_CNAME:
	case PKT_DNS_NS:
	case PKT_DNS_PTR:
		/* names in rdata may point back into the message, never past the rdata */
		r = put_name(msg, end, &p, out, cap, &n);
		break;
	case PKT_DNS_MX:
	case PKT_DNS_SRV: {
		/* MX: preference, exchange (RFC 1035 3.3.9); SRV: priority, weight,
		 * port, target (RFC 2782) */
		size_t fixed = rr->type == PKT_DNS_MX ? 1 : 3;
		if (p + 2 * fixed > end)
			return PKT_SHORT;
		for (size_t i = 0; i < fixed; i++, p += 2) {
			snprintf(num, sizeof num, "%u ", pkt_get16(m + p));
			if (put(out, cap, &n, num) < 0)
				return PKT_BAD_ARG;
		}
		r = put_name(msg, end, &p, out, cap, &n);
		break;
	}
	case PKT_DNS_SOA:
		if ((r = put_name(msg, end, &p, out, cap, &n)) < 0 || put(out, cap, &n, " ") < 0 ||
		    (r = put_name(msg, end, &p, out, cap, &n)) < 0)
			break;
		if (p + 20 > end)
			return PKT_SHORT;
		snprintf(num, sizeof num, " %u %u %u %u %u", pkt_get32(m + p), pkt_get32(m + p + 4), pkt_get32(m + p + 8),
		         pkt_get32(m + p + 12), pkt_get32(m + p + 16));
		p += 20;
		if (put(out, cap, &n, num) < 0)
			return PKT_BAD_ARG;
		break;
	case PKT_DNS_TXT:
		while (p < end) {
			uint8_t l = m[p++];
			if (p + l > end)
				return PKT_SHORT;
			if (n + 3 + 4u * l >= cap)
				return PKT_BAD_ARG;
			if (n)
				out[n++] = ' ';
			out[n++] = '"';
			for (size_t i = 0; i < l; i++, p++) {
				uint8_t c = m[p];
				if (c == '"' || c == '\\')
					out[n++] = '\\', out[n++] = (char)c;
				else if (c < 0x20 || c >= 0x7f)
					n += (size_t)snprintf(out + n, cap - n, "\\%03u", c);
				else
					out[n++] = (char)c;
			}
			out[n++] = '"';
			out[n] = '\0';
		}
		break;
	default:
		n = (size_t)snprintf(out, cap, "\\# %u", rr->rdlen);
		if (rr->rdlen && (n + 1 + 2u * rr->rdlen >= cap))
			return PKT_BAD_ARG;
		if (rr->rdlen)
			out[n++] = ' ';
		for (; p < end; p++)
			n += (size_t)snprintf(out + n, cap - n, "%02x", m[p]);
		return (int)n;
	}
	if (r < 0)
		return r;
	/* the names and fixed fields must fill the rdata exactly */
	if (p != end)
		return PKT_SHORT;
	return (int)n;
}

size_t pkt_dns_query_build(void *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype,
                           int rd, uint16_t edns_size)
{
	uint8_t *b = buf, label[63];
	size_t off = PKT_DNS_HDR_LEN, wire = 1, need;
	const char *s = name;

	if (!buf || !name || cap < PKT_DNS_HDR_LEN + 1 + 4)
		return 0;
	memset(b, 0, PKT_DNS_HDR_LEN);
	pkt_put16(b, id);
	b[2] = rd ? 1 : 0;
	pkt_put16(b + 4, 1);
	if (!strcmp(name, "."))
		s = "";
	while (*s) {
		size_t l = 0;
		while (*s && *s != '.') {
			unsigned c = (unsigned char)*s++;
			if (c == '\\') {
				if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2])) {
					c = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 + (unsigned)(s[2] - '0');
					if (c > 255)
						return 0;
					s += 3;
				} else if (*s) {
					c = (unsigned char)*s++;
				} else {
					return 0;
				}
			}
			if (l == sizeof label)
				return 0;
			label[l++] = (uint8_t)c;
		}
		if (!l)
			return 0;   /* empty label: ".." or a leading dot */
		wire += 1 + l;
		if (wire > PKT_DNS_NAME_WIRE_MAX || off + 1 + l + 1 > cap)
			return 0;
		b[off++] = (uint8_t)l;
		memcpy(b + off, label, l);
		off += l;
		if (*s == '.')
			s++;
	}
	need = off + 1 + 4 + (edns_size ? 11 : 0);
	if (need > cap)
		return 0;
	b[off++] = 0;
	pkt_put16(b + off, qtype);
	pkt_put16(b + off + 2, PKT_DNS_CLASS_IN);
	off += 4;
	if (edns_size) {
		/* RFC 6891 6.1.2: root name, type OPT, class = payload size, TTL 0, no options */
		pkt_put16(b + 10, 1);
		b[off++] = 0;
		pkt_put16(b + off, PKT_DNS_OPT);
		pkt_put16(b + off + 2, edns_size);
		memset(b + off + 4, 0, 6);
		off += 10;
	}
	return off;
}

/* The types the helpers name, in both directions. */
static const struct { uint16_t code; const char *name; } dns_types[] = {
	{ PKT_DNS_A, "A" }, { PKT_DNS_NS, "NS" }, { PKT_DNS_CNAME, "CNAME" }, { PKT_DNS_SOA, "SOA" },
	{ PKT_DNS_PTR, "PTR" }, { PKT_DNS_MX, "MX" }, { PKT_DNS_TXT, "TXT" }, { PKT_DNS_AAAA, "AAAA" },
	{ PKT_DNS_SRV, "SRV" },
};

uint16_t pkt_dns_type_code(const char *word)
{
	for (size_t i = 0; word && i < sizeof dns_types / sizeof dns_types[0]; i++)
		if (!strcasecmp(word, dns_types[i].name))
			return dns_types[i].code;
	return 0;
}

const char *pkt_dns_type_name(uint16_t type)
{
	for (size_t i = 0; i < sizeof dns_types / sizeof dns_types[0]; i++)
		if (dns_types[i].code == type)
			return dns_types[i].name;
	return NULL;
}

const char *pkt_dns_rcode_name(int rcode, char *buf, size_t cap)
{
	/* RFC 6895 2.3: 0..10 and 16 (BADVERS, extended rcode via OPT) */
	static const char *const names[] = {
		"noerror", "formerr", "servfail", "nxdomain", "notimp", "refused",
		"yxdomain", "yxrrset", "nxrrset", "notauth", "notzone",
	};

	if (rcode >= 0 && rcode < (int)(sizeof names / sizeof names[0]))
		return names[rcode];
	if (rcode == 16)
		return "badvers";
	snprintf(buf, cap, "rcode%d", rcode);
	return buf;
}

size_t pkt_dns_domain_cut(const char *name, unsigned labels, char *out, size_t cap)
{
	size_t len = strlen(name), start = 0;
	unsigned seen = 0;

	if (!cap)
		return 0;
	if (labels && strcmp(name, ".")) {
		for (size_t i = len; i-- > 0;) {
			/* a dot not escaped by an odd run of backslashes */
			size_t bs = 0;
			if (name[i] != '.')
				continue;
			while (bs < i && name[i - 1 - bs] == '\\')
				bs++;
			if (bs & 1)
				continue;
			if (++seen == labels) {
				start = i + 1;
				break;
			}
		}
	}
	snprintf(out, cap, "%s", name + start);
	return strlen(out);
}

int pkt_dns_pkt_parse(const void *pkt, size_t len, pkt_dns_pkt *p)
{
	const uint8_t *b = pkt;
	size_t hl, end;

	if (!pkt || !p)
		return PKT_BAD_ARG;
	memset(p, 0, sizeof *p);
	if (len < 1)
		return PKT_SHORT;
	if (b[0] >> 4 == 4) {
		size_t tot;
		if (len < IP4_MIN_HDR)
			return PKT_SHORT;
		hl = (size_t)(b[0] & 0xf) * 4;
		tot = pkt_get16(b + 2);
		if (hl < IP4_MIN_HDR || tot < hl)
			return PKT_BAD_IP;
		if (tot > len)
			return PKT_SHORT;
		if (pkt_get16(b + 6) & 0x3fff)
			return PKT_BAD_IP;   /* MF set or an offset: a fragment */
		p->family = AF_INET;
		p->proto = b[9];
		memcpy(&p->src.v4, b + 12, 4);
		memcpy(&p->dst.v4, b + 16, 4);
		end = tot;
	} else if (b[0] >> 4 == 6) {
		if (len < IP6_HDR)
			return PKT_SHORT;
		hl = IP6_HDR;
		end = IP6_HDR + (size_t)pkt_get16(b + 4);
		if (end > len)
			return PKT_SHORT;
		p->family = AF_INET6;
		p->proto = b[6];
		memcpy(&p->src.v6, b + 8, 16);
		memcpy(&p->dst.v6, b + 24, 16);
	} else {
		return PKT_BAD_IP;
	}
	if (p->proto == IPPROTO_UDP) {
		size_t ul;
		if (hl + PKT_UDP_HDR_LEN > end)
			return PKT_SHORT;
		ul = pkt_get16(b + hl + 4);
		if (ul < PKT_UDP_HDR_LEN || hl + ul > end)
			return PKT_SHORT;
		p->sport = pkt_get16(b + hl);
		p->dport = pkt_get16(b + hl + 2);
		p->dns = b + hl + PKT_UDP_HDR_LEN;
		p->dns_len = ul - PKT_UDP_HDR_LEN;
		return 0;
	}
	if (p->proto == IPPROTO_TCP) {
		size_t th, ml;
		if (hl + TCP_MIN_HDR > end)
			return PKT_SHORT;
		th = (size_t)(b[hl + 12] >> 4) * 4;
		if (th < TCP_MIN_HDR)
			return PKT_BAD_IP;
		if (hl + th + 2 > end)
			return PKT_SHORT;   /* no data, or not even the length prefix */
		p->sport = pkt_get16(b + hl);
		p->dport = pkt_get16(b + hl + 2);
		ml = pkt_get16(b + hl + th);
		if (hl + th + 2 + ml > end)
			return PKT_SHORT;   /* the message continues in a later segment */
		p->dns = b + hl + th + 2;
		p->dns_len = ml;
		return 0;
	}
	return PKT_BAD_IP;
}

size_t pkt_dns_reverse_name(int family, const void *addr, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *a = addr;
	size_t n = 0;

	if (!addr || !out || cap < PKT_DNS_REVERSE_MAX)
		return 0;
	if (family == AF_INET)
		return (size_t)snprintf(out, cap, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
	if (family != AF_INET6)
		return 0;
	for (int i = 15; i >= 0; i--) {
		out[n++] = hex[a[i] & 0xf];
		out[n++] = '.';
		out[n++] = hex[a[i] >> 4];
		out[n++] = '.';
	}
	memcpy(out + n, "ip6.arpa", 9);
	return n + 8;
}

/* Most CNAMEs followed from the question's name to its PTR. */
#define PTR_MAX_CNAMES 8

int pkt_dns_ptr_read(const void *msg, size_t len, pkt_dns_ptr *out)
{
	const uint8_t *b = msg;
	char cur[PKT_DNS_NAME_MAX];
	pkt_dns_msg m;
	pkt_dns_rr rr;
	size_t off;
	int r;

	if (!msg || !out)
		return PKT_BAD_ARG;
	memset(out, 0, sizeof *out);
	if ((r = pkt_dns_parse(msg, len, &m)) < 0)
		return r;
	if (!m.qr || m.qtype != PKT_DNS_PTR || m.qclass != PKT_DNS_CLASS_IN)
		return PKT_DNS_BAD_MSG;
	out->rcode = m.rcode;
	snprintf(cur, sizeof cur, "%s", m.qname);
	out->ttl = UINT32_MAX;
	/* one pass per link of the chain: a CNAME may come after its target */
	for (int hop = 0; hop <= PTR_MAX_CNAMES; hop++) {
		int moved = 0;
		off = m.an_off;
		for (unsigned i = 0; i < m.ancount && !moved; i++) {
			if ((r = pkt_dns_rr_read(msg, len, &off, &rr)) < 0)
				return r;
			if (rr.rclass != PKT_DNS_CLASS_IN || strcmp(rr.name, cur))
				continue;
			if (rr.type == PKT_DNS_PTR || rr.type == PKT_DNS_CNAME) {
				size_t p = rr.rdata_off;
				if ((r = pkt_dns_name(msg, rr.rdata_off + rr.rdlen, &p, cur, sizeof cur)) < 0)
					return r;
				if (p != rr.rdata_off + rr.rdlen)
					return PKT_DNS_BAD_NAME;  /* rdata longer than its name */
				if (rr.ttl < out->ttl)
					out->ttl = rr.ttl;
				if (rr.type == PKT_DNS_PTR) {
					memcpy(out->name, cur, sizeof out->name);
					out->found = out->has_ttl = 1;
					return 0;
				}
				moved = 1;
			}
		}
		if (!moved)
			break;
	}
	/* nothing: the negative TTL from the authority section's SOA */
	out->ttl = 0;
	off = m.an_off;
	for (unsigned i = 0; i < (unsigned)m.ancount + m.nscount; i++) {
		if ((r = pkt_dns_rr_read(msg, len, &off, &rr)) < 0)
			return r;
		if (i >= m.ancount && rr.type == PKT_DNS_SOA && rr.rclass == PKT_DNS_CLASS_IN) {
			char skip[PKT_DNS_NAME_MAX];
			size_t p = rr.rdata_off, end = rr.rdata_off + rr.rdlen;
			uint32_t minimum;
			if ((r = pkt_dns_name(msg, end, &p, skip, sizeof skip)) < 0 ||
			    (r = pkt_dns_name(msg, end, &p, skip, sizeof skip)) < 0)
				return r;
			if (p + 20 != end)
				return PKT_SHORT;
			minimum = pkt_get32(b + p + 16);
			out->ttl = rr.ttl < minimum ? rr.ttl : minimum;
			out->has_ttl = 1;
			break;
		}
	}
	return 0;
}

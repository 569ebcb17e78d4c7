/*
 * pkt_dns.h: the DNS message parser and query builder of lib/pkt (dns.c).
 *
 * Pure functions like pkt.h's: no I/O, no state, no allocation.  Every read
 * is checked against the message length first; no length or count field is
 * trusted.  Names follow RFC 1035 4.1.4 compression with one extra rule
 * that makes loops impossible: a pointer must point strictly before the
 * pointer itself (every legitimate encoder points back to a prior
 * occurrence).  A name longer than 255 octets (RFC 1035 2.3.4) is refused.
 */
#ifndef HOPWATCH_PKT_DNS_H
#define HOPWATCH_PKT_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

/* Length of the DNS header (RFC 1035 4.1.1), bytes. */
#define PKT_DNS_HDR_LEN 12
/* Longest name in wire form (RFC 1035 2.3.4), octets. */
#define PKT_DNS_NAME_WIRE_MAX 255
/* Buffer for a name in text form: every octet may need "\DDD" (4 chars),
 * plus dots and the NUL.  Names are written lower case, without the final
 * dot; the root is ".". */
#define PKT_DNS_NAME_MAX 1024
/* Buffer enough for pkt_dns_rdata_text of any type it formats. */
#define PKT_DNS_RDATA_MAX 2048

/* Types (RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 6891) the helpers know. */
#define PKT_DNS_A     1
#define PKT_DNS_NS    2
#define PKT_DNS_CNAME 5
#define PKT_DNS_SOA   6
#define PKT_DNS_PTR   12
#define PKT_DNS_MX    15
#define PKT_DNS_TXT   16
#define PKT_DNS_AAAA  28
#define PKT_DNS_SRV   33
#define PKT_DNS_OPT   41
/* Class IN (RFC 1035 3.2.4). */
#define PKT_DNS_CLASS_IN 1

/* pkt_dns_* failures besides pkt.h's PKT_SHORT and PKT_BAD_ARG. */
#define PKT_DNS_BAD_NAME (-20)  /* a label type other than 0/0xC0, a forward or self pointer, a name > 255 octets */
#define PKT_DNS_BAD_MSG  (-21)  /* not a message the helpers handle: no question, opcode other than QUERY */

/* A DNS message header and its first question, taken apart. */
typedef struct pkt_dns_msg {
	uint16_t id;              /* transaction id (RFC 1035 4.1.1) */
	int qr;                   /* 1: a response, 0: a query */
	int opcode;               /* 0 is QUERY */
	int aa, tc, rd, ra;       /* flags: authoritative, truncated, recursion desired/available */
	int rcode;                /* response code, 12 bits: the header's 4 plus an OPT record's
	                             8 extended bits (RFC 6891 6.1.3); 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN */
	uint16_t qdcount, ancount, nscount, arcount;  /* section counts as sent (not trusted) */
	char qname[PKT_DNS_NAME_MAX]; /* the first question's name, lower case, text form */
	uint16_t qtype, qclass;   /* the first question's type and class */
	size_t an_off;            /* offset of the first answer record (just past the questions) */
	int edns;                 /* 1: an OPT record was found in the additional section */
	uint16_t edns_size;       /* edns: the sender's UDP payload size, bytes */
} pkt_dns_msg;

/* One resource record (RFC 1035 4.1.3); rdata points into the message. */
typedef struct pkt_dns_rr {
	char name[PKT_DNS_NAME_MAX]; /* owner name, text form */
	uint16_t type, rclass;    /* type and class */
	uint32_t ttl;             /* time to live, seconds */
	size_t rdata_off;         /* offset of the rdata in the message */
	uint16_t rdlen;           /* rdata length, bytes (checked against the message) */
} pkt_dns_rr;

/*
 * Parse the header and the first question of `msg` (`len` bytes, the DNS
 * message alone: no UDP header, no TCP length prefix), then walk every
 * record the counts announce to find an OPT record (extended rcode).  The
 * questions and records must all lie inside `len`, except that a message
 * with TC set may end early after its questions (RFC 1035 4.2.1).
 * Returns 0 and fills *m, or PKT_SHORT, PKT_DNS_BAD_NAME, PKT_DNS_BAD_MSG
 * (qdcount 0, or an opcode other than QUERY), PKT_BAD_ARG.
 */
int pkt_dns_parse(const void *msg, size_t len, pkt_dns_msg *m);

/*
 * Read the possibly compressed name at *off into `out` (text form, lower
 * case; octets outside [a-z0-9-_] escaped "\DDD" as in RFC 1035 5.1) and
 * advance *off past its wire form at that place.  Returns the text length,
 * or PKT_SHORT, PKT_DNS_BAD_NAME, PKT_BAD_ARG (cap too small: use
 * PKT_DNS_NAME_MAX).
 */
int pkt_dns_name(const void *msg, size_t len, size_t *off, char *out, size_t cap);

/*
 * Read the record at *off and advance *off past it.  Returns 0, or
 * PKT_SHORT (its rdata runs past the end), PKT_DNS_BAD_NAME.
 */
int pkt_dns_rr_read(const void *msg, size_t len, size_t *off, pkt_dns_rr *rr);

/*
 * The rdata of `rr` in presentation form (RFC 1035 5.1), the way dig
 * +short prints it: A and AAAA addresses; CNAME, NS, PTR names; "MX pref
 * name"; TXT strings quoted and space-separated; "SOA mname rname serial
 * refresh retry expire minimum"; "SRV prio weight port target".  Other
 * types: "\# len hex" (RFC 3597 5).  Returns the length written, or
 * PKT_SHORT / PKT_DNS_BAD_NAME when the rdata does not hold what its type
 * says, PKT_BAD_ARG when `cap` is below PKT_DNS_RDATA_MAX.
 */
int pkt_dns_rdata_text(const void *msg, size_t len, const pkt_dns_rr *rr, char *out, size_t cap);

/*
 * Write a query for `name` (text form, with or without the final dot;
 * "\DDD" and "\." escapes allowed) of `qtype`, class IN, with `id`, RD set
 * when `rd`, and an OPT record advertising `edns_size` bytes when it is not
 * 0 (RFC 6891 6.1.2).  Returns the length written, or 0 when the name is
 * invalid (empty label, label > 63, name > 255 octets) or `cap` too small.
 */
size_t pkt_dns_query_build(void *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype,
                           int rd, uint16_t edns_size);

/* The type number of a mnemonic ("A", "aaaa", ... among the ones above,
 * OPT excepted), or 0 when unknown. */
uint16_t pkt_dns_type_code(const char *word);
/* The mnemonic of `type` ("A", "MX"), or NULL when not one of the above. */
const char *pkt_dns_type_name(uint16_t type);
/* The rcode as a tag value: "noerror", "formerr", "servfail", "nxdomain",
 * "notimp", "refused", "yxdomain", "yxrrset", "nxrrset", "notauth",
 * "notzone", "badvers" (RFC 6895 2.3), else "rcode<N>" written into `buf`
 * (at least 16 bytes). */
const char *pkt_dns_rcode_name(int rcode, char *buf, size_t cap);

/*
 * The last `labels` labels of text name `name` into `out` ("a.b.example.com"
 * cut to 2 is "example.com"); the whole name when it has no more; labels 0
 * keeps it whole.  Escaped dots ("\.") do not split.  Returns the length.
 */
size_t pkt_dns_domain_cut(const char *name, unsigned labels, char *out, size_t cap);

/* ------------------------------------------------------------------ */
/* Reverse lookups (PTR)                                                */

/*
 * The reverse-lookup name of an address: "d.c.b.a.in-addr.arpa" for IPv4
 * (RFC 1035 3.5), 32 nibbles then "ip6.arpa" for IPv6 (RFC 3596 2.5).
 * `family` is AF_INET (`addr` 4 bytes) or AF_INET6 (16 bytes).  Returns the
 * length written, or 0 for another family or when `cap` is below
 * PKT_DNS_REVERSE_MAX.
 */
#define PKT_DNS_REVERSE_MAX 73   /* "...ip6.arpa": 64 + 8 + NUL */
size_t pkt_dns_reverse_name(int family, const void *addr, char *out, size_t cap);

/* What a PTR answer says (pkt_dns_ptr_read). */
typedef struct pkt_dns_ptr {
	int rcode;                   /* the answer's rcode (extended, as pkt_dns_msg) */
	int found;                   /* 1: `name` holds the PTR target */
	char name[PKT_DNS_NAME_MAX]; /* found: the host name, text form as pkt_dns_name */
	uint32_t ttl;                /* found: seconds, the lowest TTL of the PTR and of the
	                                CNAMEs that led to it; else, when has_ttl, the negative
	                                TTL: min(SOA TTL, SOA MINIMUM) (RFC 2308 5) */
	int has_ttl;                 /* found, or not found with an SOA in the authority section */
} pkt_dns_ptr;

/*
 * Read the answer to a PTR query (msg, `len` bytes): the PTR record owned
 * by the question's name, following CNAMEs from it (RFC 2317 classless
 * delegation; at most 8, no loops since each must be new).  Other records
 * and PTRs of other owners are skipped.  When none is found, the SOA of the
 * authority section, if any, gives the negative TTL (RFC 2308: NXDOMAIN and
 * NODATA alike).  Returns 0 (also when nothing was found: see `found`), or
 * PKT_SHORT, PKT_DNS_BAD_NAME, PKT_DNS_BAD_MSG (not a response, or its
 * question is not class IN type PTR), PKT_BAD_ARG.
 */
int pkt_dns_ptr_read(const void *msg, size_t len, pkt_dns_ptr *out);

/* ------------------------------------------------------------------ */
/* DNS in captured packets (AF_PACKET)                                  */

/* A DNS message found in an IP packet. */
typedef struct pkt_dns_pkt {
	int family;               /* AF_INET or AF_INET6 */
	uint8_t proto;            /* IPPROTO_UDP or IPPROTO_TCP */
	pkt_ipaddr src, dst;      /* IP source and destination */
	uint16_t sport, dport;    /* ports, host order */
	const uint8_t *dns;       /* the DNS message (TCP: after its 2-byte length) */
	size_t dns_len;           /* bytes at dns: for TCP, the length the prefix
	                             announces when all of it is in this segment */
} pkt_dns_pkt;

/*
 * Find the DNS message in `pkt`, an IPv4 or IPv6 packet from the network
 * header on (`len` bytes as captured).  IPv4: the header is checked and its
 * total length bounds the packet; fragments are refused.  IPv6: the fixed
 * header's next header must be UDP or TCP (extension headers are refused).
 * UDP: its length field must fit.  TCP: the segment must carry data that
 * begins with a 2-byte message length (RFC 7766 8) and holds the whole
 * message; a message split over segments is refused as PKT_SHORT.
 * Ports are not checked.  Returns 0 and fills *p, or PKT_SHORT,
 * PKT_BAD_IP, PKT_BAD_ARG.
 */
int pkt_dns_pkt_parse(const void *pkt, size_t len, pkt_dns_pkt *p);

#endif /* HOPWATCH_PKT_DNS_H */

/* t/fuzz/pkt-errqueue.c: libFuzzer target for the error queue parser and the
 * receive timestamp lookup: the input is the control buffer recvmsg(2)
 * would fill.  Nothing outside it may be read (ASan checks), and the
 * class must be one of the enum's. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msghdr msg;
	struct timespec ts;
	pkt_errq e;
	void *ctl;

	/* an exact-size, aligned copy, so ASan sees a read past the end */
	if (!(ctl = malloc(size ? size : 1)))
		return 0;
	memcpy(ctl, data, size);
	memset(&msg, 0, sizeof msg);
	msg.msg_control = ctl;
	msg.msg_controllen = size;
	if (pkt_errqueue_parse(&msg, &e) == 0 && (e.cls < PKT_IC_NONE || e.cls > PKT_IC_OTHER))
		abort();
	pkt_rx_time(&msg, &ts);
	free(ctl);
	return 0;
}

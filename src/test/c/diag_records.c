/*
 * What the C makes of sock_diag's messages and structs, for the Java tests to compare the
 * Java port with (DiagMessagesTest), byte for byte:
 *
 *   diag_records messages FILE...  for each netlink message of each file (read as one
 *                                  datagram): diag_message_parse as a dump of MPTCP sockets,
 *                                  then as one of TCP sockets, then diag_message_lookup_answer,
 *                                  each as its result (int32) and its record (zeros unless 1);
 *                                  then the lookup request (seq 77) of the TCP record, or zeros
 *   diag_records structs FILE...   for each length from 0 to the file's: diag_record_tcp and
 *                                  diag_record_mptcp of that much of it, each into a zeroed
 *                                  record; then the port diag_record_address reads from the
 *                                  file as a sockaddr, and the 16 address bytes
 *
 * Host byte order, to stdout. Exit status 0, or 1 with the reason on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "diag_message.h"
#include "diag_record.h"

static int put(const void *data, size_t len)
{
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static int put_result(int rc, const struct mptcp4j_diag_record *r)
{
	struct mptcp4j_diag_record none;
	memset(&none, 0, sizeof(none));
	int32_t value = rc;
	return put(&value, sizeof(value)) || put(rc == 1 ? r : &none, sizeof(*r)) ? -1 : 0;
}

static int messages(uint8_t *buf, size_t len)
{
	int remaining = (int)len;
	for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, remaining); nlh = nlmsg_next(nlh, &remaining)) {
		struct mptcp4j_diag_record r;
		struct mptcp4j_diag_record subflow;
		uint8_t request[DIAG_MESSAGE_LOOKUP_SIZE];
		memset(request, 0, sizeof(request));
		if (put_result(diag_message_parse(nlh, IPPROTO_MPTCP, &r), &r))
			return -1;
		int is_subflow = diag_message_parse(nlh, IPPROTO_TCP, &subflow);
		if (put_result(is_subflow, &subflow))
			return -1;
		if (put_result(diag_message_lookup_answer(nlh, &r), &r))
			return -1;
		if (is_subflow == 1 && diag_message_lookup(&subflow, 77, request, sizeof(request)) != sizeof(request))
			memset(request, 0xff, sizeof(request));
		if (put(request, sizeof(request)))
			return -1;
	}
	return 0;
}

static int structs(uint8_t *buf, size_t len)
{
	for (size_t n = 0; n <= len; n++) {
		struct mptcp4j_diag_record r;
		memset(&r, 0, sizeof(r));
		diag_record_tcp(&r, buf, n);
		if (put(&r, sizeof(r)))
			return -1;
		memset(&r, 0, sizeof(r));
		diag_record_mptcp(&r, (const struct mptcp_info *)buf, n);
		if (put(&r, sizeof(r)))
			return -1;
	}
	struct sockaddr_storage sa;
	memset(&sa, 0, sizeof(sa));
	memcpy(&sa, buf, len < sizeof(sa) ? len : sizeof(sa));
	uint8_t address[16];
	uint16_t port = diag_record_address(address, (const struct sockaddr *)&sa);
	return put(&port, sizeof(port)) || put(address, sizeof(address)) ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "messages") != 0 && strcmp(argv[1], "structs") != 0)) {
		fprintf(stderr, "usage: diag_records messages|structs FILE...\n");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		/* Room for the largest datagram, in a buffer of its own so that reads past it are caught. */
		uint8_t *buf = malloc(65536);
		if (buf == NULL) {
			fclose(f);
			return 1;
		}
		size_t len = fread(buf, 1, 65536, f);
		int failed = ferror(f);
		if (fclose(f) != 0 || failed) {
			free(buf);
			perror(argv[i]);
			return 1;
		}
		uint8_t *exact = malloc(len > 0 ? len : 1);
		if (exact == NULL) {
			free(buf);
			return 1;
		}
		memcpy(exact, buf, len);
		free(buf);
		int rc = strcmp(argv[1], "messages") == 0 ? messages(exact, len) : structs(exact, len);
		free(exact);
		if (rc != 0) {
			perror("write");
			return 1;
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

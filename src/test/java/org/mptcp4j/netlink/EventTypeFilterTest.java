package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * The event socket's BPF program on a socket pair, whose receiving end runs it as a netlink
 * socket would: of the family's messages, the commands not in the mask are dropped; other
 * types, commands above 31 and datagrams too short for the headers pass.
 */
class EventTypeFilterTest {
    private static final int FAMILY = 0x1d;
    private final LinuxCalls linux = Transport.linux();

    @Test
    void dropsTheFamilysUnwantedCommandsAndPassesTheRest() {
        long pair = linux.socketPair(LinuxCalls.AF_UNIX, LinuxCalls.SOCK_SEQPACKET | LinuxCalls.SOCK_CLOEXEC, 0);
        assertTrue(pair >= 0, "socketpair " + pair);
        int a = (int) (pair >>> 32);
        int b = (int) pair;
        try {
            assertEquals(0, linux.attachFilter(b, EventTypeFilter.program(FAMILY, MptcpEventType.ESTABLISHED.mask())));
            send(a, FAMILY, MptcpEventType.CREATED.id(), 20); // dropped
            send(a, FAMILY, MptcpEventType.ESTABLISHED.id(), 20);
            send(a, 0x10, MptcpEventType.CREATED.id(), 20); // another type
            send(a, FAMILY, 40, 20); // beyond the mask's low word
            send(a, FAMILY, MptcpEventType.CREATED.id(), 12); // too short: the decoder's to count
            send(a, FAMILY, MptcpEventType.CLOSED.id(), 24); // dropped
            assertEquals(List.of("29/2/20", "16/1/20", "29/40/20", "29/-/12"), received(b));
        } finally {
            linux.close(a);
            linux.close(b);
        }
    }

    /** A datagram of {@code length} bytes: nlmsghdr of {@code type}, then (if it fits) genlmsghdr of {@code command}. */
    private void send(int fd, int type, int command, int length) {
        ByteBuffer m = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        m.putInt(0, length).putShort(4, (short) type).put(16, (byte) command).put(17, (byte) 1);
        assertEquals(length, linux.send(fd, m, 0, length, LinuxCalls.MSG_NOSIGNAL));
    }

    /** What waits on {@code fd}, each as type/command/length ("-": no command in it). */
    private List<String> received(int fd) {
        ByteBuffer in = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        ByteBuffer sender = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        List<String> got = new ArrayList<>();
        int n;
        while ((n = linux.receive(fd, in, 0, 64, LinuxCalls.MSG_DONTWAIT, sender)) > 0) {
            got.add((in.getShort(4) & 0xffff) + "/" + (n > 16 ? Integer.toString(in.get(16) & 0xff) : "-") + "/" + n);
        }
        return got;
    }
}

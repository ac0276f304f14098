package org.mptcp4j.natives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;

/**
 * The system calls of the transport in use (this class runs on JNI and on FFM), on descriptors
 * of this process only: results and negative errnos as the interface promises, the same on both.
 */
class LinuxCallsTest {
    private static final int EBADF = 9;
    private static final int ENODEV = 19;
    private static final int EINVAL = 22;
    private final LinuxCalls linux = Transport.linux();

    @Test
    void eventfdCountsAndReadsEmptyAsZero() {
        int fd = linux.eventfd(LinuxCalls.EFD_CLOEXEC | LinuxCalls.EFD_NONBLOCK);
        assertTrue(fd >= 0, "eventfd " + fd);
        try {
            assertEquals(0, linux.readCounter(fd), "empty counter");
            assertEquals(0, linux.poll(fd, -1, -1, 0), "nothing to read");
            assertEquals(8, linux.writeCounter(fd, 3));
            assertEquals(0b001, linux.poll(fd, -1, -1, 0), "readable in slot 0");
            assertEquals(0b100, linux.poll(-1, -1, fd, 0), "readable in slot 2");
            assertEquals(1, linux.readCounter(fd));
            assertEquals(0, linux.readCounter(fd));
        } finally {
            assertEquals(0, linux.close(fd));
        }
        assertEquals(-EBADF, linux.close(fd), "closed twice");
    }

    @Test
    void netlinkSocketGetsAPortIdAndOptions() {
        int fd = linux.socket(LinuxCalls.AF_NETLINK, LinuxCalls.SOCK_RAW | LinuxCalls.SOCK_CLOEXEC,
                LinuxCalls.NETLINK_GENERIC);
        assertTrue(fd >= 0, "socket " + fd);
        try {
            assertEquals(0, linux.bindNetlink(fd, 0, 0));
            assertTrue(linux.netlinkPortId(fd) > 0, "the kernel gave a port id");
            assertEquals(0, linux.setIntOption(fd, LinuxCalls.SOL_NETLINK, LinuxCalls.NETLINK_EXT_ACK, 1));
            assertEquals(1, linux.intOption(fd, LinuxCalls.SOL_NETLINK, LinuxCalls.NETLINK_EXT_ACK));
            assertEquals(0, linux.connectNetlink(fd, 0));
        } finally {
            linux.close(fd);
        }
    }

    /** The loop's wait: nothing, then only the other descriptor, then a datagram, received in the same call. */
    @Test
    void pollThenReceiveTakesTheDatagramThatEndedTheWait() {
        long pair = linux.socketPair(LinuxCalls.AF_UNIX, LinuxCalls.SOCK_SEQPACKET | LinuxCalls.SOCK_CLOEXEC, 0);
        assertTrue(pair >= 0, "socketpair " + pair);
        int a = (int) (pair >>> 32);
        int b = (int) pair;
        int wake = linux.eventfd(LinuxCalls.EFD_CLOEXEC | LinuxCalls.EFD_NONBLOCK);
        ByteBuffer out = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        ByteBuffer in = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        ByteBuffer sender = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        try {
            assertEquals(0, linux.pollThenReceive(b, wake, -1, 10, in, 16, 16, LinuxCalls.MSG_DONTWAIT, sender), "timeout");
            assertEquals(8, linux.writeCounter(wake, 1));
            assertEquals(0b010L << 32, linux.pollThenReceive(b, wake, -1, 1000, in, 16, 16, LinuxCalls.MSG_DONTWAIT,
                    sender), "the other descriptor alone: no receive");
            assertEquals(1, linux.readCounter(wake));
            out.putLong(0, 0x0102030405060708L);
            assertEquals(12, linux.send(a, out, 0, 12, LinuxCalls.MSG_NOSIGNAL));
            assertEquals(0b001L << 32 | 12, linux.pollThenReceive(b, wake, -1, 1000, in, 16, 16, LinuxCalls.MSG_DONTWAIT,
                    sender), "ready, and the datagram's length");
            assertEquals(0x0102030405060708L, in.getLong(16));
            assertEquals(0, linux.pollThenReceive(b, wake, -1, 0, in, 16, 16, LinuxCalls.MSG_DONTWAIT, sender),
                    "nothing left");
            assertEquals(12, linux.send(a, out, 0, 12, LinuxCalls.MSG_NOSIGNAL));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> linux.pollThenReceive(b, wake, -1, 1000, in, 24, 16, LinuxCalls.MSG_DONTWAIT, sender));
            assertEquals(0b001L << 32 | 12, linux.pollThenReceive(b, -1, -1, 1000, in, 16, 16, LinuxCalls.MSG_DONTWAIT,
                    sender), "the refused call took nothing");
        } finally {
            linux.close(a);
            linux.close(b);
            linux.close(wake);
        }
    }

    /** A filter that drops datagrams of 8 bytes and passes the rest, then none: checked on both ends of a pair. */
    @Test
    void anAttachedFilterDropsWhatItRejects() {
        long pair = linux.socketPair(LinuxCalls.AF_UNIX, LinuxCalls.SOCK_SEQPACKET | LinuxCalls.SOCK_CLOEXEC, 0);
        assertTrue(pair >= 0, "socketpair " + pair);
        int a = (int) (pair >>> 32);
        int b = (int) pair;
        ByteBuffer out = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        ByteBuffer in = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        ByteBuffer sender = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        // ld len; jeq #8 → drop; ret #-1 (all of it); ret #0
        long[] dropEight = {0x80L, 8L << 32 | 1 << 16 | 0x15, -1L << 32 | 0x06, 0x06};
        try {
            assertEquals(0, linux.attachFilter(b, dropEight));
            assertEquals(8, linux.send(a, out, 0, 8, LinuxCalls.MSG_NOSIGNAL));
            assertEquals(12, linux.send(a, out, 0, 12, LinuxCalls.MSG_NOSIGNAL));
            assertEquals(12, linux.receive(b, in, 0, 16, LinuxCalls.MSG_DONTWAIT, sender), "the 8 bytes were dropped");
            assertEquals(0, linux.pollEvents(b, LinuxCalls.POLLIN, 0), "nothing else queued");
            assertEquals(0, linux.setIntOption(b, LinuxCalls.SOL_SOCKET, LinuxCalls.SO_DETACH_FILTER, 0));
            assertEquals(8, linux.send(a, out, 0, 8, LinuxCalls.MSG_NOSIGNAL));
            assertEquals(8, linux.receive(b, in, 0, 16, LinuxCalls.MSG_DONTWAIT, sender), "without the filter it passes");
            assertEquals(-EINVAL, linux.attachFilter(b, new long[0]), "an empty program");
            assertEquals(-EINVAL, linux.attachFilter(b, new long[LinuxCalls.MAX_FILTER_INSTRUCTIONS + 1]), "too long");
            assertEquals(-EINVAL, linux.attachFilter(b, new long[] {0x80L}), "no return: the kernel refuses it");
        } finally {
            linux.close(a);
            linux.close(b);
        }
    }

    @Test
    void datagramsCrossASocketPairWithTheirLength() {
        long pair = linux.socketPair(LinuxCalls.AF_UNIX, LinuxCalls.SOCK_SEQPACKET | LinuxCalls.SOCK_CLOEXEC, 0);
        assertTrue(pair >= 0, "socketpair " + pair);
        int a = (int) (pair >>> 32);
        int b = (int) pair;
        ByteBuffer out = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        ByteBuffer in = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        ByteBuffer sender = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        try {
            out.putLong(4, 0x1122334455667788L);
            assertEquals(0, linux.pollEvents(b, LinuxCalls.POLLIN, 0), "nothing sent yet");
            assertEquals(8, linux.send(a, out, 4, 8, LinuxCalls.MSG_NOSIGNAL));
            assertEquals(LinuxCalls.POLLIN, linux.pollEvents(b, LinuxCalls.POLLIN, 1000));
            assertEquals(8, linux.receive(b, in, 2, 4, LinuxCalls.MSG_TRUNC, sender), "whole length, cut to 4");
            assertEquals(0x55667788, in.getInt(2));
            assertThrows(IndexOutOfBoundsException.class, () -> linux.send(a, out, 30, 8, 0));
            assertThrows(IllegalArgumentException.class, () -> linux.send(a, ByteBuffer.allocate(8), 0, 8, 0));
        } finally {
            linux.close(a);
            linux.close(b);
        }
    }

    @Test
    void namespaceFilesAndInterfaces() throws Exception {
        int fd = linux.open("/proc/self/ns/net", LinuxCalls.O_RDONLY | LinuxCalls.O_CLOEXEC);
        assertTrue(fd >= 0, "open " + fd);
        try {
            assertEquals(LinuxCalls.CLONE_NEWNET, linux.namespaceType(fd));
            Object key = Files.readAttributes(Path.of("/proc/self/ns/net"), BasicFileAttributes.class).fileKey();
            assertTrue(String.valueOf(key).contains("ino=" + linux.inode(fd)), key + " vs " + linux.inode(fd));
            int copy = linux.duplicate(fd);
            assertTrue(copy >= 0 && copy != fd, "dup " + copy);
            assertEquals(linux.inode(fd), linux.inode(copy));
            int flags = linux.fileFlags(copy);
            assertEquals(0, linux.setFileFlags(copy, flags | LinuxCalls.O_NONBLOCK));
            assertEquals(LinuxCalls.O_NONBLOCK, linux.fileFlags(copy) & LinuxCalls.O_NONBLOCK);
            linux.close(copy);
        } finally {
            linux.close(fd);
        }
        assertEquals(1, linux.interfaceIndex("lo"));
        assertArrayEquals("lo".getBytes(StandardCharsets.US_ASCII), linux.interfaceName(1));
        assertEquals(-ENODEV, linux.interfaceIndex("m4j-none-such"));
        assertNull(linux.interfaceName(0));
        assertNull(linux.interfaceName(Integer.MAX_VALUE));
    }

    @Test
    void schedulingAndIdentity() throws Exception {
        long[] mask = new long[128];
        assertEquals(0, linux.affinity(0, mask), "sched_getaffinity");
        assertTrue(Long.bitCount(mask[0]) >= 1, "at least one allowed CPU");
        assertEquals(0, linux.setAffinity(0, mask), "the same set again");
        assertEquals(ProcessHandle.current().pid(), linux.processId());
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .findFirst().orElseThrow().split("\\s+")[2];
        assertEquals(Integer.parseInt(uid), linux.effectiveUid(), "the effective uid, as /proc/self/status says");
    }
}

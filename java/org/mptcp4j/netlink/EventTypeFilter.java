package org.mptcp4j.netlink;

import java.nio.ByteOrder;

/**
 * The classic BPF program an {@link EventSocket} attaches so that the kernel drops the events
 * no handler wants before they are queued: a connection's CREATED, when only ESTABLISHED is
 * wanted, then neither wakes the loop nor costs it a receive. It reads the first message of a
 * datagram (the kernel sends one event per datagram): of the family's type, a command below 32
 * whose bit is clear in the mask is dropped; everything else passes, a datagram too short for
 * the headers included (the decoder counts it as malformed), and the decoder's own mask still
 * applies to it.
 */
final class EventTypeFilter {
    // struct sock_filter codes (linux/filter.h, linux/bpf_common.h).
    private static final int LD_LEN = 0x80;
    private static final int LD_H_ABS = 0x28;
    private static final int LD_B_ABS = 0x30;
    private static final int LD_IMM = 0x00;
    private static final int JEQ_K = 0x15;
    private static final int JGE_K = 0x35;
    private static final int TAX = 0x07;
    private static final int RSH_X = 0x7c;
    private static final int AND_K = 0x54;
    private static final int RET_K = 0x06;
    /** nlmsghdr's type, and genlmsghdr's command behind the 16-byte nlmsghdr. */
    private static final int TYPE_OFFSET = 4;
    private static final int COMMAND_OFFSET = 16;
    /** nlmsghdr and genlmsghdr: a shorter datagram is the decoder's to count. */
    private static final int HEADERS = 20;

    private EventTypeFilter() {
    }

    /** The program passing, of family {@code familyId}'s messages, the commands whose bit of {@code mask} is set. */
    static long[] program(int familyId, long mask) {
        // A 16-bit load reads in network order; nlmsghdr's fields are in the host's.
        int type = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Short.toUnsignedInt(Short.reverseBytes(
                (short) familyId)) : familyId & 0xffff;
        return new long[] {
            insn(LD_LEN, 0, 0, 0),
            insn(JGE_K, 0, 9, HEADERS), // too short to read: pass
            insn(LD_H_ABS, 0, 0, TYPE_OFFSET),
            insn(JEQ_K, 0, 7, type), // another type (an error, a control message): pass
            insn(LD_B_ABS, 0, 0, COMMAND_OFFSET),
            insn(JGE_K, 5, 0, 32), // beyond the mask's low word: pass, the decoder judges it
            insn(TAX, 0, 0, 0),
            insn(LD_IMM, 0, 0, (int) mask),
            insn(RSH_X, 0, 0, 0),
            insn(AND_K, 0, 0, 1),
            insn(JEQ_K, 1, 0, 0),
            insn(RET_K, 0, 0, -1), // pass the whole datagram
            insn(RET_K, 0, 0, 0), // drop it
        };
    }

    /** One struct sock_filter, packed as LinuxCalls#attachFilter takes it. */
    private static long insn(int code, int jt, int jf, int k) {
        return (long) k << 32 | (long) jf << 24 | (long) jt << 16 | code;
    }
}

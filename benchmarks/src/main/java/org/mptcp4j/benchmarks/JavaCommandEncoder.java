package org.mptcp4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * A pure-Java encoder of SUBFLOW_CREATE, byte for byte what the native one (libnl) writes, so
 * the two can be compared. Only here, as a benchmark subject: the library has one encoder.
 */
final class JavaCommandEncoder {
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLA_F_NESTED = 0x8000;

    private final ByteBuffer out;
    private final int familyId;
    private final int portId;
    private int seq;

    JavaCommandEncoder(int familyId, int portId) {
        this.out = ByteBuffer.allocateDirect(512).order(ByteOrder.nativeOrder());
        this.familyId = familyId;
        this.portId = portId;
    }

    ByteBuffer buffer() {
        return out;
    }

    /** Encodes SUBFLOW_CREATE; returns the message's length. */
    int subflowCreate(int token, MptcpAddress local, MptcpAddress remote) {
        out.clear();
        out.putInt(0).putShort((short) familyId).putShort((short) (NLM_F_REQUEST | NLM_F_ACK)).putInt(++seq).putInt(portId);
        out.put((byte) 10).put((byte) 1).putShort((short) 0);
        out.putShort((short) 8).putShort((short) 4).putInt(token);
        address(1, local, true);
        address(6, remote, false);
        out.putInt(0, out.position());
        return out.position();
    }

    private void address(int type, MptcpAddress a, boolean local) {
        int nest = out.position();
        out.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        out.putShort((short) 6).putShort((short) 1).putShort((short) a.family()).putShort((short) 0);
        if (local && a.hasId()) {
            out.putShort((short) 5).putShort((short) 2).put((byte) a.id()).put((byte) 0).putShort((short) 0);
        }
        int length = a.isIpv6() ? 16 : 4;
        out.putShort((short) (4 + length)).putShort((short) (a.isIpv6() ? 4 : 3));
        for (int i = 0; i < length; i++) {
            out.put(a.addressByte(i));
        }
        if (a.port() != 0) {
            out.putShort((short) 6).putShort((short) 5).putShort((short) a.port()).putShort((short) 0);
        }
        if (local && a.flags() != 0) {
            out.putShort((short) 8).putShort((short) 6).putInt(a.flags());
        }
        if (local && a.ifIndex() != 0) {
            out.putShort((short) 8).putShort((short) 7).putInt(a.ifIndex());
        }
        out.putShort(nest, (short) (out.position() - nest));
    }
}

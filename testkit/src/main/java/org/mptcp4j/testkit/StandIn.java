package org.mptcp4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpAttribute;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.standin.EventMessages;
import org.mptcp4j.standin.KernelStandIn;
import org.mptcp4j.standin.Recording;

/**
 * What the kit uses of mptcp4j's internals, all here: the stand-in kernel (socket pairs in
 * place of the kernel's netlink sockets), the writer of event messages, the recording format.
 */
final class StandIn implements AutoCloseable {
    /** The family id the stand-in's messages carry, as the kernel would give mptcp_pm. */
    static final int FAMILY_ID = 0x1c;
    /** MPTCP_PM_EV_FLAG_DENY_JOIN_ID0 and MPTCP_PM_EV_FLAG_SERVER_SIDE in FLAGS. */
    private static final int FLAG_DENY_JOIN_ID0 = 0x1;
    private static final int FLAG_SERVER_SIDE = 0x2;

    private final KernelStandIn kernel;
    private final EventMessages messages = new EventMessages(FAMILY_ID, 1024);

    StandIn(LongSupplier clock) {
        this.kernel = KernelStandIn.create(Dialect.UPSTREAM, FAMILY_ID).clock(clock);
    }

    /** Commands to the stand-in, with every command of the upstream family; once. */
    PathManager pathManager() {
        return kernel.pathManager();
    }

    /** A loop over the stand-in's events. */
    EventLoop.Builder loop(EventHandler handler) {
        return kernel.loop(handler);
    }

    /** Sends {@code event} as the kernel multicasts it: one message, one datagram. */
    synchronized void send(Event e) {
        messages.clear().begin(e.type);
        switch (e.type) {
            case CREATED, ESTABLISHED -> {
                endpoints(e).u8(MptcpAttribute.LOC_ID, 0).u8(MptcpAttribute.REM_ID, 0);
                int flags = (e.serverSide ? FLAG_SERVER_SIDE : 0) | (e.denyJoinId0 ? FLAG_DENY_JOIN_ID0 : 0);
                if (flags != 0) {
                    messages.u16(MptcpAttribute.FLAGS, flags);
                }
            }
            case SUB_ESTABLISHED, SUB_CLOSED, SUB_PRIORITY -> {
                endpoints(e).u8(MptcpAttribute.LOC_ID, e.localId).u8(MptcpAttribute.REM_ID, e.remoteId)
                        .u8(MptcpAttribute.BACKUP, e.backup ? 1 : 0);
                if (e.ifIndex != 0) {
                    messages.u32(MptcpAttribute.IF_IDX, e.ifIndex);
                }
                if (e.type == MptcpEventType.SUB_CLOSED && e.error != 0) {
                    messages.u8(MptcpAttribute.ERROR, e.error);
                }
                if (e.resetReason != 0) {
                    messages.u32(MptcpAttribute.RESET_REASON, (int) e.resetReason);
                }
            }
            case ANNOUNCED -> {
                messages.u32(MptcpAttribute.TOKEN, e.token).u16(MptcpAttribute.FAMILY, EventMessages.family(e.remote))
                        .address(e.remote, MptcpAttribute.DADDR4, MptcpAttribute.DADDR6)
                        .u8(MptcpAttribute.REM_ID, e.remoteId);
                if (e.remotePort != 0) {
                    messages.be16(MptcpAttribute.DPORT, e.remotePort);
                }
            }
            case REMOVED -> messages.u32(MptcpAttribute.TOKEN, e.token).u8(MptcpAttribute.REM_ID, e.remoteId);
            case CLOSED -> messages.u32(MptcpAttribute.TOKEN, e.token);
            case LISTENER_CREATED, LISTENER_CLOSED -> messages.u16(MptcpAttribute.FAMILY, EventMessages.family(e.local))
                    .be16(MptcpAttribute.SPORT, e.localPort).address(e.local, MptcpAttribute.SADDR4, MptcpAttribute.SADDR6);
            default -> throw new IllegalArgumentException(e.type + " is not sent by the kernel");
        }
        kernel.sendEvents(messages.end().datagram());
    }

    private EventMessages endpoints(Event e) {
        return messages.u32(MptcpAttribute.TOKEN, e.token).u16(MptcpAttribute.FAMILY, EventMessages.family(e.local))
                .address(e.local, MptcpAttribute.SADDR4, MptcpAttribute.SADDR6)
                .address(e.remote, MptcpAttribute.DADDR4, MptcpAttribute.DADDR6)
                .be16(MptcpAttribute.SPORT, e.localPort).be16(MptcpAttribute.DPORT, e.remotePort);
    }

    /** Sends a datagram of event messages as it is (a recording's). */
    void sendDatagram(byte[] datagram) {
        kernel.sendEvents(datagram);
    }

    /** The next request datagram, waiting up to {@code millis}; null when none came. */
    byte[] receiveRequest(int millis) {
        return kernel.receiveRequest(millis);
    }

    void sendAnswer(byte[] datagram) {
        kernel.sendAnswer(datagram);
    }

    /** A recording's event datagrams, each with its time since the start; the lost events' places as null. */
    static Recorded read(InputStream in) throws IOException {
        Recording r = Recording.read(in);
        if (r.dialect() != Dialect.UPSTREAM) {
            throw new IOException("a recording of the multipath-tcp.org v0.95 family: the kit speaks upstream mptcp_pm only");
        }
        java.util.List<Recorded.Datagram> events = new java.util.ArrayList<>();
        java.util.List<byte[]> commands = new java.util.ArrayList<>();
        java.util.List<byte[]> answers = new java.util.ArrayList<>();
        int lost = 0;
        for (Recording.Entry e : r.entries()) {
            switch (e.kind()) {
                case EVENTS -> events.add(new Recorded.Datagram(e.offsetNanos(), e.payload()));
                case EVENTS_LOST -> lost++;
                case COMMAND -> commands.add(e.payload());
                case ANSWER -> answers.add(e.payload());
            }
        }
        return new Recorded(r.familyId(), r.startEpochNanos(), events, lost, commands, answers);
    }

    /** What a recording holds for replay: the events, and the requests and answers a daemon recorded. */
    record Recorded(int familyId, long startEpochNanos, java.util.List<Datagram> events, int eventsLost,
            java.util.List<byte[]> commands, java.util.List<byte[]> answers) {
        record Datagram(long offsetNanos, byte[] bytes) {}
    }

    @Override
    public void close() {
        kernel.close();
    }
}

package org.mptcp4j.pm;

import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.netlink.ReplyRecord;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.PmCommand;

/**
 * What the data answers of one command become: nothing, one address, every address of a
 * dump, or the limits. Shared by {@link PathManager} and {@link AsyncPathManager}.
 */
abstract class ReplyCollector<T> {
    /** For commands answered by an acknowledgement only. */
    static final ReplyCollector<Void> NONE = new ReplyCollector<>() {
        @Override
        void onData(ReplyRecord reply) {}

        @Override
        Void result() {
            return null;
        }
    };

    /** Called for each DATA answer, in order. */
    abstract void onData(ReplyRecord reply);

    /** The result once the final answer came without error. */
    abstract T result();

    static ReplyCollector<List<MptcpAddress>> addresses() {
        return new ReplyCollector<>() {
            private final List<MptcpAddress> list = new ArrayList<>();

            @Override
            void onData(ReplyRecord reply) {
                if (reply.hasAddress()) {
                    MptcpAddress a = new MptcpAddress();
                    reply.copyAddress(a);
                    list.add(a);
                }
            }

            @Override
            List<MptcpAddress> result() {
                return List.copyOf(list);
            }
        };
    }

    static ReplyCollector<MptcpAddress> address(PmCommand command) {
        return new ReplyCollector<>() {
            private MptcpAddress address;

            @Override
            void onData(ReplyRecord reply) {
                if (address == null && reply.hasAddress()) {
                    address = new MptcpAddress();
                    reply.copyAddress(address);
                }
            }

            @Override
            MptcpAddress result() {
                if (address == null) {
                    throw new PathManagerException(command.name(), Errno.ENOENT,
                            "the kernel answered without an address");
                }
                return address;
            }
        };
    }

    static ReplyCollector<Limits> limits() {
        return new ReplyCollector<>() {
            private Limits limits;

            @Override
            void onData(ReplyRecord reply) {
                if (reply.hasLimits()) {
                    limits = new Limits(reply.receiveAddAddrs(), reply.subflows());
                }
            }

            @Override
            Limits result() {
                if (limits == null) {
                    throw new PathManagerException(PmCommand.GET_LIMITS.name(), Errno.ENOENT,
                            "the kernel answered without limits");
                }
                return limits;
            }
        };
    }
}

package org.mptcp4j.testkit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import org.mptcp4j.protocol.PmCommand;

/**
 * A command the controller sent to the fake kernel, decoded from the request's netlink bytes
 * (MPTCP_PM_ATTR_* of the upstream mptcp_pm family), and how it was answered. What a command
 * does not carry reads as null, 0 or -1.
 *
 * <pre>{@code
 * Command c = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
 * assertEquals("10.0.1.1", c.localAddress().getHostAddress());
 * assertEquals(443, c.remotePort());
 * }</pre>
 *
 * A command the answer policy held ({@link Answer#hold()}) waits for the test: {@link #ok()}
 * or {@link #fail}; the controller's call returns or throws then.
 */
public final class Command {
    /** NLMSG_HDRLEN + GENL_HDRLEN: where the attributes start. */
    private static final int ATTRIBUTES = 20;
    private static final int NLM_F_DUMP = 0x300;
    private static final int ATTR_ADDR = 1;
    private static final int ATTR_TOKEN = 4;
    private static final int ATTR_LOC_ID = 5;
    private static final int ATTR_ADDR_REMOTE = 6;
    private static final int ADDR_FAMILY = 1;
    private static final int ADDR_ID = 2;
    private static final int ADDR_ADDR4 = 3;
    private static final int ADDR_ADDR6 = 4;
    private static final int ADDR_PORT = 5;
    private static final int ADDR_FLAGS = 6;
    private static final int ADDR_IF_IDX = 7;
    /** MPTCP_PM_ADDR_FLAG_BACKUP. */
    private static final int FLAG_BACKUP = 0x4;

    private final byte[] request;
    private final int seq;
    private final PmCommand command;
    private final int commandId;
    private final boolean dump;
    private int token;
    private int locId = -1;
    private final Address local = new Address();
    private final Address remote = new Address();
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();

    /** An address nest: what was in it. */
    private static final class Address {
        InetAddress address;
        int port;
        int id = -1;
        int flags;
        int ifIndex;
    }

    private Command(byte[] request) {
        this.request = request;
        ByteBuffer b = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        this.seq = b.getInt(8);
        this.dump = (b.getShort(6) & NLM_F_DUMP) == NLM_F_DUMP;
        this.commandId = b.get(16) & 0xff;
        this.command = byId(commandId);
        int end = Math.min(b.getInt(0), request.length);
        for (int at = ATTRIBUTES; at + 4 <= end; ) {
            int length = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & 0x3fff; // without NLA_F_NESTED
            if (length < 4 || at + length > end) {
                break;
            }
            switch (type) {
                case ATTR_TOKEN -> token = b.getInt(at + 4);
                case ATTR_LOC_ID -> locId = b.get(at + 4) & 0xff;
                case ATTR_ADDR -> address(b, at + 4, at + length, local);
                case ATTR_ADDR_REMOTE -> address(b, at + 4, at + length, remote);
                default -> { } // counts and limits: in request() for whoever needs them
            }
            at += (length + 3) & ~3;
        }
    }

    /** The command in one request message; null when it is no message of the path-manager family. */
    static Command decode(byte[] message) {
        return message.length < ATTRIBUTES ? null : new Command(message);
    }

    private static void address(ByteBuffer b, int from, int end, Address into) {
        for (int at = from; at + 4 <= end; ) {
            int length = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & 0x3fff;
            if (length < 4 || at + length > end) {
                return;
            }
            switch (type) {
                case ADDR_ID -> into.id = b.get(at + 4) & 0xff;
                case ADDR_ADDR4, ADDR_ADDR6 -> {
                    byte[] bytes = new byte[length - 4];
                    b.get(at + 4, bytes);
                    try {
                        into.address = InetAddress.getByAddress(bytes);
                    } catch (UnknownHostException e) {
                        into.address = null; // neither 4 nor 16 bytes: left out, request() has it
                    }
                }
                case ADDR_PORT -> into.port = b.getShort(at + 4) & 0xffff; // host order in commands
                case ADDR_FLAGS -> into.flags = b.getInt(at + 4);
                case ADDR_IF_IDX -> into.ifIndex = b.getInt(at + 4);
                default -> { } // ADDR_FAMILY: the address says it
            }
            at += (length + 3) & ~3;
        }
    }

    private static PmCommand byId(int id) {
        for (PmCommand c : PmCommand.values()) {
            if (c.id() == id) {
                return c;
            }
        }
        return null;
    }

    /** The command; null for an id this version does not know ({@link #request()} has it). */
    public PmCommand command() {
        return command;
    }

    /** The connection's token, 0 when the command names none. */
    public int token() {
        return token;
    }

    /**
     * The local address (MPTCP_PM_ATTR_ADDR): the subflow's local end, the address announced, the
     * endpoint; null when not sent.
     */
    public InetAddress localAddress() {
        return local.address;
    }

    /** The local port, 0 when not sent (the kernel picks one). */
    public int localPort() {
        return local.port;
    }

    /** The local address id: MPTCP_PM_ATTR_LOC_ID (REMOVE), else the address's id; -1 when not sent. */
    public int localId() {
        return locId >= 0 ? locId : local.id;
    }

    /** MPTCP_PM_ADDR_FLAG_* of the local address (SIGNAL 1, SUBFLOW 2, BACKUP 4, FULLMESH 8), 0 when none. */
    public int flags() {
        return local.flags;
    }

    /** The BACKUP flag: a backup subflow (SUBFLOW_CREATE), or the priority asked for (SET_FLAGS). */
    public boolean backup() {
        return (local.flags & FLAG_BACKUP) != 0;
    }

    /** The interface the local address is bound to, 0 when not sent. */
    public int ifIndex() {
        return local.ifIndex;
    }

    /** The peer's address (MPTCP_PM_ATTR_ADDR_REMOTE), null when not sent. */
    public InetAddress remoteAddress() {
        return remote.address;
    }

    /** The peer's port, 0 when not sent. */
    public int remotePort() {
        return remote.port;
    }

    /** Whether it asks for every entry (NLM_F_DUMP) rather than one answer. */
    public boolean dump() {
        return dump;
    }

    /** The request message as the controller's path manager sent it (a copy). */
    public byte[] request() {
        return request.clone();
    }

    int seq() {
        return seq;
    }

    /** How the command was answered, or null while it waits ({@link Answer#hold()}). */
    public Answer answer() {
        return answer.getNow(null);
    }

    /** Accepts a held command: the controller's call returns. */
    public Command ok() {
        return answer(Answer.ok());
    }

    /** Refuses a held command: the controller's call throws with {@code errno} and {@code message}. */
    public Command fail(int errno, String message) {
        return answer(Answer.fail(errno, message));
    }

    private Command answer(Answer a) {
        if (!answer.complete(a)) {
            throw new IllegalStateException(this + " was answered already (" + answer.join()
                    + "): only a command the answer policy held waits for the test");
        }
        return this;
    }

    /** Answers with {@code a} unless answered already; whether it did. */
    boolean answerIfOpen(Answer a) {
        return answer.complete(a);
    }

    CompletableFuture<Answer> answerFuture() {
        return answer;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(command != null ? command.name() : "command " + commandId);
        if (token != 0) {
            s.append(" token=").append(String.format("%08x", token));
        }
        if (local.address != null) {
            s.append(" local=").append(local.address.getHostAddress()).append(':').append(local.port);
        }
        if (localId() >= 0) {
            s.append(" id=").append(localId());
        }
        if (local.flags != 0) {
            s.append(" flags=0x").append(Integer.toHexString(local.flags));
        }
        if (remote.address != null) {
            s.append(" remote=").append(remote.address.getHostAddress()).append(':').append(remote.port);
        }
        return s.toString();
    }
}
